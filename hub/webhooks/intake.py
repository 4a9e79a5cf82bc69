"""Receiving a webhook delivery (verify, de-duplicate, enqueue) and the job that applies it.

The request does only what must happen before answering: load the
integration's secrets, let the connector verify the signature over the raw
body (constant time), and record the delivery. A delivery whose key (the
stream's sequence number) was seen before is a duplicate; one older than an
event already received for the same record is out of order; neither changes
anything. The rest happens in an RQ job: the record is read by id into the
mirror (a ``delete`` marks it deleted) and applied, and the stream's
``last_webhook_at`` moves.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from rq import Retry
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub.apply.engine import apply_integration
from hub.connector import WebhookEvent
from hub.connectors import Connector, get_connector
from hub.errors import AuthenticationFailed, ConnectionFailed, DataError, HubError, scrub
from hub.extensions import db
from hub.integrations import settings_of
from hub.models import Integration, StreamState, WebhookDelivery
from hub.models.base import utcnow
from hub.sync.applying import apply_lock
from hub.sync.mirror import mark_deleted, store_page
from hub.webhooks.subscriptions import mark_deactivated, registrations_of

log = logging.getLogger(__name__)


def dedupe_key(event: WebhookEvent) -> str:
    """Return what makes a delivery unique: its stream's sequence number, else its content."""
    if event.sequence is not None:
        return f"{event.stream}:{event.sequence}"
    when = event.event_time.isoformat() if event.event_time else ""
    return f"{event.stream}:{event.remote_id}:{event.action}:{when}"[:200]


def receive(
    connector_name: str, integration_id: int, headers: Mapping[str, str], body: bytes
) -> tuple[int, dict[str, Any]]:
    """Verify and record one delivery; return the HTTP status and a small JSON answer."""
    integration = db.session.get(Integration, integration_id)
    if integration is None or integration.connector != connector_name:
        return 404, {"message": "no such webhook endpoint"}
    connector = get_connector(connector_name)
    try:
        event = connector.verify_webhook(registrations_of(integration), headers, body)
    except AuthenticationFailed as exc:
        log.warning("webhook delivery for integration %s refused: %s", integration_id, exc.message)
        return 401, {"message": "invalid or missing signature"}
    except DataError as exc:
        log.warning(
            "webhook delivery for integration %s unreadable: %s", integration_id, exc.message
        )
        return 400, {"message": exc.message}
    if event is None:
        return 404, {"message": f"{connector.info.label} does not send webhooks"}
    return record(integration, event)


def record(integration: Integration, event: WebhookEvent) -> tuple[int, dict[str, Any]]:
    """Store a verified event and queue its job, unless it is a duplicate or out of order."""
    status = "queued"
    if event.action == "deactivated":
        status = "deactivated"
        mark_deactivated(integration, event.stream, event.remote_id)
    elif event.event_time is not None:
        newer = db.session.scalar(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.integration_id == integration.id,
                WebhookDelivery.stream == event.stream,
                WebhookDelivery.remote_id == event.remote_id,
                WebhookDelivery.event_time > event.event_time,
            )
            .limit(1)
        )
        status = "out_of_order" if newer is not None else status
    delivery = WebhookDelivery(
        integration_id=integration.id,
        stream=event.stream,
        remote_id=event.remote_id,
        action=event.action,
        sequence=event.sequence,
        event_time=event.event_time,
        dedupe_key=dedupe_key(event),
        status=status,
    )
    db.session.add(delivery)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return 200, {"status": "duplicate"}
    if status == "deactivated":
        log.warning("%s deactivated the %s webhook of integration %s",
                    integration.connector, event.stream, integration.id)  # fmt: skip
    if status == "queued":
        from hub.jobs import get_queue

        get_queue().enqueue_call(
            "hub.tasks.webhook_job",
            args=(delivery.id,),
            job_id=f"hub-webhook-{delivery.id}",
            retry=Retry(max=3, interval=[5, 30, 120]),
            result_ttl=3600,
            failure_ttl=7 * 86400,
            description=f"webhook {event.action} {event.stream} {event.remote_id}",
        )
    return 202 if status == "queued" else 200, {"status": status}


def refresh_records(
    integration: Integration,
    connector: Connector,
    settings: Mapping[str, Any],
    gate: Any,
    stream: str,
    remote_ids: list[str],
) -> int:
    """Read records by id into the mirror; ids that are gone are marked deleted. Commits."""
    spec = connector.stream(stream)
    records = connector.fetch_records(settings, stream, remote_ids, gate)
    stored = store_page(
        integration, stream, records, primary_key=spec.primary_key, change_field=spec.change_field
    )
    found = {str(r.get(spec.primary_key)) for r in records}
    gone = mark_deleted(integration, stream, [i for i in remote_ids if i not in found])
    db.session.commit()
    return stored.created + stored.updated + gone


def process(delivery_id: int) -> str:
    """The job of one delivery: refresh the record, apply it, note the webhook time."""
    from hub.sync.runner import make_gate

    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status != "queued":
        return delivery.status if delivery is not None else "missing"
    integration = db.session.get(Integration, delivery.integration_id)
    assert integration is not None
    connector = get_connector(integration.connector)
    settings = settings_of(integration)
    secrets = [str(settings.get(n) or "") for n in connector.secret_fields]
    started = utcnow()
    try:
        if delivery.action == "delete":
            mark_deleted(integration, delivery.stream, [delivery.remote_id])
            db.session.commit()
        else:
            refresh_records(integration, connector, settings, make_gate(integration),
                            delivery.stream, [delivery.remote_id])  # fmt: skip
    except ConnectionFailed as exc:
        if isinstance(exc, AuthenticationFailed):
            return _close(delivery, "failed", scrub(exc.message, secrets))
        db.session.rollback()
        raise  # transient: RQ retries the job
    except HubError as exc:
        return _close(delivery, "failed", scrub(exc.message, secrets))
    model = connector.stream(delivery.stream).hub_model
    with apply_lock(integration.id, wait=True):  # not beside a sync's own apply
        apply_integration(integration.id, [model] if model else None, changed_since=started)
    state = db.session.scalar(
        select(StreamState).where(
            StreamState.integration_id == integration.id, StreamState.stream == delivery.stream
        )
    )
    if state is None:
        state = StreamState(integration_id=integration.id, stream=delivery.stream)
        db.session.add(state)
    state.last_webhook_at = utcnow()
    return _close(delivery, "applied", "")


def _close(delivery: WebhookDelivery, status: str, message: str) -> str:
    delivery.status, delivery.message, delivery.processed_at = status, message, utcnow()
    db.session.commit()
    return status
