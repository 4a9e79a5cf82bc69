"""``hub integration ...``: configure, test and choose the primary integration."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from hub.cli.errors import OneLineError, reports_errors
from hub.connector import ConnectionReport
from hub.connectors import get_connector
from hub.errors import ConfigurationError, HubError, scrub
from hub.extensions import db
from hub.integrations import configure_integration, get_integration, set_primary, settings_of
from hub.models import Integration
from hub.sync.runner import make_gate
from hub.tenancy import get_tenant


@click.group("integration")
def integration_group() -> None:
    """Configure and test a tenant's integrations."""


def _parse_settings(settings_file: str | None, pairs: tuple[str, ...]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    if settings_file:
        try:
            loaded = json.loads(Path(settings_file).read_text())
        except OSError as exc:
            raise ConfigurationError(
                f"cannot read settings file {settings_file}: {exc.strerror}"
            ) from None
        except json.JSONDecodeError as exc:
            raise ConfigurationError(
                f"settings file {settings_file} is not valid JSON: {exc.msg} "
                f"(line {exc.lineno}, column {exc.colno})"
            ) from None
        if not isinstance(loaded, dict):
            raise ConfigurationError(f"settings file {settings_file} must hold a JSON object")
        settings.update(loaded)
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigurationError(f"--set expects KEY=VALUE, got {pair!r}")
        settings[key.strip()] = value
    return settings


@integration_group.command("configure")
@click.argument("slug")
@click.argument("connector")
@click.option("--settings-file", type=click.Path(dir_okay=False), help="JSON object of settings.")
@click.option(
    "--set", "pairs", multiple=True, metavar="KEY=VALUE", help="One setting (repeatable)."
)
@click.option("--primary", is_flag=True, help="Make this the tenant's primary integration.")
@click.option("--disable", is_flag=True, help="Store the settings but keep the integration off.")
@with_appcontext
@reports_errors
def configure_command(
    slug: str,
    connector: str,
    settings_file: str | None,
    pairs: tuple[str, ...],
    primary: bool,
    disable: bool,
) -> None:
    """Create or update the CONNECTOR integration of tenant SLUG."""
    tenant = get_tenant(slug)
    get_connector(connector)
    changes = _parse_settings(settings_file, pairs)
    integration = configure_integration(
        tenant, connector, changes, primary=primary, enabled=not disable
    )
    role = "primary" if integration.is_primary else "secondary"
    state = "enabled" if integration.enabled else "disabled"
    click.echo(f"configured {connector} for {slug} ({role}, {state})")


@integration_group.command("set-primary")
@click.argument("slug")
@click.argument("connector")
@with_appcontext
@reports_errors
def set_primary_command(slug: str, connector: str) -> None:
    """Make CONNECTOR the primary integration of tenant SLUG (demoting the current one)."""
    set_primary(get_tenant(slug), connector)
    click.echo(f"{connector} is now the primary integration of {slug}")


@integration_group.command("list")
@click.argument("slug")
@with_appcontext
@reports_errors
def list_command(slug: str) -> None:
    """List the integrations of tenant SLUG."""
    tenant = get_tenant(slug)
    rows = db.session.scalars(
        select(Integration).where(Integration.tenant_id == tenant.id).order_by(Integration.id)
    )
    for row in rows:
        primary = "primary" if row.is_primary else "-"
        synced = row.last_synced_at.isoformat() if row.last_synced_at else "never"
        click.echo(f"{row.connector}\t{primary}\t{row.status}\tlast synced {synced}")


def report_json(report: ConnectionReport) -> dict[str, Any]:
    """Return a connection report as a JSON-ready dict."""
    return {
        "ok": report.ok,
        "message": report.message,
        "entities": [
            {"stream": e.stream, "readable": e.readable, "message": e.message}
            for e in report.entities
        ],
    }


@integration_group.command("test")
@click.argument("slug")
@click.argument("connector")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
@reports_errors
def test_command(slug: str, connector: str, as_json: bool) -> None:
    """Test the stored settings: login, then read access per stream."""
    integration = get_integration(get_tenant(slug), connector)
    plugin = get_connector(connector)
    settings = settings_of(integration)
    secrets = [str(settings.get(k) or "") for k in plugin.secret_fields]
    try:
        report = plugin.check_connection(settings, make_gate(integration))
    except HubError as exc:
        raise OneLineError(scrub(str(exc), secrets), 1) from None
    if as_json:
        click.echo(json.dumps(report_json(report)))
    else:
        click.echo(("ok: " if report.ok else "failed: ") + scrub(report.message, secrets))
        if report.entities:
            width = max(len(e.stream) for e in report.entities)
            click.echo(f"{'stream'.ljust(width)}  readable  note")
            for e in report.entities:
                mark = "yes" if e.readable else "NO"
                click.echo(f"{e.stream.ljust(width)}  {mark.ljust(8)}  {scrub(e.message, secrets)}")
    if not report.ok:
        raise SystemExit(1)
