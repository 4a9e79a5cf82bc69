"""Webhooks: registration with fresh secrets, and HMAC-SHA256 verification of deliveries.

A delivery is signed with the registration's secret: header
``X-Itglue-Signature`` holds the hex HMAC-SHA256 of the raw body. The body is
``{"type": "configurations", "id": "...", "action": "update", "sequence": n,
"occurred-at": "<ISO-8601>", "attributes": {...}}`` (``attributes`` optional).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal, cast

from hub.connector import CallGate, WebhookEvent, WebhookRegistration
from hub.errors import AuthenticationFailed, ConfigurationError, DataError
from hub_itglue_stub.access import authenticate
from hub_itglue_stub.streams import BY_NAME, STREAM_OF_TYPE

SIGNATURE_HEADER = "X-Itglue-Signature"
ACTIONS = ("create", "update", "delete", "deactivated")


def sign(secret: str, body: bytes) -> str:
    """Return the hex HMAC-SHA256 signature of ``body`` under ``secret``."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def register(
    settings: Mapping[str, Any], callback_url: str, streams: list[str], gate: CallGate
) -> list[WebhookRegistration]:
    """Create one webhook per stream, each with a fresh random secret."""
    unknown = [s for s in streams if s not in BY_NAME or not BY_NAME[s].webhooks]
    if unknown:
        raise ConfigurationError(f"IT Glue (stub) has no webhooks for: {', '.join(unknown)}")
    registrations = []
    for stream in streams:
        with gate.call("webhooks"):
            authenticate(settings)
            remote_id = f"wh-{stream}-{secrets.token_hex(6)}"
        registrations.append(WebhookRegistration(stream, remote_id, secrets.token_urlsafe(32)))
    return registrations


def unregister(
    settings: Mapping[str, Any], registrations: list[WebhookRegistration], gate: CallGate
) -> bool:
    """Delete the given webhooks (the stub forgets nothing it must keep)."""
    for _ in registrations:
        with gate.call("webhooks"):
            authenticate(settings)
    return True


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


def verify(
    registrations: list[WebhookRegistration], headers: Mapping[str, str], body: bytes
) -> WebhookEvent:
    """Check the delivery's signature in constant time, then parse it into an event."""
    signature = _header(headers, SIGNATURE_HEADER)
    if not signature:
        raise AuthenticationFailed(f"webhook delivery without the {SIGNATURE_HEADER} header")
    matched = None
    for registration in registrations:
        # Compare against every registration so timing does not reveal which one matched.
        if hmac.compare_digest(sign(registration.secret, body), signature.strip().lower()):
            matched = registration
    if matched is None:
        raise AuthenticationFailed("webhook delivery with a bad signature")
    return _event(matched, body)


def _event(registration: WebhookRegistration, body: bytes) -> WebhookEvent:
    try:
        payload = json.loads(body)
        stream = STREAM_OF_TYPE.get(str(payload["type"]), str(payload["type"]))
        action = str(payload["action"])
        sequence = payload.get("sequence")
        occurred = payload.get("occurred-at")
        event_time = datetime.fromisoformat(occurred) if occurred else None
        remote_id = str(payload["id"])
    except (ValueError, KeyError, TypeError) as exc:
        raise DataError(f"webhook delivery is not a valid IT Glue event: {exc}") from None
    if stream != registration.stream:
        raise AuthenticationFailed(
            f"webhook delivery about {stream} signed with the {registration.stream} secret"
        )
    if action not in ACTIONS:
        raise DataError(f"webhook delivery has an unknown action {action!r}")
    return WebhookEvent(
        stream=stream,
        remote_id=remote_id,
        action=cast(Literal["create", "update", "delete", "deactivated"], action),
        sequence=int(sequence) if sequence is not None else None,
        event_time=event_time,
        fields=dict(payload.get("attributes") or {}),
    )
