"""The write-back preview: every asset whose PSA warranty date would change, and nothing written.

An asset is a candidate when its warranty date came from outside the PSA
(admin, CSV, lookup), it was made from a live mirror row of the integration,
and its date differs from the PSA's value as the hub last read it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from hub.apply.engine import lookup
from hub.errors import ConfigurationError
from hub.extensions import db
from hub.models import Asset, Integration, MirrorRecord
from hub.warranty.sources import (
    PSA,
    remote_field_name,
    source_label,
    warranty_target,
)


@dataclass(frozen=True)
class PlannedWrite:
    """One asset's PSA value and the value the hub would write instead."""

    asset_id: int
    asset_name: str
    stream: str
    remote_id: str
    field: str
    psa_value: str | None
    psa_raw: Any
    new_value: str
    source: str
    source_label: str

    def view(self) -> dict[str, Any]:
        """Return the plain values pages and the API show (without the raw PSA value)."""
        found = asdict(self)
        found.pop("psa_raw")
        return found


def _as_date(raw: Any) -> str | None:
    if raw in (None, ""):
        return None
    text = str(raw).strip()
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return text[:40]


def plan(integration: Integration, asset_ids: list[int] | None = None) -> list[PlannedWrite]:
    """Return the writes a run would make (optionally only for ``asset_ids``), by asset id."""
    target = warranty_target(integration)
    if target is None:
        raise ConfigurationError(
            f"the {integration.connector} integration maps no field to hub warranty dates"
        )
    stream, source = target
    field = remote_field_name(source)
    query = (
        select(Asset, MirrorRecord)
        .join(MirrorRecord, MirrorRecord.id == Asset.mirror_id)
        .where(
            Asset.tenant_id == integration.tenant_id,
            Asset.integration_id == integration.id,
            Asset.warranty_expiration_date.is_not(None),
            Asset.warranty_source.is_not(None),
            Asset.warranty_source.not_in(("", PSA)),
            MirrorRecord.deleted_at.is_(None),
        )
        .order_by(Asset.id)
    )
    if asset_ids is not None:
        query = query.where(Asset.id.in_(asset_ids))
    planned = []
    for asset, mirror in db.session.execute(query).all():
        raw = lookup(mirror.data or {}, field)
        current = _as_date(raw)
        new = asset.warranty_expiration_date.isoformat() if asset.warranty_expiration_date else ""
        if current == new:
            continue
        planned.append(
            PlannedWrite(
                asset_id=asset.id,
                asset_name=asset.name or "",
                stream=stream,
                remote_id=mirror.remote_id,
                field=field,
                psa_value=current,
                psa_raw=raw,
                new_value=new,
                source=asset.warranty_source or "",
                source_label=source_label(asset.warranty_source),
            )
        )
    return planned
