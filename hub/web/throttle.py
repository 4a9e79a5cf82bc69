"""Login throttling: repeated failures for one email from one address slow down.

Failures are counted in Redis per (email, client address) for 15 minutes.
After ``FREE_ATTEMPTS`` failures, each further attempt is refused for a
delay that doubles with every failure (2 s, 4 s, ... up to 15 minutes). The
refusal never says whether the email or the password was wrong.
"""

from __future__ import annotations

import hashlib
import time

from hub.redis_conn import get_redis

FREE_ATTEMPTS = 5
WINDOW = 900
MAX_DELAY = 900


def _key(email: str, address: str) -> str:
    digest = hashlib.sha256(f"{email.strip().lower()}|{address}".encode()).hexdigest()[:32]
    return f"hub:login-failures:{digest}"


def wait_seconds(email: str, address: str) -> int:
    """Return how many seconds this email/address must wait before trying again (0: go)."""
    raw = get_redis().hgetall(_key(email, address))
    failures = int(raw.get(b"count", 0))
    if failures < FREE_ATTEMPTS:
        return 0
    delay = min(MAX_DELAY, 2 ** (failures - FREE_ATTEMPTS + 1))
    remaining = float(raw.get(b"last", 0)) + delay - time.time()
    return max(0, int(remaining + 0.999))


def record_failure(email: str, address: str) -> None:
    """Count one failed login."""
    key = _key(email, address)
    pipe = get_redis().pipeline()
    pipe.hincrby(key, "count", 1)
    pipe.hset(key, "last", str(time.time()))
    pipe.expire(key, WINDOW)
    pipe.execute()


def clear_failures(email: str, address: str) -> None:
    """Forget the failures after a successful login."""
    get_redis().delete(_key(email, address))
