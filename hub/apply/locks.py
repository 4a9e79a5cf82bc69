"""One applier per hub model of an integration, across threads and processes.

A sync applies its long streams part-way while they still pull, each in the
worker process pulling it, beside the whole applies of other models; a
webhook or a mapping change may apply a model at any time. Whoever applies a
model holds that model's Redis lock, so one mirror row never becomes two hub
records and a model's counts are never read half-written. The lock is
re-entrant within a thread: a sync step holding it calls
:meth:`hub.apply.engine.Applier.apply`, which takes it too.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from redis.lock import Lock

from hub.redis_conn import get_redis

LOCK_SECONDS = 20  # renewed with every chunk written; a killed holder's lock lapses soon
POLL_SECONDS = 0.02  # a waiting applier is on the sync's critical path

_held = threading.local()


def _held_locks() -> dict[str, Lock]:
    if not hasattr(_held, "locks"):
        _held.locks = {}
    locks: dict[str, Lock] = _held.locks
    return locks


@contextlib.contextmanager
def model_lock(integration_id: int, model: str, *, wait: bool = True) -> Iterator[Lock | None]:
    """Hold the integration's apply lock of ``model``; ``None`` when busy and not ``wait``-ing."""
    key = f"hub:apply:{integration_id}:model:{model}"
    held = _held_locks()
    if key in held:
        yield held[key]
        return
    lock = get_redis().lock(key, timeout=LOCK_SECONDS, sleep=POLL_SECONDS)
    if not lock.acquire(blocking=wait, blocking_timeout=None if wait else 0):
        yield None
        return
    held[key] = lock
    try:
        yield lock
    finally:
        del held[key]
        with contextlib.suppress(Exception):  # lapsed already: nothing to release
            lock.release()


def renew(lock: Lock | None) -> None:
    """Extend a held apply lock by :data:`LOCK_SECONDS` (after each chunk written)."""
    if lock is not None:
        lock.extend(LOCK_SECONDS, replace_ttl=True)
