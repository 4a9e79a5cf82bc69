"""Registering and removing an integration's remote webhooks; their secrets, encrypted.

Saving an integration with webhooks on registers one webhook per stream that
feeds companies, contacts or assets (where the connector offers webhooks),
each with a fresh secret, subscribed to the fields the hub maps; saving it
again replaces them. Turning webhooks off, disabling or deleting the
integration removes them. The remote system calls
``<HUB_PUBLIC_URL>/webhooks/<connector>/<integration id>``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import delete, select

from hub.apply.config import load_config
from hub.connector import WebhookRegistration
from hub.connectors import get_connector
from hub.crypto import decrypt_settings, encrypt_settings
from hub.errors import ConfigurationError, HubError, scrub
from hub.extensions import db
from hub.integrations import settings_of
from hub.models import Integration, WebhookDelivery, WebhookSubscription
from hub.models.base import utcnow

#: Hub models whose streams get webhooks: the records that change often and matter soon.
WEBHOOK_MODELS = ("company", "contact", "asset")


def callback_url(integration: Integration) -> str:
    """Return the URL the remote system calls, or say that ``HUB_PUBLIC_URL`` is missing."""
    base = str(current_app.config.get("PUBLIC_URL") or "").strip().rstrip("/")
    if not base:
        raise ConfigurationError(
            "webhooks need the hub's public address: set HUB_PUBLIC_URL (for example "
            "https://hub.example.com) so the remote system can reach /webhooks/..."
        )
    if not base.startswith(("https://", "http://")):
        raise ConfigurationError(f"HUB_PUBLIC_URL must start with https:// (it is {base[:80]!r})")
    return f"{base}/webhooks/{integration.connector}/{integration.id}"


def webhook_plan(integration: Integration) -> tuple[list[str], dict[str, list[str]]]:
    """Return the streams to subscribe to and, per stream, the remote fields the hub maps."""
    connector = get_connector(integration.connector)
    mappings = {m.stream: m for m in load_config(integration).mappings}
    streams, fields = [], {}
    for spec in connector.streams():
        if not spec.webhooks or spec.hub_model not in WEBHOOK_MODELS or spec.name not in mappings:
            continue
        mapping = mappings[spec.name]
        names = [s.field for sources in mapping.fields.values() for s in sources if not s.custom]
        names += [remote for _, remote in mapping.references.values()]
        names += list(mapping.select)
        streams.append(spec.name)
        fields[spec.name] = list(dict.fromkeys(names))
    return streams, fields


def subscriptions_of(integration: Integration) -> list[WebhookSubscription]:
    """Return the integration's stored webhook subscriptions."""
    return list(
        db.session.scalars(
            select(WebhookSubscription)
            .where(WebhookSubscription.integration_id == integration.id)
            .order_by(WebhookSubscription.id)
        )
    )


def registrations_of(integration: Integration) -> list[WebhookRegistration]:
    """Return the integration's webhooks with their decrypted secrets (never show these)."""
    return [
        WebhookRegistration(
            s.stream, s.remote_id, str(decrypt_settings(s.secret_encrypted)["secret"])
        )
        for s in subscriptions_of(integration)
    ]


def _gate(integration: Integration) -> Any:
    from hub.sync.runner import make_gate

    return make_gate(integration)


def _remove_remote(integration: Integration) -> None:
    registrations = registrations_of(integration)
    if registrations:
        connector = get_connector(integration.connector)
        settings = settings_of(integration)
        secrets = [str(settings.get(n) or "") for n in connector.secret_fields]
        try:
            connector.unregister_webhooks(settings, registrations, _gate(integration))
        except HubError as exc:
            raise type(exc)(
                "the webhooks could not be removed from "
                f"{connector.info.label}: {scrub(exc.message, secrets)}"
            ) from None
    db.session.execute(
        delete(WebhookSubscription).where(WebhookSubscription.integration_id == integration.id)
    )
    db.session.execute(
        delete(WebhookDelivery).where(WebhookDelivery.integration_id == integration.id)
    )


def enable_webhooks(integration: Integration) -> list[WebhookSubscription]:
    """Register fresh webhooks (replacing any); commits. Raises with words on failure."""
    url = callback_url(integration)
    connector = get_connector(integration.connector)
    streams, fields = webhook_plan(integration)
    if not streams:
        raise ConfigurationError(f"{connector.info.label} offers no webhooks for the hub's records")
    if not integration.enabled:
        raise ConfigurationError(f"the {integration.connector} integration is not enabled")
    _remove_remote(integration)
    settings = settings_of(integration)
    secrets = [str(settings.get(n) or "") for n in connector.secret_fields]
    try:
        registrations = connector.register_webhooks(
            settings, url, streams, _gate(integration), fields
        )
    except HubError as exc:
        db.session.commit()  # the old webhooks are gone either way
        raise type(exc)(
            f"the webhooks could not be registered: {scrub(exc.message, secrets)}"
        ) from None
    if registrations is None:
        raise ConfigurationError(f"{connector.info.label} does not offer webhooks")
    rows = [
        WebhookSubscription(
            tenant_id=integration.tenant_id,
            integration_id=integration.id,
            stream=r.stream,
            remote_id=r.remote_id,
            secret_encrypted=encrypt_settings({"secret": r.secret}),
        )
        for r in registrations
    ]
    db.session.add_all(rows)
    integration.webhooks_enabled = True
    db.session.commit()
    return rows


def disable_webhooks(integration: Integration) -> None:
    """Remove the remote webhooks and forget their secrets; commits."""
    _remove_remote(integration)
    integration.webhooks_enabled = False
    db.session.commit()


def offers_webhooks(connector_name: str) -> bool:
    """Whether the connector has webhooks for any stream feeding companies, contacts or assets."""
    return any(
        s.webhooks and s.hub_model in WEBHOOK_MODELS
        for s in get_connector(connector_name).streams()
    )


def check_before_save(
    integration: Integration | None, connector_name: str, wanted: bool | None
) -> None:
    """Refuse, before anything is stored, webhooks that cannot work (no ``HUB_PUBLIC_URL``)."""
    keep = wanted if wanted is not None else bool(integration and integration.webhooks_enabled)
    if keep and offers_webhooks(connector_name):
        callback_url(integration or Integration(id=0, connector=connector_name))


def after_save(integration: Integration, wanted: bool | None) -> str:
    """Bring webhooks in line after the integration was saved; return what happened in words.

    ``wanted=None`` keeps the current choice (re-registering with fresh secrets
    when it is on). A disabled integration never keeps webhooks.
    """
    if not offers_webhooks(integration.connector):
        return ""
    keep = integration.webhooks_enabled if wanted is None else wanted
    if not integration.enabled or not keep:
        had = bool(subscriptions_of(integration))
        disable_webhooks(integration)
        return "Webhooks removed." if had else ""
    rows = enable_webhooks(integration)
    return f"Webhooks registered for {', '.join(r.stream for r in rows)}."


def mark_deactivated(integration: Integration, stream: str, remote_id: str) -> None:
    """Remember that the remote system deactivated one of the webhooks (the caller commits)."""
    for row in subscriptions_of(integration):
        if row.stream == stream and row.remote_id == remote_id and row.deactivated_at is None:
            row.deactivated_at = utcnow()


def webhook_status(integration: Integration) -> dict[str, Any]:
    """Return whether webhooks are on and each subscription's state, for the sync page."""
    rows = subscriptions_of(integration)
    deactivated: list[datetime] = [r.deactivated_at for r in rows if r.deactivated_at]
    return {
        "enabled": integration.webhooks_enabled,
        "subscriptions": [
            {
                "stream": r.stream,
                "remote_id": r.remote_id,
                "registered_at": r.created_at,
                "deactivated_at": r.deactivated_at,
            }
            for r in rows
        ],
        "deactivated": bool(deactivated),
    }
