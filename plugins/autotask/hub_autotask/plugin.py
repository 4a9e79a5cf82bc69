"""Hook implementations of the Autotask connector.

Each connector hook answers only for ``autotask`` and returns ``None`` for
other connectors, so firstresult hooks fall through to their owner. The
work is done in the modules named after it: :mod:`connection`,
:mod:`pulling`, :mod:`fields`, :mod:`writeback`, :mod:`webhooks`, all over
:mod:`client`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import click

from hub import hookimpl
from hub.connector import (
    CallGate,
    ConnectionReport,
    ConnectorInfo,
    ContractSource,
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
from hub_autotask import connection, deletions, fields, pulling, webhooks, writeback
from hub_autotask.mappings import CONTRACT_SOURCE, MAPPINGS
from hub_autotask.settings import AutotaskSettings
from hub_autotask.streams import STREAMS

NAME = "autotask"

GUIDANCE = (  # one step per line: the settings page shows them as a numbered list
    "In Autotask, open Admin > Account Settings & Users > Resources/Users (HR) > Security > "
    "Security Levels and copy 'API User (system)' (only API users can use the REST API).\n"
    "In the copy, allow View on Companies, Contacts, Configuration Items, Contracts, "
    "Opportunities, Tickets and Projects.\n"
    "Create a new API User (Admin > Resources/Users > New API User) with that security "
    "level, and generate its username and secret.\n"
    "Under API Tracking Identifier choose Integration Vendor (or Custom Integration and copy "
    "its identifier).\n"
    "Enter the username, secret and identifier here, then Test Settings: it lists what the "
    "API user may read and what to change in its security level."
)


@hookimpl
def hub_register_connectors(register: Callable[[ConnectorInfo], None]) -> None:
    """Register the Autotask connector."""
    register(
        ConnectorInfo(
            name=NAME,
            label="Datto Autotask PSA",
            settings_schema=AutotaskSettings,
            kind="psa",
            can_be_primary=True,
            description="Companies, contacts, configuration items, contracts, opportunities, "
            "tickets and projects from Datto Autotask PSA.",
            guidance=GUIDANCE,
            max_concurrency=3,
            hourly_call_limit=10_000,
        )
    )


@hookimpl
def hub_check_connection(
    connector: str, settings: Mapping[str, Any], gate: CallGate
) -> ConnectionReport | None:
    """Look the zone up, log in, and probe each stream's read access."""
    return connection.check_connection(settings, gate) if connector == NAME else None


@hookimpl
def hub_list_streams(connector: str) -> list[StreamSpec] | None:
    """Return the Autotask streams, parents first."""
    return list(STREAMS) if connector == NAME else None


@hookimpl
def hub_plan_pull(
    connector: str,
    settings: Mapping[str, Any],
    stream: str,
    since: str | None,
    ids_only: bool,
    gate: CallGate,
) -> PullPlan | None:
    """Count the stream and split it into up to three id ranges."""
    if connector != NAME:
        return None
    return pulling.plan_pull(settings, stream, since, ids_only, gate)


@hookimpl
def hub_count(
    connector: str, settings: Mapping[str, Any], stream: str, since: str | None, gate: CallGate
) -> int | None:
    """Count the stream's records (changed after ``since``) with one query/count."""
    return pulling.count(settings, stream, since, gate) if connector == NAME else None


@hookimpl
def hub_deleted_ids(
    connector: str, settings: Mapping[str, Any], stream: str, since: str, gate: CallGate
) -> list[str] | None:
    """Read deleted ticket ids from DeletedTicketLogs; other streams have no log."""
    return deletions.deleted_ids(settings, stream, since, gate) if connector == NAME else None


@hookimpl
def hub_pull_page(
    connector: str, settings: Mapping[str, Any], stream: str, cursor: Cursor, gate: CallGate
) -> Page | None:
    """Pull up to 500 records after the cursor's id."""
    return pulling.pull_page(settings, stream, cursor, gate) if connector == NAME else None


@hookimpl
def hub_split_cursor(
    connector: str,
    stream: str,
    cursor: Cursor,
    records: list[Record],
    remaining: int,
    parts: int,
) -> list[Cursor] | None:
    """Share out the rest of a long keyset range by id."""
    if connector != NAME:
        return None
    return pulling.split_cursor(cursor, records, remaining, parts)


@hookimpl
def hub_field_metadata(
    connector: str, settings: Mapping[str, Any], stream: str, gate: CallGate
) -> list[FieldInfo] | None:
    """Return the stream's fields, picklists and user-defined fields."""
    return fields.field_metadata(settings, stream, gate) if connector == NAME else None


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
    """PATCH the changed fields of one record unless it moved since the hub read it."""
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
    fields: Mapping[str, list[str]] | None = None,
) -> list[WebhookRegistration] | None:
    """Create one Autotask webhook per stream, each with a fresh secret."""
    if connector != NAME:
        return None
    return webhooks.register(settings, callback_url, streams, gate, fields)


@hookimpl
def hub_fetch_records(
    connector: str,
    settings: Mapping[str, Any],
    stream: str,
    remote_ids: list[str],
    gate: CallGate,
) -> list[Record] | None:
    """Read records by id (one query of up to 500 ids per call)."""
    if connector != NAME:
        return None
    return pulling.fetch_records(settings, stream, remote_ids, gate)


@hookimpl
def hub_unregister_webhooks(
    connector: str,
    settings: Mapping[str, Any],
    registrations: list[WebhookRegistration],
    gate: CallGate,
) -> bool | None:
    """Delete the Autotask webhooks."""
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
    """Verify X-Hook-Signature and parse the delivery."""
    if connector != NAME:
        return None
    return webhooks.verify(registrations, headers, body)


@hookimpl
def hub_sandbox_commands(register: Callable[[click.Command], None]) -> None:
    """Register ``hub sandbox autotask``."""
    from hub_autotask.sandbox.cli import command

    register(command)


@hookimpl
def hub_default_mappings(connector: str) -> list[ModelMapping] | None:
    """Active Customer companies, their contacts and active CIs; contracts one by one."""
    return list(MAPPINGS) if connector == NAME else None


@hookimpl
def hub_contract_source(connector: str) -> ContractSource | None:
    """Service names from Services, units from ContractServiceUnits, CIs by contractID."""
    return CONTRACT_SOURCE if connector == NAME else None


@hookimpl
def hub_demo_integrations(register: Callable[[DemoIntegration], None]) -> None:
    """Start a small Autotask sandbox in the demo process and offer it as the primary."""
    from hub_autotask.sandbox.demo import demo_sandbox

    sandbox = demo_sandbox()
    register(
        DemoIntegration(
            NAME,
            sandbox.credentials,
            primary=True,
            environment={"HUB_AUTOTASK_ZONE_LOOKUP_URL": sandbox.zone_lookup_url},
        )
    )
