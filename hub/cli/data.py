"""``hub mirror`` and ``hub export``: read the mirror and the hub records."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import inspect, select

from hub.cli.errors import reports_errors
from hub.connectors import get_connector
from hub.errors import ConfigurationError
from hub.extensions import db
from hub.integrations import get_integration
from hub.models import HUB_MODELS, MirrorRecord
from hub.sync.mirror import field_names, whole
from hub.tenancy import get_tenant

BATCH = 2000


@click.command("mirror")
@click.argument("slug")
@click.argument("connector")
@click.argument("stream")
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option("--include-deleted", is_flag=True, help="Also print rows deleted remotely.")
@with_appcontext
@reports_errors
def mirror_command(slug: str, connector: str, stream: str, fmt: str, include_deleted: bool) -> None:
    """Print the mirror of one stream, one JSON object per line."""
    integration = get_integration(get_tenant(slug), connector)
    get_connector(connector).stream(stream)
    query = (
        select(MirrorRecord.remote_id, MirrorRecord.deleted_at, MirrorRecord.data)
        .where(MirrorRecord.integration_id == integration.id, MirrorRecord.stream == stream)
        .order_by(MirrorRecord.id)
        .execution_options(yield_per=BATCH)
    )
    if not include_deleted:
        query = query.where(MirrorRecord.deleted_at.is_(None))
    fields = field_names(integration.id, stream)
    out = sys.stdout
    for remote_id, deleted_at, data in db.session.execute(query):
        line = {"remote_id": remote_id, "deleted": deleted_at is not None,
                "data": whole(data, fields)}  # fmt: skip
        out.write(json.dumps(line, ensure_ascii=False) + "\n")


def _model(name: str) -> Any:
    key = name.lower().replace("-", "_")
    aliases = {plural(k): k for k in HUB_MODELS}
    key = aliases.get(key, key)
    if key not in HUB_MODELS:
        known = ", ".join(sorted(plural(k) for k in HUB_MODELS))
        raise ConfigurationError(f"unknown model {name!r} (known: {known})")
    return HUB_MODELS[key]


def plural(name: str) -> str:
    """Return the plural of a hub model key (``company`` -> ``companies``)."""
    if name.endswith("y"):
        return name[:-1] + "ies"
    if name.endswith("s"):
        return name + "es"
    return name + "s"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@click.command("export")
@click.argument("slug")
@click.argument("model")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True
)
@with_appcontext
@reports_errors
def export_command(slug: str, model: str, fmt: str) -> None:
    """Print tenant SLUG's hub records of MODEL (companies, assets, contracts, ...)."""
    tenant = get_tenant(slug)
    cls = _model(model)
    columns = [c.key for c in inspect(cls).mapper.column_attrs]
    query = (
        select(cls)
        .where(cls.tenant_id == tenant.id)
        .order_by(cls.id)
        .execution_options(yield_per=BATCH)
    )
    writer = csv.writer(sys.stdout) if fmt == "csv" else None
    if writer:
        writer.writerow(columns)
    for row in db.session.scalars(query):
        values = [_plain(getattr(row, c)) for c in columns]
        if writer:
            writer.writerow([json.dumps(v) if isinstance(v, dict | list) else v for v in values])
        else:
            sys.stdout.write(json.dumps(dict(zip(columns, values, strict=True))) + "\n")
