"""What the admin pages and the JSON API do with an integration, in one place.

Reading settings (secrets shown only as set or not set), testing and saving
them (the first save with the integration switched on starts the initial
sync), and the views of sync state: runs with per-stream counts and record
errors in words, stream states and the API budget used this hour.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from hub.connector import CallGate, ConnectionReport, EntityAccess, FreeGate
from hub.connectors import Connector, get_connector
from hub.errors import ConfigurationError, ConnectionFailed, HubError, scrub
from hub.extensions import db
from hub.integrations import (
    configure_integration,
    current_primary,
    find_integration,
    merged_settings,
    set_primary,
    settings_of,
)
from hub.jobs import active_run, request_sync
from hub.models import Integration, RecordError, StreamState, SyncRun, Tenant
from hub.sync.runner import make_gate, run_summary
from hub.webhooks.subscriptions import webhook_status

RECORD_ERRORS_SHOWN = 50


def integration_state(integration: Integration | None) -> dict[str, Any] | None:
    """Return an integration's state as pages and the API show it (``None``: not set up)."""
    if integration is None:
        return None
    return {
        "id": integration.id,
        "enabled": integration.enabled,
        "is_primary": integration.is_primary,
        "status": integration.status if integration.enabled else "disabled",
        "status_message": integration.status_message or "",
        "last_synced_at": integration.last_synced_at,
    }


def settings_fields(connector: Connector) -> list[dict[str, Any]]:
    """Describe the connector's settings form from its schema: name, label, help, kinds."""
    schema = connector.info.settings_schema()
    described = []
    for name, field in schema.fields.items():
        described.append(
            {
                "name": name,
                "label": field.metadata.get("label") or name.replace("_", " ").capitalize(),
                "help": field.metadata.get("help", ""),
                "secret": bool(field.metadata.get("secret")),
                "required": bool(field.required),
            }
        )
    return described


def settings_view(connector: Connector, integration: Integration | None) -> dict[str, Any]:
    """Return stored settings with every secret replaced by ``{"set": bool}``."""
    stored = settings_of(integration) if integration is not None else {}
    view: dict[str, Any] = {}
    for field in settings_fields(connector):
        value = stored.get(field["name"])
        view[field["name"]] = {"set": bool(value)} if field["secret"] else value
    return view


def secrets_of(connector: Connector, settings: Mapping[str, Any]) -> list[str]:
    """Return the secret values in ``settings`` (to scrub them from any message)."""
    return [str(settings.get(name) or "") for name in connector.secret_fields]


def test_settings(
    tenant: Tenant, connector_name: str, changes: Mapping[str, Any]
) -> ConnectionReport:
    """Test the stored settings updated by ``changes`` without storing anything.

    Raises :class:`ValidationFailed` when the settings are malformed.
    """
    connector = get_connector(connector_name)
    integration = find_integration(tenant, connector_name)
    settings = merged_settings(connector, integration, changes)
    gate: CallGate = make_gate(integration) if integration is not None else FreeGate()
    secrets = secrets_of(connector, settings)
    try:
        report = connector.check_connection(settings, gate)
    except HubError as exc:
        return ConnectionReport(ok=False, message=scrub(str(exc), secrets))
    return ConnectionReport(
        ok=report.ok,
        message=scrub(report.message, secrets),
        entities=[
            EntityAccess(e.stream, e.readable, scrub(e.message, secrets)) for e in report.entities
        ],
    )


def report_view(connector: Connector, report: ConnectionReport) -> dict[str, Any]:
    """Return a connection report with each stream's label, ready for a page or JSON."""
    labels = {s.name: s.label or s.name for s in connector.streams()}
    return {
        "ok": report.ok,
        "message": report.message,
        "entities": [
            {
                "stream": e.stream,
                "label": labels.get(e.stream, e.stream),
                "readable": e.readable,
                "message": e.message,
            }
            for e in report.entities
        ],
    }


class PrimaryTaken(ConfigurationError):
    """Another integration of the tenant is primary and the admin did not ask to replace it."""

    def __init__(self, current: str, wanted: str) -> None:
        super().__init__(
            f"{current} is already this tenant's primary integration and only one can be; "
            f"nothing was stored. To make {wanted} primary instead, confirm replacing "
            f'{current} (API: "replace_primary": true).'
        )
        self.current = current
        self.wanted = wanted


def primary_view(tenant: Tenant, connector: Connector) -> dict[str, Any]:
    """Return what the primary switch shows: may it be primary, is it, which one is now."""
    current = current_primary(tenant)
    mine = current is not None and current.connector == connector.name
    other = None if current is None or mine else get_connector(current.connector).info.label
    return {
        "can_be": connector.info.can_be_primary,
        "is": mine,
        "other": other,
        "default": mine or (current is None and connector.info.can_be_primary),
    }


def save_settings(
    tenant: Tenant,
    connector_name: str,
    changes: Mapping[str, Any],
    *,
    enabled: bool,
    primary: bool | None = None,
    replace_primary: bool = False,
) -> tuple[Integration, SyncRun | None]:
    """Store settings; the first save with ``enabled`` starts the initial sync.

    ``primary=None`` keeps the current role (a new integration becomes primary
    when the tenant has none and the connector may be); ``False`` makes it
    secondary. Nothing is stored when the settings are invalid
    (:class:`ValidationFailed`), the connector cannot be primary, or another
    integration is primary and ``replace_primary`` is off (:class:`PrimaryTaken`);
    with it, that one becomes secondary (:func:`hub.integrations.set_primary`).
    With ``enabled`` the settings are tested first: credentials the remote
    system rejects are not stored (:class:`ConnectionFailed`).
    """
    connector = get_connector(connector_name)
    existing = find_integration(tenant, connector_name)
    first_enable = enabled and (existing is None or existing.last_synced_at is None)
    if primary is None:
        primary = (
            existing.is_primary if existing is not None else _may_be_primary(tenant, connector)
        )
    current = current_primary(tenant)
    replacing = primary and current is not None and current.connector != connector_name
    if primary and not connector.info.can_be_primary:
        raise ConfigurationError(f"{connector.info.label} cannot be a primary integration")
    if replacing and not replace_primary:
        assert current is not None
        raise PrimaryTaken(get_connector(current.connector).info.label, connector.info.label)
    if enabled:
        report = test_settings(tenant, connector_name, changes)
        if not report.ok:
            raise ConnectionFailed(
                f"Nothing was stored: {report.message.rstrip('.')}. Correct the settings and "
                "save again "
                "(or switch the integration off to store them untested)."
            )
    # Validate and store the settings first: a bad form changes no role either.
    integration = configure_integration(
        tenant, connector_name, changes, primary=primary and not replacing, enabled=enabled
    )
    if replacing:
        integration = set_primary(tenant, connector_name)
    elif not primary and integration.is_primary:
        integration.is_primary = False
        db.session.commit()
    run = None
    if first_enable and active_run(integration) is None and not _has_runs(integration):
        run, _ = request_sync(integration, trigger="initial")
    return integration, run


def _may_be_primary(tenant: Tenant, connector: Connector) -> bool:
    if not connector.info.can_be_primary:
        return False
    return (
        db.session.scalar(
            select(Integration.id).where(Integration.tenant_id == tenant.id, Integration.is_primary)
        )
        is None
    )


def _has_runs(integration: Integration) -> bool:
    return (
        db.session.scalar(select(SyncRun.id).where(SyncRun.integration_id == integration.id))
        is not None
    )


def run_view(run: SyncRun, *, errors: int = RECORD_ERRORS_SHOWN) -> dict[str, Any]:
    """Return a run with per-stream counts, progress, events and its first record errors."""
    summary = run_summary(run)
    labels = {}
    integration = db.session.get(Integration, run.integration_id)
    if integration is not None:
        labels = {s.name: s.label or s.name for s in get_connector(integration.connector).streams()}
    streams = []
    for name, counts in summary["streams"].items():
        total = counts.get("total")
        done = counts["status"] in ("succeeded", "failed", "skipped")
        percent = 100 if done else (min(100, int(100 * counts["pulled"] / total)) if total else 0)
        streams.append({"stream": name, "label": labels.get(name, name), "percent": percent,
                        **counts})  # fmt: skip
    error_rows = db.session.scalars(
        select(RecordError)
        .where(RecordError.run_id == run.id)
        .order_by(RecordError.id)
        .limit(errors)
    ).all()
    return {
        **summary,
        "finished": run.finished,
        "created_at": run.created_at.isoformat() if run.created_at else None,
        "streams": streams,
        "record_errors": [
            {
                "stream": e.stream,
                "label": labels.get(e.stream, e.stream),
                "remote_id": e.remote_id,
                "message": e.message,
            }
            for e in error_rows
        ],
        "record_error_count": _error_count(run),
        "events": [
            {"at": ev.at.isoformat(), "level": ev.level, "message": ev.message} for ev in run.events
        ],
    }


def _error_count(run: SyncRun) -> int:
    return int(
        db.session.scalar(
            select(func.count()).select_from(RecordError).where(RecordError.run_id == run.id)
        )
        or 0
    )


def runs_of(integration: Integration, limit: int = 20) -> list[SyncRun]:
    """Return the integration's latest runs, newest first."""
    return list(
        db.session.scalars(
            select(SyncRun)
            .where(SyncRun.integration_id == integration.id)
            .order_by(SyncRun.id.desc())
            .limit(limit)
        )
    )


def sync_status(integration: Integration) -> dict[str, Any]:
    """Return what the Sync page shows: streams with last synced, the active run, the budget."""
    connector = get_connector(integration.connector)
    states = {
        s.stream: s
        for s in db.session.scalars(
            select(StreamState).where(StreamState.integration_id == integration.id)
        )
    }
    gate = make_gate(integration)
    run = active_run(integration)
    latest = runs_of(integration, 1)
    state = integration_state(integration) or {}
    # The latest of the integration's and its streams' stamps: a one-stream sync or a
    # run just finished stamps its streams first.
    stamps = [s.last_synced_at for s in states.values() if s.last_synced_at is not None]
    if state.get("last_synced_at") is not None:
        stamps.append(state["last_synced_at"])
    state["last_synced_at"] = max(stamps) if stamps else None
    return {
        "integration": state,
        "streams": [
            {
                "stream": spec.name,
                "label": spec.label or spec.name,
                "last_synced_at": states[spec.name].last_synced_at if spec.name in states else None,
                "last_webhook_at": states[spec.name].last_webhook_at
                if spec.name in states
                else None,
            }
            for spec in connector.streams()
        ],
        "budget": {
            "used_this_hour": gate.used_this_hour(),
            "cap": gate.cap(),
            "hourly_limit": connector.info.hourly_call_limit,
        },
        "active_run": run_view(run) if run is not None else None,
        "latest_run": run_view(latest[0]) if latest else None,
        "webhooks": webhook_status(integration),
    }
