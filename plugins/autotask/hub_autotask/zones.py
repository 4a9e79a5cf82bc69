"""Zone discovery: which Autotask zone (REST base URL) serves an API user.

``GET <lookup base>v1.0/zoneInformation?user=<username>`` needs no
credentials and is not thread-limited or counted against the quota, so it
does not go through the call gate. Answers are cached per (lookup base,
username) for the whole process and, for an hour, for every worker
(:mod:`hub_autotask.shared_cache`); :func:`zone_url` with ``refresh=True``
looks again (the client does so once after a 401: the tenant may have moved).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx

from hub.errors import AuthenticationFailed, ConnectionFailed
from hub_autotask import shared_cache, urls
from hub_autotask.responses import classify, classify_exception
from hub_autotask.retries import RetryPolicy

ZONE_SECONDS = 3600  # shared with every worker; a 401 looks again at once anyway
_cache: dict[tuple[str, str], str] = {}
_key_locks: dict[tuple[str, str], threading.Lock] = {}
_guard = threading.Lock()
_lookup_client: httpx.Client | None = None


def _client(policy: RetryPolicy) -> httpx.Client:
    global _lookup_client
    with _guard:
        if _lookup_client is None:
            _lookup_client = httpx.Client(
                timeout=httpx.Timeout(policy.timeout, connect=10.0),
                headers={"Accept": "application/json"},
                follow_redirects=False,
            )
        return _lookup_client


def _lock_for(key: tuple[str, str]) -> threading.Lock:
    with _guard:
        return _key_locks.setdefault(key, threading.Lock())


def cached(username: str) -> str | None:
    """Return the cached zone URL of ``username`` under the current lookup base, if any."""
    with _guard:
        return _cache.get((urls.lookup_base(), username.strip().lower()))


def forget_all() -> None:
    """Drop every zone cached in this process (tests; an operator changing the lookup base)."""
    with _guard:
        _cache.clear()
    shared_cache.clear_local()


def zone_url(username: str, *, refresh: bool = False, policy: RetryPolicy | None = None) -> str:
    """Return the REST base URL (trailing slash) of ``username``'s zone, from cache or lookup.

    With ``refresh``, look up again even when cached. Raises
    :class:`AuthenticationFailed` for a user Autotask does not know,
    :class:`ConfigurationError` when the answer is not an allowed URL, and
    :class:`ConnectionFailed` when the lookup host cannot be reached.
    """
    base = urls.lookup_base()
    key = (base, username.strip().lower())
    with _lock_for(key):  # one lookup per user at a time; the others wait and reuse it
        if not refresh:
            with _guard:
                if key in _cache:
                    return _cache[key]
            shared = shared_cache.get("zone", *key)
            if isinstance(shared, str):
                found = urls.require_allowed(shared, "cached zone URL")
                with _guard:
                    _cache[key] = found
                return found
        found = _lookup(base, username.strip(), policy or RetryPolicy.from_environment())
        shared_cache.put("zone", found, ZONE_SECONDS, *key)
        with _guard:
            _cache[key] = found
        return found


def _lookup(base: str, username: str, policy: RetryPolicy) -> str:
    if not username:
        raise AuthenticationFailed("the Autotask username is empty")
    urls.require_allowed(base, "zone lookup URL")
    action = "the zone lookup"
    for attempt in range(1, policy.max_attempts + 1):
        try:
            response = _client(policy).get(f"{base}v1.0/zoneInformation", params={"user": username})
        except httpx.TransportError as exc:
            verdict = classify_exception(exc, action=action)
        else:
            if response.status_code == 500 and "zone information" in response.text.lower():
                raise AuthenticationFailed(
                    f"Autotask does not know the API user {username!r} (the zone lookup found "
                    "no zone for it): check the username; it is the API-only user's username, "
                    "e.g. abc123@EXAMPLE.COM"
                )
            verdict = classify(response, entity="zoneInformation", action=action)
            if verdict.ok:
                return _zone_from(response)
        if verdict.kind != "retry" or attempt == policy.max_attempts:
            break
        time.sleep(policy.delay(attempt, verdict.retry_after))
    assert verdict.error is not None
    if isinstance(verdict.error, ConnectionFailed) and type(verdict.error) is ConnectionFailed:
        raise ConnectionFailed(f"{verdict.error.message} (zone lookup at {base})")
    raise verdict.error


def _zone_from(response: httpx.Response) -> str:
    try:
        body: Any = response.json()
        url = str(body["url"])
    except (ValueError, KeyError, TypeError):
        raise ConnectionFailed(
            "Autotask's zone lookup answered without a zone URL; try again later"
        ) from None
    return urls.require_allowed(url, "zone URL returned by Autotask's zone lookup")
