"""The Redis-backed call gate: per-endpoint concurrency and the hourly API budget.

Every worker on every machine shares the same Redis keys, so the limits
hold for the whole hub, not per process. A slot is a lease in a sorted set
that expires on its own if its holder is killed.
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import redis

from hub.errors import RateLimited

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

# Count one call if the window's buckets (KEYS) hold fewer than ARGV[1]; return
# {taken, used before}. Checking and counting at once keeps parallel callers from
# all passing the check at the last free call.
_RESERVE = """
local used = 0
for _, key in ipairs(KEYS) do used = used + tonumber(redis.call('GET', key) or '0') end
if used >= tonumber(ARGV[1]) then return {0, used} end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return {1, used}
"""

WINDOW_MINUTES = 60


class RedisGate:
    """A :class:`hub.connector.CallGate` shared by every process through Redis.

    ``scope`` identifies the remote account (one integration). Calls wait for
    a free slot on their endpoint. The hub's own calls this hour are counted
    in Redis and kept under ``share`` of the remote ``hourly_limit`` and under
    ``share`` of what other integrations left (from the remote system's own
    usage figures, see :meth:`report_usage`): past 75% of that cap calls are
    paced out over the hour (at most ``max_pause`` seconds each), at the cap
    they pause (``on_pause`` says so), and a pause longer than ``max_pause``
    seconds raises :class:`RateLimited`. A call is counted when it is let
    through, atomically, so parallel callers never overshoot the cap.
    """

    def __init__(
        self,
        client: redis.Redis,
        scope: str,
        *,
        concurrency: int | None = None,
        hourly_limit: int | None = None,
        share: float = 0.5,
        lease_seconds: float = 120.0,
        max_pause: float = 900.0,
        on_pause: Callable[[str], None] | None = None,
    ) -> None:
        self.redis = client
        self.scope = scope
        self.concurrency = concurrency
        self.hourly_limit = hourly_limit
        self.share = share
        self.lease_seconds = lease_seconds
        self.max_pause = max_pause
        self.on_pause = on_pause
        self.calls = 0
        self._announced: set[str] = set()
        self._acquire = client.register_script(_ACQUIRE)
        self._reserve = client.register_script(_RESERVE)
        self._local = threading.local()

    @contextlib.contextmanager
    def call(self, endpoint: str) -> Iterator[None]:
        """Wait for budget (counting the call) and a free slot on ``endpoint``; hold the slot."""
        self._take_budget()
        key = f"hub:slots:{self.scope}:{endpoint}"
        token = uuid.uuid4().hex
        if self.concurrency:
            delay = 0.005
            while not self._acquire(
                keys=[key], args=[time.time(), self.concurrency, token, self.lease_seconds]
            ):
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 0.2)
        # What had been answered when this call left (see report_usage).
        self._local.done_before = int(self.redis.get(self._done_total_key) or 0)
        try:
            yield
        finally:
            if self.concurrency:
                self.redis.zrem(key, token)
            bucket = self._bucket(int(time.time() // 60), "done")
            pipe = self.redis.pipeline()
            pipe.incr(bucket)
            pipe.expire(bucket, (WINDOW_MINUTES + 1) * 60)
            pipe.incr(self._done_total_key)
            pipe.expire(self._done_total_key, (WINDOW_MINUTES + 1) * 60)
            pipe.execute()

    def report_usage(self, used: int, limit: int) -> None:
        """Remember the remote system's count of calls this hour (all integrations) for all.

        The others' share is ``used`` minus the hub's calls the remote had seen
        when it answered. Only the calls already answered when the usage call
        (this thread's last) left are sure to be among them: calls still in
        flight are not, and counting them would make the others' share look
        smaller and the hub's cap larger than they are. A cached answer given
        again keeps the figures of its first report.
        """
        raw = self.redis.get(self._usage_key)
        if raw:
            known = json.loads(raw)
            if (known["used"], known["limit"]) == (used, limit):
                return
        done = self._window_sum("done")
        before = getattr(self._local, "done_before", None)
        if before is not None:
            done -= int(self.redis.get(self._done_total_key) or 0) - before
        state = {"used": used, "limit": limit, "own": max(0, done)}
        self.redis.set(self._usage_key, json.dumps(state), ex=3600)

    def used_this_hour(self) -> int:
        """Return the hub's own calls in the last hour for this scope."""
        return self._window_sum("calls")

    def _window_sum(self, kind: str) -> int:
        now = int(time.time() // 60)
        keys = [self._bucket(now - i, kind) for i in range(WINDOW_MINUTES)]
        return sum(int(v) for v in self.redis.mget(keys) if v)

    def cap(self) -> int | None:
        """Return how many calls the hub may make this hour (``None``: no limit known)."""
        caps = []
        if self.hourly_limit:
            caps.append(int(self.hourly_limit * self.share))
        raw = self.redis.get(self._usage_key)
        if raw:
            remote = json.loads(raw)
            others = max(0, int(remote["used"]) - int(remote["own"]))
            caps.append(int(self.share * max(0, int(remote["limit"]) - others)))
        return min(caps) if caps else None

    @property
    def _usage_key(self) -> str:
        return f"hub:remote-usage:{self.scope}"

    @property
    def _done_total_key(self) -> str:
        return f"hub:done-total:{self.scope}"

    def _bucket(self, minute: int, kind: str = "calls") -> str:
        return f"hub:{kind}:{self.scope}:{minute}"

    def _count(self) -> None:
        self.calls += 1
        key = self._bucket(int(time.time() // 60))
        pipe = self.redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, (WINDOW_MINUTES + 1) * 60)
        pipe.execute()

    def _announce(self, kind: str, message: str) -> None:
        if kind not in self._announced and self.on_pause:
            self._announced.add(kind)
            self.on_pause(message)

    def _take_budget(self) -> None:
        """Count this call once the budget allows it: slow down near the cap, pause at it."""
        cap = self.cap()
        if cap is None:
            self._count()
            return
        now = int(time.time() // 60)
        keys = [self._bucket(now - i) for i in range(WINDOW_MINUTES)]
        paused_since = time.monotonic()
        while True:
            taken, used = (
                int(v) for v in self._reserve(keys=keys, args=[cap, (WINDOW_MINUTES + 1) * 60])
            )
            if taken:
                break
            self._announce(
                "pause",
                f"paused: the hub used {used} of its {cap} API calls this hour "
                f"({self.share:.0%} of what the remote account allows); waiting for the "
                "rolling hour to free calls",
            )
            if time.monotonic() - paused_since > self.max_pause:
                raise RateLimited(
                    f"stopped: the hub's hourly API budget ({cap} calls) is spent; the next "
                    "sync continues where this one stopped"
                )
            time.sleep(min(5.0, self.max_pause / 10 or 0.1))
            cap = self.cap() or cap
            now = int(time.time() // 60)
            keys = [self._bucket(now - i) for i in range(WINDOW_MINUTES)]
        self.calls += 1
        if used >= 0.75 * cap:
            self._announce(
                "slow",
                f"slowing down: {used} of the hub's {cap} API calls this hour are used",
            )
            time.sleep(min(60.0, self.max_pause, 3600.0 / max(1, cap - used)))


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
