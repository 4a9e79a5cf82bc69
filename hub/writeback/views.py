"""Write-back as pages, the API and the CLI show it: state, runs, the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hub.errors import ConfigurationError
from hub.extensions import db
from hub.models import Integration, Tenant, WritebackEntry, WritebackRun
from hub.writeback.runs import active_writeback


def set_writeback_enabled(integration: Integration, enabled: bool) -> None:
    """Turn write-back on or off for an integration (off by default)."""
    integration.writeback_enabled = bool(enabled)
    db.session.commit()


def entry_view(entry: WritebackEntry) -> dict[str, Any]:
    """Return one audit entry: who, when, which asset, old and new value, the result."""
    return {
        "id": entry.id,
        "run_id": entry.run_id,
        "at": entry.at,
        "actor": entry.actor,
        "asset_id": entry.asset_id,
        "asset_name": entry.asset_name,
        "stream": entry.stream,
        "remote_id": entry.remote_id,
        "field": entry.field,
        "old_value": entry.old_value,
        "new_value": entry.new_value,
        "source": entry.source,
        "result": entry.result,
        "message": entry.message,
    }


def run_view(run: WritebackRun, *, entries: bool = True) -> dict[str, Any]:
    """Return a run with its counts and (by default) its audit entries."""
    view: dict[str, Any] = {
        "id": run.id,
        "kind": run.kind,
        "rollback_of": run.rollback_of_id,
        "status": run.status,
        "finished": run.finished,
        "requested_by": run.requested_by,
        "asset_ids": run.asset_ids,
        "message": run.message,
        **run.counts(),
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
    }
    if entries:
        view["entries"] = [
            entry_view(e)
            for e in db.session.scalars(
                select(WritebackEntry)
                .where(WritebackEntry.run_id == run.id)
                .order_by(WritebackEntry.id)
            )
        ]
    return view


def runs_of(integration: Integration, limit: int = 20) -> list[WritebackRun]:
    """Return the integration's latest write-back runs, newest first."""
    return list(
        db.session.scalars(
            select(WritebackRun)
            .where(WritebackRun.integration_id == integration.id)
            .order_by(WritebackRun.id.desc())
            .limit(limit)
        )
    )


def tenant_run(tenant: Tenant, run_id: int) -> WritebackRun:
    """Return the tenant's write-back run ``run_id`` or raise (other tenants' ids are unknown)."""
    run = db.session.scalar(
        select(WritebackRun).where(WritebackRun.id == run_id, WritebackRun.tenant_id == tenant.id)
    )
    if run is None:
        raise ConfigurationError(f"there is no write-back run {run_id}")
    return run


def audit_log(integration: Integration, limit: int = 200) -> list[dict[str, Any]]:
    """Return the integration's latest audit entries, newest first."""
    rows = db.session.scalars(
        select(WritebackEntry)
        .join(WritebackRun, WritebackRun.id == WritebackEntry.run_id)
        .where(WritebackRun.integration_id == integration.id)
        .order_by(WritebackEntry.id.desc())
        .limit(limit)
    )
    return [entry_view(e) for e in rows]


def writeback_state(integration: Integration) -> dict[str, Any]:
    """Return whether write-back is on and the active run, if any."""
    active = active_writeback(integration)
    return {
        "enabled": integration.writeback_enabled,
        "active_run": run_view(active, entries=False) if active is not None else None,
    }
