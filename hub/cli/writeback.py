"""``hub warranty``, ``hub writeback``, ``hub webhooks`` and ``hub integration delete``."""

from __future__ import annotations

import getpass
import json
import time
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from hub.cli.errors import OneLineError, reports_errors
from hub.cli.integrations import integration_group
from hub.extensions import db
from hub.integrations import get_integration
from hub.jobs import workers_listening
from hub.models import WritebackRun
from hub.tenancy import get_tenant
from hub.warranty.csv_import import import_csv
from hub.warranty.lookup import lookup_warranties
from hub.warranty.sources import ADMIN, parse_date, set_warranty, tenant_asset
from hub.webhooks.subscriptions import disable_webhooks, enable_webhooks, webhook_status
from hub.writeback.preview import plan
from hub.writeback.runs import execute, request_rollback, request_writeback
from hub.writeback.views import audit_log, run_view, set_writeback_enabled, tenant_run


def _actor() -> str:
    return f"{getpass.getuser()} (CLI)"


def _dump(value: Any) -> str:
    return json.dumps(value, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v))


@click.group("warranty")
def warranty_group() -> None:
    """Warranty expiration dates from outside the PSA: entered, imported, looked up."""


@warranty_group.command("set")
@click.argument("slug")
@click.argument("asset_id", type=int)
@click.argument("date", required=False)
@click.option("--clear", is_flag=True, help="Hand the date back to the PSA.")
@with_appcontext
@reports_errors
def warranty_set(slug: str, asset_id: int, date: str | None, clear: bool) -> None:
    """Enter asset ASSET_ID's warranty DATE (YYYY-MM-DD), or --clear it."""
    asset = tenant_asset(get_tenant(slug).id, asset_id)
    if clear == bool(date):
        raise OneLineError("give a DATE (YYYY-MM-DD) or --clear", 2)
    try:
        value = None if clear else parse_date(date)
    except ValueError as exc:
        raise OneLineError(str(exc), 2) from None
    set_warranty(asset, value, ADMIN)
    db.session.commit()
    click.echo(f"asset {asset.id}: {asset.warranty_expiration_date or 'no date'} "
               f"({asset.warranty_source or 'psa'})")  # fmt: skip


@warranty_group.command("import")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--partial", is_flag=True, help="Import the good rows even if some are bad.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@with_appcontext
@reports_errors
def warranty_import(slug: str, file: Path, partial: bool, as_json: bool) -> None:
    """Import warranty dates for tenant SLUG from a CSV FILE (exit 1 when rows are bad)."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise OneLineError(f"{file} is not UTF-8 text", 1) from None
    result = import_csv(get_tenant(slug).id, text, partial=partial)
    if as_json:
        click.echo(_dump({**result.__dict__, "errors": [
            {"row": r, "message": m} for r, m in result.errors]}))  # fmt: skip
    else:
        for row, message in result.errors:
            click.echo(f"row {row}: {message}", err=True)
        if result.applied:
            click.echo(f"imported {result.imported}, unchanged {result.unchanged}")
        else:
            click.echo(f"nothing was imported: {len(result.errors)} bad rows", err=True)
    if result.errors:
        raise SystemExit(1)


@warranty_group.command("lookup")
@click.argument("slug")
@click.option("--asset", "assets", type=int, multiple=True, help="Only this asset (repeatable).")
@click.option("--overwrite", is_flag=True, help="Replace dates admins entered or imported.")
@with_appcontext
@reports_errors
def warranty_lookup(slug: str, assets: tuple[int, ...], overwrite: bool) -> None:
    """Ask the plugins (hub_warranty_lookup) for warranty dates of tenant SLUG's assets."""
    result = lookup_warranties(get_tenant(slug).id, list(assets) or None, overwrite=overwrite)
    for asset_id, message in result.errors:
        click.echo(f"asset {asset_id}: {message}", err=True)
    click.echo(f"found {result.found}, not found {result.not_found}, kept {result.kept}")


@click.group("writeback")
def writeback_group() -> None:
    """Write non-PSA warranty dates back to the PSA: preview, run, rollback, audit log."""


@writeback_group.command("enable")
@click.argument("slug")
@click.argument("connector")
@with_appcontext
@reports_errors
def writeback_enable(slug: str, connector: str) -> None:
    """Turn write-back on for tenant SLUG's CONNECTOR integration."""
    set_writeback_enabled(get_integration(get_tenant(slug), connector), True)
    click.echo("write-back is on")


@writeback_group.command("disable")
@click.argument("slug")
@click.argument("connector")
@with_appcontext
@reports_errors
def writeback_disable(slug: str, connector: str) -> None:
    """Turn write-back off."""
    set_writeback_enabled(get_integration(get_tenant(slug), connector), False)
    click.echo("write-back is off")


@writeback_group.command("preview")
@click.argument("slug")
@click.argument("connector")
@click.option("--asset", "assets", type=int, multiple=True, help="Only this asset (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the preview as JSON.")
@with_appcontext
@reports_errors
def writeback_preview(slug: str, connector: str, assets: tuple[int, ...], as_json: bool) -> None:
    """List every asset whose PSA warranty date would change; nothing is written."""
    planned = plan(get_integration(get_tenant(slug), connector), list(assets) or None)
    if as_json:
        click.echo(_dump([p.view() for p in planned]))
        return
    for p in planned:
        click.echo(f"asset {p.asset_id} {p.asset_name!r} ({p.stream} {p.remote_id}): "
                   f"{p.psa_value or 'empty'} -> {p.new_value} [{p.source_label}]")  # fmt: skip
    click.echo(f"{len(planned)} assets would change")


def _wait(run_id: int) -> WritebackRun:
    started = time.monotonic()
    while True:
        db.session.expire_all()
        run = db.session.get(WritebackRun, run_id)
        assert run is not None
        if run.finished:
            return run
        if run.status == "queued" and time.monotonic() - started > 2 and not workers_listening():
            click.echo("no worker is running; writing in this process", err=True)
            execute(run_id)
            continue
        time.sleep(0.3)


def _report(run: WritebackRun, wait: bool, as_json: bool) -> None:
    if wait:
        run = _wait(run.id)
    view = run_view(run)
    if as_json:
        click.echo(_dump(view))
    else:
        click.echo(f"{run.kind} run {run.id}: {run.status} (written {run.written}, "
                   f"skipped {run.skipped}, failed {run.failed})")  # fmt: skip
        for e in view["entries"]:
            click.echo(f"  asset {e['asset_id']} {e['remote_id']}: {e['old_value']} -> "
                       f"{e['new_value']} {e['result']} {e['message']}".rstrip())  # fmt: skip
        if run.message:
            click.echo(f"  {run.message}")
    if wait and run.status == "failed":
        raise SystemExit(1)


@writeback_group.command("run")
@click.argument("slug")
@click.argument("connector")
@click.option("--asset", "assets", type=int, multiple=True, help="Only this asset (repeatable).")
@click.option("--wait", is_flag=True, help="Wait for the run to finish.")
@click.option("--json", "as_json", is_flag=True, help="Print the run as JSON.")
@with_appcontext
@reports_errors
def writeback_run(
    slug: str, connector: str, assets: tuple[int, ...], wait: bool, as_json: bool
) -> None:
    """Queue a write of the previewed warranty dates (as an RQ job)."""
    integration = get_integration(get_tenant(slug), connector)
    run = request_writeback(integration, actor=_actor(), asset_ids=list(assets) or None)
    if not as_json:
        click.echo(f"queued write-back run {run.id}", err=True)
    _report(run, wait, as_json)


@writeback_group.command("rollback")
@click.argument("slug")
@click.argument("run_id", type=int)
@click.option("--wait", is_flag=True, help="Wait for the rollback to finish.")
@click.option("--json", "as_json", is_flag=True, help="Print the run as JSON.")
@with_appcontext
@reports_errors
def writeback_rollback(slug: str, run_id: int, wait: bool, as_json: bool) -> None:
    """Write the old values of run RUN_ID back, under the same rules."""
    run = request_rollback(tenant_run(get_tenant(slug), run_id), actor=_actor())
    if not as_json:
        click.echo(f"queued rollback run {run.id} of run {run_id}", err=True)
    _report(run, wait, as_json)


@writeback_group.command("log")
@click.argument("slug")
@click.argument("connector")
@click.option("--limit", type=int, default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the entries as JSON lines.")
@with_appcontext
@reports_errors
def writeback_log(slug: str, connector: str, limit: int, as_json: bool) -> None:
    """Show the audit log: who, when, asset, old value, new value, result."""
    for e in audit_log(get_integration(get_tenant(slug), connector), limit):
        if as_json:
            click.echo(_dump(e))
        else:
            click.echo(f"{e['at']:%Y-%m-%d %H:%M:%S} run {e['run_id']} {e['actor']}: asset "
                       f"{e['asset_id']} {e['old_value']} -> {e['new_value']} {e['result']}"
                       + (f" ({e['message']})" if e["message"] else ""))  # fmt: skip


@click.group("webhooks")
def webhooks_group() -> None:
    """Real-time updates: register or remove an integration's remote webhooks."""


@webhooks_group.command("enable")
@click.argument("slug")
@click.argument("connector")
@with_appcontext
@reports_errors
def webhooks_enable(slug: str, connector: str) -> None:
    """Register webhooks with fresh secrets (needs HUB_PUBLIC_URL)."""
    rows = enable_webhooks(get_integration(get_tenant(slug), connector))
    click.echo(f"webhooks registered for {', '.join(r.stream for r in rows)}")


@webhooks_group.command("disable")
@click.argument("slug")
@click.argument("connector")
@with_appcontext
@reports_errors
def webhooks_disable(slug: str, connector: str) -> None:
    """Remove the webhooks from the remote system."""
    disable_webhooks(get_integration(get_tenant(slug), connector))
    click.echo("webhooks removed")


@webhooks_group.command("status")
@click.argument("slug")
@click.argument("connector")
@with_appcontext
@reports_errors
def webhooks_status(slug: str, connector: str) -> None:
    """Show whether webhooks are on, and each one's state."""
    status = webhook_status(get_integration(get_tenant(slug), connector))
    click.echo(f"webhooks {'on' if status['enabled'] else 'off'}")
    for s in status["subscriptions"]:
        state = (
            f"deactivated {s['deactivated_at']:%Y-%m-%d %H:%M}" if s["deactivated_at"] else "active"
        )
        click.echo(f"  {s['stream']}: webhook {s['remote_id']}, {state}")


@integration_group.command("delete")
@click.argument("slug")
@click.argument("connector")
@click.option("--yes", is_flag=True, help="Do not ask.")
@with_appcontext
@reports_errors
def integration_delete(slug: str, connector: str, yes: bool) -> None:
    """Delete tenant SLUG's CONNECTOR integration, its mirror and webhooks."""
    integration = get_integration(get_tenant(slug), connector)
    if not yes:
        click.confirm(f"delete the {connector} integration of {slug} and its mirror?", abort=True)
    disable_webhooks(integration)
    db.session.delete(integration)
    db.session.commit()
    click.echo(f"deleted the {connector} integration")
