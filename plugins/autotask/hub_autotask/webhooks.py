"""Webhooks: registration with a fresh secret each, removal, and signature checks.

A registration is a ``<X>Webhooks`` record (``CompanyWebhooks``, ...) calling
the hub's URL for creates, updates and deletes, plus ``Fields`` children
subscribing to the fields the hub maps (Autotask sends nothing until a
webhook has one). Field ids come from the ``fieldID`` picklist of
``<X>WebhookFields/entityInformation/fields``. The same URL receives the
``Deactivated`` notice. Deliveries carry ``X-Hook-Signature:
sha1=<base64(HMAC-SHA1(secretKey, raw body))>``, checked in constant time.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping
from typing import Any, Literal

from hub.connector import CallGate, WebhookEvent, WebhookRegistration
from hub.errors import (
    AuthenticationFailed,
    ConfigurationError,
    ConnectionFailed,
    DataError,
    HubError,
)
from hub.sync.timestamps import parse_timestamp
from hub_autotask.client import AutotaskClient
from hub_autotask.responses import ui_name
from hub_autotask.streams import BY_ENTITY_TYPE, BY_NAME, AutotaskStream

SIGNATURE_HEADER = "X-Hook-Signature"
ACTIONS: dict[str, Literal["create", "update", "delete", "deactivated"]] = {
    "create": "create",
    "update": "update",
    "delete": "delete",
    "deactivated": "deactivated",
}
#: The fields each webhook subscribes to (those the hub maps); unknown ones are skipped.
SUBSCRIBED: dict[str, tuple[str, ...]] = {
    "Companies": (
        "companyName",
        "companyNumber",
        "companyType",
        "isActive",
        "phone",
        "address1",
        "city",
        "ownerResourceID",
        "parentCompanyID",
    ),
    "Contacts": (
        "firstName",
        "lastName",
        "emailAddress",
        "isActive",
        "companyID",
        "phone",
        "title",
    ),
    "ConfigurationItems": (
        "referenceTitle",
        "serialNumber",
        "isActive",
        "companyID",
        "configurationItemType",
        "installDate",
        "warrantyExpirationDate",
        "contractID",
    ),
    "Tickets": ("title", "status", "priority", "companyID", "queueID", "configurationItemID"),
}


def sign(secret: str, body: bytes) -> str:
    """Return the ``X-Hook-Signature`` value Autotask sends for ``body``."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha1).digest()
    return "sha1=" + base64.b64encode(digest).decode("ascii")


def _normal(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _webhook_source(name: str) -> AutotaskStream:
    source = BY_NAME.get(name)
    if source is None or not source.webhook_entity:
        offered = ", ".join(s for s, v in BY_NAME.items() if v.webhook_entity)
        raise ConfigurationError(f"Autotask has no webhooks for {name!r} (it has: {offered})")
    return source


def field_ids(
    client: AutotaskClient,
    gate: CallGate,
    source: AutotaskStream,
    mapped: list[str] | None = None,
) -> list[int]:
    """Return the webhook field ids to subscribe to for ``source``: the defaults and ``mapped``."""
    assert source.webhook_entity
    entity = source.webhook_entity[: -len("s")] + "Fields"  # CompanyWebhooks -> ...WebhookFields
    meta = {f.get("name"): f for f in client.fields(gate, entity)}
    values = (meta.get("fieldID") or {}).get("picklistValues") or []
    by_name = {_normal(str(v.get("label") or "")): int(v["value"]) for v in values}
    names = [*SUBSCRIBED.get(source.entity, ()), *(mapped or [])]
    wanted = list(dict.fromkeys(by_name[_normal(n)] for n in names if _normal(n) in by_name))
    if not wanted and by_name:
        wanted = [next(iter(by_name.values()))]
    if not wanted:
        raise ConnectionFailed(f"Autotask offers no webhook fields for {ui_name(source.entity)}")
    return wanted


def register(
    settings: Mapping[str, Any],
    callback_url: str,
    streams: list[str],
    gate: CallGate,
    fields: Mapping[str, list[str]] | None = None,
) -> list[WebhookRegistration]:
    """Create one webhook per stream with its fields; undo them all if one fails.

    ``fields`` names, per stream, the fields the hub maps: they are
    subscribed besides :data:`SUBSCRIBED` (names Autotask does not offer are skipped).
    """
    sources = [_webhook_source(name) for name in streams]
    if len(callback_url) > 500:
        raise ConfigurationError("the webhook URL is longer than Autotask's 500 characters")
    client = AutotaskClient(settings)
    created: list[WebhookRegistration] = []
    try:
        for source in sources:
            assert source.webhook_entity
            ids = field_ids(client, gate, source, list((fields or {}).get(source.name, [])))
            secret = secrets.token_urlsafe(32)  # 43 characters; Autotask allows 64
            answer = client.call(
                gate,
                "POST",
                source.webhook_entity,
                body={
                    "name": f"MSP hub: {ui_name(source.entity)}"[:50],
                    "webhookUrl": callback_url,
                    "deactivationUrl": callback_url,
                    "secretKey": secret,
                    "isActive": True,
                    "isSubscribedToCreateEvents": True,
                    "isSubscribedToUpdateEvents": True,
                    "isSubscribedToDeleteEvents": True,
                    "sendThresholdExceededNotification": False,
                },
                action=f"the creation of a {ui_name(source.entity)} webhook",
            )
            hook_id = int(answer["itemId"])
            created.append(WebhookRegistration(source.name, str(hook_id), secret))
            for field_id in ids:
                client.call(
                    gate,
                    "POST",
                    f"{source.webhook_entity}/{hook_id}/Fields",
                    body={
                        "webhookID": hook_id,
                        "fieldID": field_id,
                        "isSubscribedField": True,
                        "isDisplayAlwaysField": False,
                    },
                    action=f"the subscription of a {ui_name(source.entity)} webhook field",
                )
    except (HubError, KeyError, TypeError, ValueError):
        with contextlib.suppress(HubError):  # report the original failure, not the clean-up's
            unregister(settings, created, gate)
        raise
    return created


def unregister(
    settings: Mapping[str, Any], registrations: list[WebhookRegistration], gate: CallGate
) -> bool:
    """Delete the webhooks; one that is already gone counts as removed."""
    if not registrations:
        return True
    client = AutotaskClient(settings)
    for registration in registrations:
        hooks = _webhook_source(registration.stream).webhook_entity
        assert hooks
        path = f"{hooks}/{int(registration.remote_id)}"
        try:
            client.call(
                gate, "DELETE", path, action=f"the removal of webhook {registration.remote_id}"
            )
        except ConnectionFailed as exc:
            if type(exc) is not ConnectionFailed:  # auth, permission, throttling: not "gone"
                raise
            if client.get(gate, hooks, int(registration.remote_id)) is not None:
                raise
    return True


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


def verify(
    registrations: list[WebhookRegistration], headers: Mapping[str, str], body: bytes
) -> WebhookEvent:
    """Check the delivery's signature in constant time, then parse it into an event."""
    signature = (_header(headers, SIGNATURE_HEADER) or "").strip()
    if not signature:
        raise AuthenticationFailed(
            f"Autotask webhook delivery without the {SIGNATURE_HEADER} header"
        )
    given = signature.encode("utf-8", "replace")
    signed_by: set[str] = set()
    for registration in registrations:
        # Check every registration so the timing does not reveal which one matched.
        if hmac.compare_digest(sign(registration.secret, body).encode("ascii"), given):
            signed_by.add(registration.stream)
    if not signed_by:
        raise AuthenticationFailed("Autotask webhook delivery with a bad signature")
    event = parse(body)
    if event.stream not in signed_by:
        raise AuthenticationFailed(
            f"Autotask webhook delivery about {event.stream} signed with another webhook's secret"
        )
    return event


def parse(body: bytes) -> WebhookEvent:
    """Parse a (verified) delivery into a :class:`WebhookEvent`."""
    try:
        payload = json.loads(body)
        entity_type = str(payload["EntityType"])
        action = ACTIONS.get(str(payload["Action"]).lower())
        remote_id = str(int(payload["Id"]))
        sequence = payload.get("SequenceNumber")
        sequence = int(sequence) if sequence is not None else None
        fields = payload.get("Fields") or {}
        if not isinstance(fields, dict):
            raise TypeError("Fields is not an object")
    except (ValueError, KeyError, TypeError) as exc:
        raise DataError(f"Autotask webhook delivery is not a valid event: {exc}") from None
    # A Deactivated notice names the webhook itself ("CompanyWebhook"), not a record.
    source = BY_ENTITY_TYPE.get(entity_type) or BY_ENTITY_TYPE.get(
        entity_type.removesuffix("Webhook")
    )
    if source is None:
        raise DataError(f"Autotask webhook delivery about an unknown entity {entity_type!r}")
    if action is None:
        raise DataError(f"Autotask webhook delivery with an unknown action {payload['Action']!r}")
    return WebhookEvent(
        stream=source.name,
        remote_id=remote_id,
        action=action,
        sequence=sequence,
        event_time=parse_timestamp(payload.get("EventTime")),
        fields=dict(fields),
    )
