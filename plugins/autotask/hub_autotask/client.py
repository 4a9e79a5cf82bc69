"""The Autotask REST client: zone, authentication, the call gate, retries.

One :class:`AutotaskClient` is built per hook call from the settings; what is
expensive is shared process-wide and thread-safe: the zone of each username
(:mod:`hub_autotask.zones`) and one keep-alive ``httpx.Client`` per (zone,
credentials). Every call to the zone goes through ``gate.call(<endpoint>)``
where the endpoint is the first path segment after ``V1.0/`` (the object
endpoint Autotask's thread limit counts, e.g. ``Companies``); the gate slot
is held only while the request is in flight, never while backing off.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from hub.connector import CallGate
from hub.errors import ConfigurationError, ConnectionFailed, HubError
from hub.jsontext import loads
from hub_autotask import shared_cache, urls, zones
from hub_autotask.responses import Verdict, classify, classify_exception
from hub_autotask.retries import RetryPolicy
from hub_autotask.settings import VENDOR_CODE_VARIABLE

API_VERSION = "V1.0"
FIELDS_SECONDS = 60  # field lists change rarely; a minute spans a sync's repeat reads
MAX_CLIENTS = 128
USAGE_MAX_AGE = 60  # seconds a ThresholdInformation answer is reused


@dataclass(frozen=True)
class Credentials:
    """The API user's credentials and the optional tenant-given zone URL."""

    username: str
    secret: str
    integration_code: str
    zone_url: str = ""

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Credentials:
        """Read the credentials from validated settings (the operator's code as fallback)."""
        username = str(settings.get("username") or "").strip()
        secret = str(settings.get("secret") or "")
        code = str(settings.get("integration_code") or "").strip()
        code = code or os.environ.get(VENDOR_CODE_VARIABLE, "").strip()
        if not username or not secret:
            raise ConfigurationError("the Autotask username and secret are required")
        if not code:
            raise ConfigurationError(
                "the Autotask API tracking identifier (integration code) is missing, and the "
                f"operator did not set {VENDOR_CODE_VARIABLE}"
            )
        return cls(username, secret, code, str(settings.get("zone_url") or "").strip())

    @property
    def secrets(self) -> tuple[str, ...]:
        """Return the values scrubbed from every message."""
        return (self.secret,)

    def headers(self) -> dict[str, str]:
        """Return the authentication headers of every API call."""
        return {
            "ApiIntegrationCode": self.integration_code,
            "UserName": self.username,
            "Secret": self.secret,
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

    def fingerprint(self) -> str:
        """Return a digest identifying these credentials (cache keys never hold the secret)."""
        raw = "\0".join((self.username.lower(), self.secret, self.integration_code))
        return hashlib.sha256(raw.encode()).hexdigest()


_clients: OrderedDict[tuple[str, str, float], httpx.Client] = OrderedDict()
_usage: dict[tuple[str, str], tuple[float, int, int]] = {}
_usage_locks: dict[tuple[str, str], threading.Lock] = {}
_lock = threading.Lock()


def _http_for(zone: str, credentials: Credentials, policy: RetryPolicy) -> httpx.Client:
    key = (zone, credentials.fingerprint(), policy.timeout)
    with _lock:
        client = _clients.get(key)
        if client is not None:
            _clients.move_to_end(key)
            return client
        client = httpx.Client(
            headers=credentials.headers(),
            timeout=httpx.Timeout(policy.timeout, connect=10.0),
            # The gate caps calls per endpoint (3 on Autotask), not in all: a sync plans
            # every stream at once, so one pool must not queue some of them.
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
            follow_redirects=False,  # a redirect could carry the credentials elsewhere
        )
        _clients[key] = client
        while len(_clients) > MAX_CLIENTS:
            _clients.popitem(last=False)  # dropped, not closed: another thread may hold it
        return client


def close_all() -> None:
    """Close every cached HTTP client (tests, shutdown)."""
    with _lock:
        clients = list(_clients.values())
        _clients.clear()
    for client in clients:
        client.close()


def endpoint_of(path: str) -> str:
    """Return the object endpoint of an API path (``Companies/123/Contacts`` -> ``Companies``)."""
    return path.lstrip("/").split("/", 1)[0].split("?", 1)[0]


class AutotaskClient:
    """Calls to one tenant's Autotask API, each through the caller's gate."""

    def __init__(self, settings: Mapping[str, Any], policy: RetryPolicy | None = None) -> None:
        """Build a client from validated settings; nothing is sent yet."""
        self.credentials = Credentials.from_settings(settings)
        self.policy = policy or RetryPolicy.from_environment()
        self._zone: str | None = None
        if self.credentials.zone_url:
            self._zone = urls.require_allowed(self.credentials.zone_url, "zone URL setting")

    @property
    def secrets(self) -> tuple[str, ...]:
        """Return the values to scrub from messages."""
        return self.credentials.secrets

    @property
    def zone(self) -> str:
        """Return the zone's REST base URL, looking it up (cached) when not configured."""
        if self._zone is None:
            self._zone = zones.zone_url(self.credentials.username, policy=self.policy)
        return self._zone

    def api_url(self, path: str) -> str:
        """Return the absolute URL of ``path`` (``Companies/query``) under ``V1.0/``."""
        return f"{self.zone}{API_VERSION}/{path.lstrip('/')}"

    # -- the one place every API call goes through --------------------------------------------

    def call(
        self,
        gate: CallGate,
        method: str,
        path: str,
        *,
        body: Any = None,
        intent: str | None = None,
        action: str | None = None,
    ) -> Any:
        """Send one API call with retries and return its JSON body.

        ``path`` is relative to ``V1.0/`` (or an absolute URL on the zone's
        origin, e.g. a ``nextPageUrl``). ``intent`` is the method as the
        permission check sees it (``QUERY`` for a POST that reads).
        """
        endpoint = endpoint_of(path if "://" not in path else path.split(f"/{API_VERSION}/", 1)[-1])
        action = action or f"{method} {endpoint}"
        relooked = False
        attempt = 0
        while True:
            attempt += 1
            url = path if "://" in path else self.api_url(path)
            if not urls.same_origin(url, self.zone):
                raise ConfigurationError(
                    f"refusing to send Autotask credentials to {url!r}: it is not on the "
                    f"zone's origin {self.zone!r}"
                )
            verdict, response = self._send(gate, endpoint, method, url, body, intent, action)
            if verdict.ok and response is not None:
                return self._json(response, action)
            if verdict.unauthorized and not relooked:
                relooked = True
                if self._relook():
                    attempt -= 1  # a moved zone is not a failed attempt
                    continue
            error = verdict.error
            assert error is not None
            if (
                verdict.kind != "retry"
                or attempt >= self.policy.max_attempts
                or self.policy.waits_too_long(verdict.retry_after)
            ):
                raise error
            time.sleep(self.policy.delay(attempt, verdict.retry_after))

    def _send(
        self,
        gate: CallGate,
        endpoint: str,
        method: str,
        url: str,
        body: Any,
        intent: str | None,
        action: str,
    ) -> tuple[Verdict, httpx.Response | None]:
        http = _http_for(self.zone, self.credentials, self.policy)
        try:
            with gate.call(endpoint):
                response = http.request(method, url, json=body)
        except httpx.TransportError as exc:
            return classify_exception(exc, action=action), None
        verdict = classify(
            response,
            entity=endpoint,
            action=action,
            method=intent or method,
            secrets=self.secrets,
        )
        return verdict, response

    def _relook(self) -> bool:
        """After a 401, look the zone up again; return whether it moved (then retry there)."""
        try:
            fresh = zones.zone_url(self.credentials.username, refresh=True, policy=self.policy)
        except HubError:
            return False
        if fresh == self._zone:
            return False
        self._zone = fresh
        return True

    def _json(self, response: httpx.Response, action: str) -> Any:
        try:
            return loads(response.content)
        except ValueError:
            raise ConnectionFailed(
                f"Autotask answered {action} with something that is not JSON "
                f"(HTTP {response.status_code})"
            ) from None

    # -- typed helpers ---------------------------------------------------------------------

    def query(self, gate: CallGate, entity: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST ``<entity>/query`` and return ``{"items", "pageDetails"}``."""
        answer = self.call(
            gate,
            "POST",
            f"{entity}/query",
            body=dict(body),
            intent="QUERY",
            action=f"a query of {entity}",
        )
        return _mapping(answer, "items", entity)

    def count(self, gate: CallGate, entity: str, filters: list[dict[str, Any]]) -> int:
        """POST ``<entity>/query/count`` and return the count."""
        answer = self.call(
            gate,
            "POST",
            f"{entity}/query/count",
            body={"filter": filters},
            intent="QUERY",
            action=f"a count of {entity}",
        )
        try:
            return int(answer["queryCount"])
        except (KeyError, TypeError, ValueError):
            raise ConnectionFailed(f"Autotask's count of {entity} has no queryCount") from None

    def get(self, gate: CallGate, entity: str, record_id: int | str) -> dict[str, Any] | None:
        """GET one record; ``None`` when Autotask answers ``{"item": null}``."""
        answer = self.call(
            gate, "GET", f"{entity}/{record_id}", action=f"a read of {entity} {record_id}"
        )
        item = _mapping(answer, "item", entity).get("item")
        return item if isinstance(item, dict) else None

    def fields(self, gate: CallGate, entity: str, *, recent: bool = False) -> list[dict[str, Any]]:
        """GET ``<entity>/entityInformation/fields`` (``recent``: a minute-old answer will do).

        A sync reads Companies' field list to pull two picklist streams and
        again to count them, in several workers: the counts reuse the pull's.
        """
        key = (self.zone, self.credentials.fingerprint(), entity)
        cached = shared_cache.get("fields", *key) if recent else None
        if isinstance(cached, list):
            return cached
        answer = self.call(
            gate,
            "GET",
            f"{entity}/entityInformation/fields",
            action=f"the field list of {entity}",
        )
        found = list(_mapping(answer, "fields", entity).get("fields") or [])
        shared_cache.put("fields", found, FIELDS_SECONDS, *key)
        return found

    def udfs(self, gate: CallGate, entity: str) -> list[dict[str, Any]]:
        """GET ``<entity>/entityInformation/userDefinedFields``."""
        answer = self.call(
            gate,
            "GET",
            f"{entity}/entityInformation/userDefinedFields",
            action=f"the user-defined fields of {entity}",
        )
        return list(_mapping(answer, "fields", entity).get("fields") or [])

    def report_usage(self, gate: CallGate, *, force: bool = False) -> tuple[int, int] | None:
        """Tell the gate the tenant's rolling-hour usage; ThresholdInformation once a minute.

        The answer is shared by every worker (a sync's plans and lanes run in
        several processes, and the connection test that precedes a first sync
        has just asked). ``force`` always calls (the connection test uses it as
        its login check).
        """
        key = (self.zone, self.credentials.fingerprint())
        with _lock:
            key_lock = _usage_locks.setdefault(key, threading.Lock())
        # One thread asks; the others that arrive meanwhile wait and reuse its answer.
        with key_lock:
            known = None if force else shared_cache.get("usage", *key)
            if not isinstance(known, list):
                answer = self.call(
                    gate, "GET", "ThresholdInformation", action="the API usage check"
                )
                try:
                    known = [
                        int(answer["currentTimeframeRequestCount"]),
                        int(answer["externalRequestThreshold"]),
                    ]
                except (KeyError, TypeError, ValueError):
                    return None
                shared_cache.put("usage", known, USAGE_MAX_AGE, *key)
        gate.report_usage(known[0], known[1])
        return known[0], known[1]


def _mapping(answer: Any, key: str, entity: str) -> dict[str, Any]:
    if not isinstance(answer, dict) or key not in answer:
        raise ConnectionFailed(f"Autotask's answer about {entity} has no {key!r}")
    return answer
