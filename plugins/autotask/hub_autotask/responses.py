"""Every Autotask answer classified in one place: done, worth retrying, or a fatal error.

::

    2xx                                      ok
    429, "Itgenatr005" in any status          retry (RateLimited when attempts run out)
    429 "external request threshold"          fatal RateLimited: the hourly quota is spent
    5xx "unexpected error" / 502 / 503 / 504  retry (ConnectionFailed when attempts run out)
    timeouts, dropped or refused connections  retry (ConnectionFailed when attempts run out)
    401                                       AuthenticationFailed (after one zone re-lookup)
    500 unknown user / bad integration code   AuthenticationFailed
    500 "does not have the adequate permissions"  PermissionDenied, naming what to grant
    400, 404, 405, other 500                  ConnectionFailed with Autotask's own words

Each error's message is written for the MSP admin and has every secret
scrubbed (:func:`hub.errors.scrub`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal

import httpx

from hub.errors import (
    AuthenticationFailed,
    ConnectionFailed,
    HubError,
    PermissionDenied,
    RateLimited,
    scrub,
)

THREAD_LIMIT_CODE = "itgenatr005"
RETRIABLE_STATUSES = frozenset({429, 502, 503, 504})
SECURITY_LEVELS = (
    "Admin > Account Settings & Users > Resources/Users (HR) > Security > Security Levels"
)

#: Entity name -> the words Autotask's UI uses for it on a security level.
UI_NAMES: dict[str, str] = {
    "Companies": "Companies",
    "Contacts": "Contacts",
    "ConfigurationItems": "Configuration Items",
    "ConfigurationItemTypes": "Configuration Item Types",
    "ConfigurationItemCategories": "Configuration Item Categories",
    "Products": "Products",
    "Contracts": "Contracts",
    "ContractServices": "Contract Services",
    "ContractServiceUnits": "Contract Service Units",
    "Services": "Services",
    "Opportunities": "Opportunities",
    "Tickets": "Tickets",
    "Projects": "Projects",
    "Resources": "Resources",
    "UserDefinedFieldDefinitions": "User-Defined Fields",
}
#: HTTP method -> (what the API user tried, the permission column on the security level).
VERBS: dict[str, tuple[str, str]] = {
    "GET": ("read", "View"),
    "QUERY": ("read", "View"),  # a query is a POST that reads
    "POST": ("create", "Add"),
    "PATCH": ("update", "Edit"),
    "PUT": ("update", "Edit"),
    "DELETE": ("delete", "Delete"),
}


def ui_name(entity: str) -> str:
    """Return the name Autotask's UI uses for ``entity`` (``ConfigurationItems`` -> ...)."""
    if entity in UI_NAMES:
        return UI_NAMES[entity]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", entity)


def permission_message(entity: str, method: str = "GET") -> str:
    """Return what an admin must grant so the API user may act on ``entity``."""
    verb, column = VERBS.get(method.upper(), ("read", "View"))
    name = ui_name(entity)
    return (
        f"the API user's security level cannot {verb} {name}: give its security level "
        f"{name} {column} = All ({SECURITY_LEVELS}), or deselect that stream"
    )


@dataclass(frozen=True)
class Verdict:
    """What to do with one answer (or transport failure)."""

    kind: Literal["ok", "retry", "fatal"]
    error: HubError | None = None
    retry_after: float | None = None
    unauthorized: bool = False  # a 401: the zone may have moved

    @property
    def ok(self) -> bool:
        """Return whether the call succeeded."""
        return self.kind == "ok"


OK = Verdict("ok")


def remote_messages(response: httpx.Response) -> list[str]:
    """Return the messages of an Autotask error body (``errors``, ``Message``, or raw text)."""
    try:
        body: Any = response.json()
    except ValueError:
        text = re.sub(r"<[^>]+>", " ", response.text or "")
        text = re.sub(r"\s+", " ", text).strip()
        return [text[:300]] if text else []
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            return [str(e) for e in errors]
        for key in ("Message", "message", "error"):
            if body.get(key):
                return [str(body[key])]
    return []


def retry_after(response: httpx.Response) -> float | None:
    """Return the ``Retry-After`` header in seconds (delta or HTTP date), or ``None``."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def classify(
    response: httpx.Response,
    *,
    entity: str,
    action: str,
    method: str = "GET",
    secrets: Iterable[str | None] = (),
) -> Verdict:
    """Classify one Autotask answer to ``action`` (e.g. "query Companies") on ``entity``.

    ``method`` is the HTTP method, or ``QUERY`` for a query (a POST that reads):
    it says whether a permission error is about reading or writing.
    """
    status = response.status_code
    if 200 <= status < 300:
        return OK
    secret_list = list(secrets)
    messages = remote_messages(response)
    said = "; ".join(messages) or f"HTTP {status}"
    lower = said.lower()

    def clean(text: str) -> str:
        return scrub(text, secret_list)

    if THREAD_LIMIT_CODE in lower:
        return Verdict(
            "retry",
            RateLimited(
                clean(
                    f"Autotask refused {action}: more than 3 concurrent requests on {entity} "
                    f"for this API tracking identifier (Itgenatr005, thread threshold exceeded)"
                ),
                retry_after=retry_after(response),
            ),
            retry_after=retry_after(response),
        )
    if status == 429 and "threshold" in lower and "request" in lower:
        return Verdict(
            "fatal",
            RateLimited(
                clean(
                    "Autotask refused the call: the database's hourly API limit is spent "
                    "(it is shared by every integration of this Autotask account). The hub "
                    f"will try again later. Autotask said: {said}"
                ),
                retry_after=retry_after(response) or 300.0,
            ),
        )
    if status == 429:
        return Verdict(
            "retry",
            RateLimited(clean(f"Autotask throttled {action} (HTTP 429): {said}")),
            retry_after=retry_after(response),
        )
    if status == 401:
        return Verdict(
            "fatal",
            AuthenticationFailed(
                "Autotask rejected the API user's credentials (HTTP 401): check the username "
                "and secret (Admin > Resources/Users > the API user > Generate Secret), and "
                "that the user is an API-only user and still active"
            ),
            unauthorized=True,
        )
    if "adequate permission" in lower or "does not have permission" in lower:
        return Verdict("fatal", PermissionDenied(clean(permission_message(entity, method))))
    if status == 500 and _bad_integration_code(lower):
        return Verdict(
            "fatal",
            AuthenticationFailed(
                clean(
                    "Autotask rejected the API tracking identifier (integration code): copy it "
                    "from the API user's 'API Tracking Identifier' section, or leave it blank "
                    f"when the operator set one for the whole hub. Autotask said: {said}"
                )
            ),
        )
    if status == 500 and _unknown_user(lower):
        return Verdict(
            "fatal",
            AuthenticationFailed(
                clean(
                    "Autotask does not know this API user: check the username (the API user's "
                    "username, e.g. abc123@EXAMPLE.COM), and that it is an API-only user "
                    f"(security level 'API User (system)'). Autotask said: {said}"
                )
            ),
        )
    if status >= 500 and (status in RETRIABLE_STATUSES or _transient(lower)):
        return Verdict(
            "retry",
            ConnectionFailed(clean(f"Autotask failed to answer {action} (HTTP {status}): {said}")),
            retry_after=retry_after(response),
        )
    return Verdict(
        "fatal",
        ConnectionFailed(clean(f"Autotask refused {action} (HTTP {status}): {said}")),
    )


def classify_exception(exc: Exception, *, action: str) -> Verdict:
    """Classify a transport failure: timeouts and dropped connections are retried."""
    if isinstance(exc, httpx.TimeoutException):
        what = "timed out"
    elif isinstance(exc, httpx.ConnectError):
        what = "could not connect"
    elif isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        what = "dropped the connection"
    elif isinstance(exc, httpx.TransportError):
        what = f"failed ({type(exc).__name__})"
    else:
        raise exc
    return Verdict("retry", ConnectionFailed(f"Autotask {what} during {action}"))


def _bad_integration_code(lower: str) -> bool:
    return any(
        marker in lower
        for marker in ("integrationcode", "integration code", "tracking identifier", "api vendor")
    )


def _unknown_user(lower: str) -> bool:
    return (
        ("user" in lower and any(w in lower for w in ("unable to find", "not found", "unknown")))
        or "zone information could not be determined" in lower
        or "not an api user" in lower
    )


def _transient(lower: str) -> bool:
    return "unexpected error" in lower or "timeout" in lower or "deadlock" in lower
