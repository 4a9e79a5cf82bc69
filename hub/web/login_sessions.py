"""Server-side record of logged-in sessions, so that logging out really ends one.

The session cookie is signed but lives in the browser: without a record on
the server, a copy taken before logout would stay logged in for as long as
the cookie is kept. At login the hub stores a random session id in Redis
(hashed, with the user id, for ``SESSION_LIFETIME`` seconds) and in the
cookie; a request is logged in only while that record exists and names the
same user. Logout deletes it.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app, session

from hub.redis_conn import get_redis

SESSION_KEY = "_hub_sid"
DEFAULT_LIFETIME = 12 * 3600  # SESSION_LIFETIME unset (the config sets it)


def _key(sid: str) -> str:
    return "hub:login-session:" + hashlib.sha256(sid.encode()).hexdigest()


def start(user_id: int) -> None:
    """Record a new logged-in session for ``user_id`` and put its id in the cookie."""
    sid = secrets.token_urlsafe(32)
    lifetime = int(current_app.config.get("SESSION_LIFETIME", DEFAULT_LIFETIME))
    get_redis().set(_key(sid), str(user_id), ex=lifetime)
    session[SESSION_KEY] = sid


def is_live(user_id: int) -> bool:
    """Return whether the cookie's session is recorded, for ``user_id``, and not ended."""
    sid = session.get(SESSION_KEY)
    if not isinstance(sid, str) or not sid:
        return False
    stored: bytes | str | None = get_redis().get(_key(sid))
    if isinstance(stored, bytes):
        stored = stored.decode()
    return stored == str(user_id)


def end() -> None:
    """Forget the cookie's session: every copy of the cookie is logged out."""
    sid = session.pop(SESSION_KEY, None)
    if isinstance(sid, str) and sid:
        get_redis().delete(_key(sid))
