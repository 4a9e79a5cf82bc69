"""A small cache shared by every worker process: zones and field lists read once, not per job.

Each RQ job runs in a fresh work horse, so a per-process cache forgets the
user's zone and an entity's field list between the jobs of one sync; every
lane would look them up again, one round trip each on its critical path.
Inside an app context the hub's Redis holds them for every process; outside
one (plain library use, tests) a process-local dict does. Keys are hashed:
usernames and URLs never appear in Redis key names.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from typing import Any

from flask import has_app_context

_local: dict[str, tuple[float, Any]] = {}
_lock = threading.Lock()


def _key(kind: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"hub:autotask:{kind}:{digest}"


def _redis() -> Any:
    if not has_app_context():
        return None
    from hub.redis_conn import get_redis

    return get_redis()


def get(kind: str, *parts: str) -> Any:
    """Return the cached value, or ``None``."""
    key = _key(kind, *parts)
    client = _redis()
    if client is not None:
        raw = client.get(key)
        return None if raw is None else json.loads(raw)
    with _lock:
        found = _local.get(key)
    if found is None or found[0] < time.monotonic():
        return None
    return found[1]


def put(kind: str, value: Any, seconds: int, *parts: str) -> None:
    """Cache ``value`` (JSON-serialisable) for ``seconds``."""
    key = _key(kind, *parts)
    client = _redis()
    if client is not None:
        client.set(key, json.dumps(value), ex=seconds)
        return
    with _lock:
        _local[key] = (time.monotonic() + seconds, value)


def forget(kind: str, *parts: str) -> None:
    """Drop one cached value."""
    key = _key(kind, *parts)
    client = _redis()
    if client is not None:
        client.delete(key)
    with _lock:
        _local.pop(key, None)


def clear_local() -> None:
    """Drop the process-local entries (tests)."""
    with _lock:
        _local.clear()
