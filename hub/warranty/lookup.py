"""Warranty dates supplied by plugins through :func:`hub.hookspecs.hub_warranty_lookup`.

Each asset with a serial number is offered to the plugins; the first answer
wins and is recorded as ``lookup:<provider>``. Dates an admin entered or
imported are kept unless ``overwrite`` is set. A failing lookup is reported
for that asset and the others go on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from hub.connector import WarrantyFound
from hub.errors import HubError
from hub.extensions import db
from hub.models import Asset
from hub.plugins import pm
from hub.warranty.sources import LOOKUP, is_psa, set_warranty


@dataclass
class LookupResult:
    """What a lookup run did."""

    found: int = 0
    not_found: int = 0
    kept: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def lookup_one(
    serial_number: str, manufacturer: str | None, model: str | None
) -> WarrantyFound | None:
    """Ask the plugins for one asset's warranty (``None``: no plugin knows it)."""
    found: WarrantyFound | None = pm.hook.hub_warranty_lookup(
        serial_number=serial_number, manufacturer=manufacturer, model=model
    )
    return found


def lookup_warranties(
    tenant_id: int, asset_ids: list[int] | None = None, *, overwrite: bool = False
) -> LookupResult:
    """Look warranties up for the tenant's assets (all, or ``asset_ids``); commits."""
    query = select(Asset).where(Asset.tenant_id == tenant_id).order_by(Asset.id)
    if asset_ids is not None:
        query = query.where(Asset.id.in_(asset_ids))
    result = LookupResult()
    for asset in db.session.scalars(query):
        serial = (asset.serial_number or "").strip()
        if not serial:
            result.not_found += 1
            continue
        if (
            not overwrite
            and not is_psa(asset.warranty_source)
            and not (asset.warranty_source or "").startswith(LOOKUP + ":")
        ):
            result.kept += 1
            continue
        try:
            found = lookup_one(serial, asset.manufacturer, asset.model)
        except HubError as exc:
            result.errors.append((asset.id, f"{asset.name or serial}: {exc.message}"))
            continue
        if found is None:
            result.not_found += 1
            continue
        set_warranty(asset, found.expires_on, f"{LOOKUP}:{found.provider}"[:50])
        result.found += 1
    db.session.commit()
    return result
