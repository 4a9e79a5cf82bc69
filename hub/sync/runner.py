"""Running a sync: every requested stream pulled, the outcome recorded in the run."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app

from hub.connectors import get_connector
from hub.errors import AuthenticationFailed, HubError, scrub
from hub.extensions import db
from hub.integrations import settings_of
from hub.models import Integration, RunEvent, SyncRun
from hub.models.base import utcnow
from hub.redis_conn import get_redis
from hub.sync.gate import RedisGate
from hub.sync.pull import PullContext, pull_stream, stream_run

log = logging.getLogger(__name__)


def add_event(run: SyncRun, message: str, level: str = "info", **details: Any) -> None:
    """Append a line to the run's history (committed by the caller)."""
    db.session.add(RunEvent(run_id=run.id, level=level, message=message, details=details or None))


def make_gate(integration: Integration, run: SyncRun | None = None) -> RedisGate:
    """Return the shared call gate of an integration, with its budget share applied."""
    info = get_connector(integration.connector).info
    share = float(current_app.config.get("API_BUDGET_SHARE", 0.5))
    budget = int(info.hourly_call_limit * share) if info.hourly_call_limit else None

    def on_pause(message: str) -> None:
        if run is not None:
            add_event(run, message, "warning")
            db.session.commit()

    return RedisGate(
        get_redis(),
        f"integration:{integration.id}",
        concurrency=info.max_concurrency,
        hourly_budget=budget,
        on_pause=on_pause,
    )


def run_sync(run_id: int) -> str:
    """Run (or resume) the sync run ``run_id``; return its final status."""
    run = db.session.get(SyncRun, run_id)
    if run is None or run.finished:
        return run.status if run else "missing"
    integration = db.session.get(Integration, run.integration_id)
    assert integration is not None
    connector = get_connector(integration.connector)
    settings = settings_of(integration)
    secrets = [str(settings.get(name) or "") for name in connector.secret_fields]
    if run.status == "running":
        add_event(run, "resumed after an interruption", "warning")
    else:
        add_event(run, "started")
    run.status = "running"
    run.started_at = run.started_at or utcnow()
    db.session.commit()

    gate = make_gate(integration, run)
    ctx = PullContext(
        run=run,
        integration=integration,
        connector=connector,
        settings=settings,
        gate=gate,
        full=run.full,
        max_delete_share=float(current_app.config.get("MAX_DELETE_SHARE", 0.2)),
    )
    specs = connector.streams()
    if run.streams_requested:
        specs = [s for s in specs if s.name in run.streams_requested]
    fatal: str | None = None
    for spec in specs:
        row = stream_run(run, spec.name)
        if row.status in ("succeeded", "held"):
            continue
        if fatal:
            row.status, row.message = "skipped", "not pulled: " + fatal
            continue
        try:
            pull_stream(ctx, spec)
        except HubError as exc:
            db.session.rollback()
            row = stream_run(run, spec.name)
            row.status, row.message, row.finished_at = "failed", scrub(str(exc), secrets), utcnow()
            add_event(run, f"{spec.name}: {row.message}", "error")
            if isinstance(exc, AuthenticationFailed):
                fatal = row.message
            db.session.commit()
    _finish(run, integration, fatal)
    return run.status


def _finish(run: SyncRun, integration: Integration, fatal: str | None) -> None:
    statuses = [row.status for row in run.streams]
    if fatal or (statuses and all(s in ("failed", "skipped") for s in statuses)):
        run.status = "failed"
    elif all(s == "succeeded" for s in statuses):
        run.status = "succeeded"
    else:
        run.status = "partial"
    run.api_calls = sum(row.api_calls for row in run.streams)
    run.finished_at = utcnow()
    run.message = fatal or ""
    add_event(run, f"finished: {run.status}")
    integration.last_synced_at = run.finished_at
    integration.status = "failing" if run.status == "failed" else "active"
    integration.status_message = run.message
    db.session.commit()


def run_summary(run: SyncRun) -> dict[str, Any]:
    """Return a run as the CLI's ``--json`` and the API show it."""
    return {
        "id": run.id,
        "status": run.status,
        "trigger": run.trigger,
        "full": run.full,
        "message": run.message,
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "api_calls": run.api_calls,
        "streams": {
            row.stream: {
                **row.counts(),
                "status": row.status,
                "mode": row.mode,
                "total": row.total,
                "message": row.message,
            }
            for row in run.streams
        },
    }
