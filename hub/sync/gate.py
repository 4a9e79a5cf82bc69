"""The Redis-backed call gate: per-endpoint concurrency and the hourly API budget.

Every worker on every machine shares the same Redis keys, so the limits
hold for the whole hub, not per process. A slot is a lease in a sorted set
that expires on its own if its holder is killed.
"""

from __future__ import annotations

import contextlib
import random
import time
import uuid
from collections.abc import Callable, Iterator

import redis

# Take a slot if fewer than ARGV[2] unexpired leases are held.
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[4])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
  redis.call('EXPIRE', KEYS[1], 3600)
  return 1
end
return 0
"""

WINDOW_MINUTES = 60


class RedisGate:
    """A :class:`hub.connector.CallGate` shared by every process through Redis.

    ``scope`` identifies the remote account (one integration). Calls wait for
    a free slot on their endpoint; when the hub's hourly share is spent they
    wait for the window to move on, reporting the pause through ``on_pause``.
    """

    def __init__(
        self,
        client: redis.Redis,
        scope: str,
        *,
        concurrency: int | None = None,
        hourly_budget: int | None = None,
        lease_seconds: float = 120.0,
        on_pause: Callable[[str], None] | None = None,
    ) -> None:
        self.redis = client
        self.scope = scope
        self.concurrency = concurrency
        self.hourly_budget = hourly_budget
        self.lease_seconds = lease_seconds
        self.on_pause = on_pause
        self.calls = 0
        self.remote_usage: tuple[int, int] | None = None
        self._acquire = client.register_script(_ACQUIRE)

    @contextlib.contextmanager
    def call(self, endpoint: str) -> Iterator[None]:
        """Wait for budget and a free slot on ``endpoint``, count the call, hold the slot."""
        self._wait_for_budget()
        key = f"hub:slots:{self.scope}:{endpoint}"
        token = uuid.uuid4().hex
        if self.concurrency:
            delay = 0.005
            while not self._acquire(
                keys=[key], args=[time.time(), self.concurrency, token, self.lease_seconds]
            ):
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 0.2)
        self._count()
        try:
            yield
        finally:
            if self.concurrency:
                self.redis.zrem(key, token)

    def report_usage(self, used: int, limit: int) -> None:
        """Remember the remote system's own count of calls this hour."""
        self.remote_usage = (used, limit)

    def used_this_hour(self) -> int:
        """Return the hub's own calls in the last hour for this scope."""
        now = int(time.time() // 60)
        keys = [self._bucket(now - i) for i in range(WINDOW_MINUTES)]
        return sum(int(v) for v in self.redis.mget(keys) if v)

    def _bucket(self, minute: int) -> str:
        return f"hub:calls:{self.scope}:{minute}"

    def _count(self) -> None:
        self.calls += 1
        key = self._bucket(int(time.time() // 60))
        pipe = self.redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, (WINDOW_MINUTES + 1) * 60)
        pipe.execute()

    def _wait_for_budget(self) -> None:
        if not self.hourly_budget:
            return
        announced = False
        while self.used_this_hour() >= self.hourly_budget:
            if not announced and self.on_pause:
                self.on_pause(
                    f"paused: the hub's hourly API budget ({self.hourly_budget} calls) is spent; "
                    "waiting for the rolling hour to free calls"
                )
                announced = True
            time.sleep(5)


class GateView:
    """A view of a gate that counts its own calls (one per thread or stream)."""

    def __init__(self, gate: RedisGate | GateView) -> None:
        self.gate = gate
        self.calls = 0

    @contextlib.contextmanager
    def call(self, endpoint: str) -> Iterator[None]:
        """Pass the call through the shared gate and count it here too."""
        with self.gate.call(endpoint):
            self.calls += 1
            yield

    def report_usage(self, used: int, limit: int) -> None:
        """Pass remote usage figures to the shared gate."""
        self.gate.report_usage(used, limit)
