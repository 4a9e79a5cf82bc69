"""``hub sync`` and ``hub status``: queue syncs, watch them, report state."""

from __future__ import annotations

import json
import time
from typing import Any

import click
import redis
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from hub.apply.engine import apply_integration
from hub.cli.errors import reports_errors
from hub.extensions import db
from hub.integrations import get_integration
from hub.jobs import active_run, request_sync, workers_listening
from hub.models import Integration, StreamState, SyncRun
from hub.sync.runner import run_summary, run_sync
from hub.tenancy import get_tenant


@click.command("sync")
@click.argument("slug")
@click.argument("connector")
@click.option("--stream", "streams", multiple=True, help="Only this stream (repeatable).")
@click.option("--full", is_flag=True, help="Ignore watermarks and pull everything.")
@click.option("--wait", is_flag=True, help="Show progress until done; exit 1 if the run failed.")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as one JSON object.")
@with_appcontext
@reports_errors
def sync_command(
    slug: str, connector: str, streams: tuple[str, ...], full: bool, wait: bool, as_json: bool
) -> None:
    """Queue a sync of tenant SLUG's CONNECTOR integration."""
    integration = get_integration(get_tenant(slug), connector)
    run, created = request_sync(integration, streams=list(streams), full=full, trigger="cli")
    if not as_json:
        verb = "queued" if created else "already active:"
        click.echo(f"{verb} sync run {run.id} ({connector} for {slug})", err=True)
    if wait:
        run = _wait(run, quiet=as_json)
    if as_json:
        click.echo(json.dumps(run_summary(run)))
    elif wait:
        _print_summary(run)
    if wait and run.status == "failed":
        raise SystemExit(1)


def _wait(run: SyncRun, *, quiet: bool) -> SyncRun:
    run_id = run.id
    last = ""
    started = time.monotonic()
    inline_checked = False
    while True:
        try:
            run = _poll(run_id)
            if run.finished:
                return run
            if run.job_id and time.monotonic() - started > 5:
                integration = db.session.get(Integration, run.integration_id)
                if integration is not None and active_run(integration) is None:
                    continue  # the job was lost for good: the run is now marked failed
        except (OperationalError, redis.RedisError):
            # A dropped database connection or a restarting Redis: wait, then look again
            # (the next transaction takes a fresh connection).
            db.session.rollback()
            time.sleep(0.5)
            continue
        if not inline_checked and time.monotonic() - started > 2 and run.status == "queued":
            inline_checked = True
            if workers_listening() == 0:
                click.echo("no worker is running; running the sync in this process", err=True)
                run_sync(run_id)
                continue
        line = _progress_line(run)
        if line != last and not quiet:
            click.echo(line, err=True)
            last = line
        time.sleep(0.5)


def _poll(run_id: int) -> SyncRun:
    """Read the run afresh, in a transaction of its own (a dropped connection is replaced)."""
    db.session.rollback()
    run = db.session.get(SyncRun, run_id)
    assert run is not None
    list(run.streams)  # load them now, inside the try
    return run


def _progress_line(run: SyncRun) -> str:
    parts = []
    for row in run.streams:
        total = f"/{row.total}" if row.total is not None else ""
        parts.append(f"{row.stream} {row.pulled}{total} {row.status}")
    return f"run {run.id} {run.status}: " + ("; ".join(parts) or "waiting for a worker")


def _print_summary(run: SyncRun) -> None:
    click.echo(f"run {run.id}: {run.status} ({run.api_calls} API calls)")
    for row in run.streams:
        counts = row.counts()
        click.echo(
            f"  {row.stream}: {row.status}, pulled {counts['pulled']}, "
            f"created {counts['created']}, updated {counts['updated']}, "
            f"deleted {counts['deleted']}, errors {counts['errors']}"
            + (f" ({row.message})" if row.message else "")
        )
    if run.message:
        click.echo(f"  {run.message}")


@click.command("status")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@with_appcontext
@reports_errors
def status_command(slug: str, as_json: bool) -> None:
    """Show tenant SLUG's integrations, their last run and their streams."""
    tenant = get_tenant(slug)
    out: dict[str, Any] = {"tenant": tenant.slug, "integrations": []}
    for integration in db.session.scalars(
        select(Integration).where(Integration.tenant_id == tenant.id).order_by(Integration.id)
    ):
        last_run = db.session.scalar(
            select(SyncRun)
            .where(SyncRun.integration_id == integration.id)
            .order_by(SyncRun.id.desc())
            .limit(1)
        )
        states = db.session.scalars(
            select(StreamState).where(StreamState.integration_id == integration.id)
        )
        out["integrations"].append(
            {
                "connector": integration.connector,
                "primary": integration.is_primary,
                "enabled": integration.enabled,
                "status": integration.status,
                "status_message": integration.status_message,
                "last_synced_at": _iso(integration.last_synced_at),
                "last_run": _with_events(last_run) if last_run else None,
                "streams": {
                    s.stream: {"last_synced_at": _iso(s.last_synced_at), "watermark": s.watermark}
                    for s in states
                },
            }
        )
    if as_json:
        click.echo(json.dumps(out))
        return
    click.echo(f"tenant {tenant.slug}")
    for item in out["integrations"]:
        role = "primary" if item["primary"] else "secondary"
        click.echo(
            f"  {item['connector']} ({role}): {item['status']}, "
            f"last synced {item['last_synced_at'] or 'never'}"
        )
        if item["last_run"]:
            click.echo(f"    last run {item['last_run']['id']}: {item['last_run']['status']}")
            for event in item["last_run"]["events"]:
                if event["level"] != "info":
                    click.echo(f"      {event['level']}: {event['message']}")


def _with_events(run: SyncRun) -> dict[str, Any]:
    """A run's summary with its history (what happened to it, in words)."""
    events = [{"at": _iso(e.at), "level": e.level, "message": e.message} for e in run.events]
    return {**run_summary(run), "events": events}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


@click.command("apply")
@click.argument("slug")
@click.argument("connector")
@click.option("--model", "models", multiple=True, help="Only this hub model (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@with_appcontext
@reports_errors
def apply_command(slug: str, connector: str, models: tuple[str, ...], as_json: bool) -> None:
    """Re-apply the mirror of tenant SLUG's CONNECTOR to hub records (no API calls)."""
    integration = get_integration(get_tenant(slug), connector)
    counts = apply_integration(integration.id, list(models) or None)
    if as_json:
        click.echo(json.dumps(counts))
        return
    for model, row in counts.items():
        click.echo(f"{model}: " + ", ".join(f"{k} {v}" for k, v in row.items()))
