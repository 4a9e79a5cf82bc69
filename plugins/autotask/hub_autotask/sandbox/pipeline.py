"""The request pipeline: zone, authentication, limits, faults, latency, handler.

Order per Autotask request: route (404/405), authentication (401/500),
the rolling-hour counter (refusal past 100%, added delay past 50%/75%), the
thread limit (429 ``Itgenatr005``), injected faults, latency, permission
denials, then the handler. Zone lookups are neither counted nor limited;
``/_sandbox/`` paths go to the control surface.
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from hub_autotask.sandbox import api
from hub_autotask.sandbox.errors import ApiError
from hub_autotask.sandbox.faults import DropConnection, FaultInjector
from hub_autotask.sandbox.limits import HourlyCounter, ThreadLimiter
from hub_autotask.sandbox.routes import Match, resolve
from hub_autotask.sandbox.server import Answer
from hub_autotask.sandbox.stats import RequestStats
from hub_autotask.sandbox.store import Store
from hub_autotask.sandbox.tenant import LOOKUP_PREFIX, Credentials, ZoneState

CONTROL_PREFIX = "/_sandbox/"
ControlHandler = Callable[[str, str, dict[str, str], Any], Answer]


class Pipeline:
    """Answers every HTTP request the sandbox receives."""

    def __init__(
        self,
        *,
        store: Store,
        api_context: api.ApiContext,
        credentials: Credentials,
        zone: ZoneState,
        counter: HourlyCounter,
        limiter: ThreadLimiter,
        faults: FaultInjector,
        stats: RequestStats,
        api_resource_id: int,
        base_url: Callable[[], str],
        control: ControlHandler,
        record_write: Callable[[str, str, Any], None],
    ) -> None:
        """Wire the pipeline to the sandbox's components."""
        self.store = store
        self.api_context = api_context
        self.credentials = credentials
        self.zone = zone
        self.counter = counter
        self.limiter = limiter
        self.faults = faults
        self.stats = stats
        self.api_resource_id = api_resource_id
        self.base_url = base_url
        self.control = control
        self.record_write = record_write
        self.latency_seconds = 0.0

    def __call__(self, method: str, target: str, headers: Mapping[str, str], raw: bytes) -> Answer:
        """Return the answer to one request (or raise DropConnection)."""
        parts = urlsplit(target)
        path = unquote(parts.path)
        params = {key.lower(): value for key, value in parse_qsl(parts.query)}
        body = _json_or_none(raw)
        lower = path.lower()
        if lower.startswith(CONTROL_PREFIX):
            return self.control(method, path[len(CONTROL_PREFIX) :], params, body)
        if lower.endswith("/v1.0/zoneinformation") and method == "GET":
            return self._zone_information(params)
        prefix = self.zone.prefix
        if not lower.startswith(prefix.lower()) or lower.startswith(LOOKUP_PREFIX):
            self.stats.record("unknown zone", 401)
            return Answer(401, {"errors": ["Authorization has been denied for this request."]})
        api_path = "/" + path[len(prefix) :]
        try:
            match = resolve(method, api_path)
        except ApiError as exc:
            self.stats.record(f"{method} {api_path}", exc.status)
            return Answer(exc.status, exc.body)
        endpoint = f"{method} {match.route.template}"
        try:
            answer = self._authorised(method, match, headers, params, body)
        except DropConnection:
            self.stats.record(endpoint, 0)
            raise
        self.stats.record(endpoint, answer.status)
        return answer

    def _zone_information(self, params: dict[str, str]) -> Answer:
        user = params.get("user", "").strip()
        if not user or user.lower() != self.credentials.username.lower():
            self.stats.record("GET zoneInformation", 500)
            return Answer(500, {"errors": ["Zone information could not be determined"]})
        self.stats.record("GET zoneInformation", 200)
        base = self.base_url()
        number = self.zone.number
        return Answer(
            200,
            {
                "zoneName": f"Sandbox Zone {number}",
                "url": f"{base}{self.zone.prefix.lstrip('/')}",
                "webUrl": f"{base}ww{number}/",
                "ci": self.zone.ci,
            },
        )

    def _authenticate(self, headers: Mapping[str, str]) -> int:
        user = (headers.get("UserName") or "").strip()
        if user.lower() != self.credentials.username.lower():
            raise ApiError(500, "Unable to find an API user with the given user name.")
        if headers.get("Secret") != self.credentials.secret:
            raise ApiError(401, "Invalid user name or secret.")
        if (headers.get("ApiIntegrationCode") or "").strip() != self.credentials.integration_code:
            raise ApiError(500, "IntegrationCode is invalid.")
        impersonate = headers.get("ImpersonationResourceId")
        if impersonate:
            resources = self.store.table("Resources")
            if not impersonate.strip().isdigit() or resources.get(int(impersonate)) is None:
                raise ApiError(500, f"Impersonation resource {impersonate} was not found.")
            return int(impersonate)
        return self.api_resource_id

    def _authorised(
        self,
        method: str,
        match: Match,
        headers: Mapping[str, str],
        params: dict[str, str],
        body: Any,
    ) -> Answer:
        try:
            person = self._authenticate(headers)
            delay = self.counter.admit()
        except ApiError as exc:
            return Answer(exc.status, exc.body)
        code = self.credentials.integration_code
        endpoint = match.route.thread_key
        try:
            self.limiter.acquire(code, endpoint)
        except ApiError as exc:
            return Answer(exc.status, exc.body)
        answer: Answer | None = None
        try:
            fault = self.faults.draw()
            if fault == "drop":
                raise DropConnection
            if fault in ("429", "500"):
                error = self.faults.error_for(fault)
                return Answer(error.status, error.body)
            if fault == "slow":
                delay += self.faults.plan.slow_seconds
            if delay > 0:
                time.sleep(delay)  # throttling and slow faults come on top of the latency
            started = time.monotonic()
            answer = self._answer(method, match, params, body, person)
            answer.payload = answer.encode()
            return answer
        finally:
            if answer is not None:
                # The latency is the call's whole time, the simulator's own work included:
                # one Python process serving many calls must not make each take longer.
                left = self.latency_seconds - (time.monotonic() - started)
                if left > 0:  # sleep(0) would hand the GIL to a busy thread: no idle wait
                    time.sleep(left)
            self.limiter.release(code, endpoint)

    def _answer(
        self, method: str, match: Match, params: dict[str, str], body: Any, person: int
    ) -> Answer:
        try:
            if method in ("POST", "PATCH", "PUT") and match.route.kind in (
                "create",
                "update",
                "replace",
            ):
                self.record_write(method, match.route.template, body)
            if match.route.kind not in ("info", "fields", "udfs", "threshold"):
                self.faults.check_denied(match.route.entity, _verb(method, match))
            status, answer = api.handle(self.api_context, match, params, body, person)
            return Answer(status, answer)
        except ApiError as exc:
            return Answer(exc.status, exc.body)
        except DropConnection:
            raise
        except Exception as exc:
            traceback.print_exc()
            return Answer(500, {"errors": [f"An unexpected error has occurred: {exc!r}"]})


def _verb(method: str, match: Match) -> str:
    return "GET" if match.route.kind in ("query", "next", "count") else method


def _json_or_none(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
