"""Hook implementations of the IT Glue stub connector.

Each connector hook answers only for ``itglue_stub`` and returns ``None`` for
other connectors, so firstresult hooks fall through to their owner.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hub import hookimpl
from hub.connector import (
    CallGate,
    ConnectionReport,
    ConnectorInfo,
    Cursor,
    DemoIntegration,
    FieldInfo,
    ModelMapping,
    Page,
    PullPlan,
    Record,
    StreamSpec,
    WebhookEvent,
    WebhookRegistration,
    WriteResult,
)
from hub_itglue_stub import connection, dataset, fields, pulling, webhooks, writeback
from hub_itglue_stub.access import authenticate
from hub_itglue_stub.mappings import MAPPINGS
from hub_itglue_stub.settings import ItGlueSettings
from hub_itglue_stub.streams import STREAMS, stream_spec

NAME = "itglue_stub"

GUIDANCE = (
    "In IT Glue, open Account > Settings > API Keys, generate a key (it starts with 'ITG.') "
    "and paste it here. Choose the region your IT Glue account lives in."
)


@hookimpl
def hub_register_connectors(register: Callable[[ConnectorInfo], None]) -> None:
    """Register the IT Glue stub connector."""
    register(
        ConnectorInfo(
            name=NAME,
            label="IT Glue (stub)",
            settings_schema=ItGlueSettings,
            kind="documentation",
            can_be_primary=True,
            description="Organizations, configurations and contacts from a bundled "
            "IT Glue-shaped data set.",
            guidance=GUIDANCE,
        )
    )


@hookimpl
def hub_check_connection(
    connector: str, settings: Mapping[str, Any], gate: CallGate
) -> ConnectionReport | None:
    """Test the API key and each stream's read access."""
    return connection.check_connection(settings, gate) if connector == NAME else None


@hookimpl
def hub_list_streams(connector: str) -> list[StreamSpec] | None:
    """List the stub's streams in pull order."""
    return list(STREAMS) if connector == NAME else None


@hookimpl
def hub_count(
    connector: str, settings: Mapping[str, Any], stream: str, since: str | None, gate: CallGate
) -> int | None:
    """Count a stream's records (changed after ``since``) in one call."""
    if connector != NAME:
        return None
    stream_spec(stream)
    return pulling.count(settings, stream, since, gate)


@hookimpl
def hub_plan_pull(
    connector: str,
    settings: Mapping[str, Any],
    stream: str,
    since: str | None,
    ids_only: bool,
    gate: CallGate,
) -> PullPlan | None:
    """Plan a pull: the record count and one or two id-range cursors."""
    if connector != NAME:
        return None
    stream_spec(stream)
    return pulling.plan_pull(settings, stream, since, ids_only, gate)


@hookimpl
def hub_pull_page(
    connector: str, settings: Mapping[str, Any], stream: str, cursor: Cursor, gate: CallGate
) -> Page | None:
    """Pull the page at ``cursor``."""
    if connector != NAME:
        return None
    stream_spec(stream)
    return pulling.pull_page(settings, stream, cursor, gate)


@hookimpl
def hub_field_metadata(
    connector: str, settings: Mapping[str, Any], stream: str, gate: CallGate
) -> list[FieldInfo] | None:
    """Return the stream's standard fields, picklists and custom fields."""
    if connector != NAME:
        return None
    stream_spec(stream)
    return fields.field_metadata(settings, stream, gate)


@hookimpl
def hub_write_back(
    connector: str,
    settings: Mapping[str, Any],
    stream: str,
    remote_id: str,
    changes: Mapping[str, Any],
    expected: Mapping[str, Any],
    gate: CallGate,
) -> WriteResult | None:
    """Write a configuration's warranty expiry back, unless it moved."""
    if connector != NAME:
        return None
    return writeback.write_back(settings, stream, remote_id, changes, expected, gate)


@hookimpl
def hub_register_webhooks(
    connector: str,
    settings: Mapping[str, Any],
    callback_url: str,
    streams: list[str],
    gate: CallGate,
) -> list[WebhookRegistration] | None:
    """Create one webhook per stream with a fresh secret."""
    if connector != NAME:
        return None
    return webhooks.register(settings, callback_url, streams, gate)


@hookimpl
def hub_fetch_records(
    connector: str,
    settings: Mapping[str, Any],
    stream: str,
    remote_ids: list[str],
    gate: CallGate,
) -> list[Record] | None:
    """Return the records with these ids (one call); unknown ids are left out."""
    if connector != NAME:
        return None
    stream_spec(stream)
    with gate.call(stream):
        authenticate(settings)
        found = [dataset.find(stream, str(remote_id)) for remote_id in remote_ids]
    return [record for record in found if record is not None]


@hookimpl
def hub_unregister_webhooks(
    connector: str,
    settings: Mapping[str, Any],
    registrations: list[WebhookRegistration],
    gate: CallGate,
) -> bool | None:
    """Remove the given webhooks."""
    if connector != NAME:
        return None
    return webhooks.unregister(settings, registrations, gate)


@hookimpl
def hub_verify_webhook(
    connector: str,
    registrations: list[WebhookRegistration],
    headers: Mapping[str, str],
    body: bytes,
) -> WebhookEvent | None:
    """Verify a delivery's HMAC signature and parse its event."""
    if connector != NAME:
        return None
    return webhooks.verify(registrations, headers, body)


@hookimpl
def hub_demo_integrations(register: Callable[[DemoIntegration], None]) -> None:
    """Offer the bundled data set to ``hub demo`` as a secondary integration."""
    register(DemoIntegration(NAME, {"api_key": "ITG.demo"}, primary=False))


@hookimpl
def hub_default_mappings(connector: str) -> list[ModelMapping] | None:
    """Organizations, contacts and configurations become companies, contacts and assets."""
    return list(MAPPINGS) if connector == NAME else None
