"""Where an asset's warranty expiration date came from, and setting it by hand.

``Asset.warranty_source`` is ``None`` or ``"psa"`` when the date is the PSA's
(apply keeps it in step), ``"admin"`` when an admin entered it, ``"csv"``
when it came from an import, and ``"lookup:<provider>"`` when a plugin's
:func:`hub.hookspecs.hub_warranty_lookup` found it. Apply never overwrites a
non-PSA date; only such dates are ever written back to the PSA.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from hub.apply.config import load_config
from hub.apply.engine import lookup
from hub.connector import FieldSource
from hub.errors import ConfigurationError, ValidationFailed
from hub.extensions import db
from hub.models import Asset, Integration, MirrorRecord
from hub.routing import ROW_ID_MAX

PSA = "psa"
ADMIN = "admin"
CSV = "csv"
LOOKUP = "lookup"
WARRANTY = "warranty_expiration_date"


def is_psa(source: str | None) -> bool:
    """Whether a warranty source means "the PSA's own value"."""
    return source in (None, "", PSA)


def source_label(source: str | None) -> str:
    """Return a source as an admin reads it."""
    if is_psa(source):
        return "PSA"
    if source == ADMIN:
        return "entered by an admin"
    if source == CSV:
        return "CSV import"
    if source and source.startswith(LOOKUP + ":"):
        return f"looked up ({source.split(':', 1)[1]})"
    return str(source)


def parse_date(text: Any) -> date:
    """Return a ``YYYY-MM-DD`` date or raise :class:`ValueError` saying what is wrong."""
    if isinstance(text, date):
        return text
    value = str(text or "").strip()
    if not value:
        raise ValueError("no date given (use YYYY-MM-DD)")
    try:
        found = date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError(f"{value[:40]!r} is not a date (use YYYY-MM-DD)") from None
    if not 1900 <= found.year <= 2200:
        raise ValueError(f"{found} is not a plausible warranty date")
    return found


def tenant_asset(tenant_id: int, asset_id: int) -> Asset:
    """Return the tenant's asset ``asset_id`` or raise (another tenant's ids are unknown)."""
    asset = db.session.scalar(
        select(Asset).where(Asset.id == asset_id, Asset.tenant_id == tenant_id)
    )
    if asset is None:
        raise ConfigurationError(f"there is no asset {asset_id}")
    return asset


def check_tenant_assets(tenant_id: int, asset_ids: list[int]) -> None:
    """Raise unless every id in ``asset_ids`` is one of the tenant's assets.

    Another tenant's ids are unknown, as are ids that exist nowhere: the same words.
    """
    wanted = {i for i in asset_ids if 0 < i <= ROW_ID_MAX}
    query = select(Asset.id).where(Asset.tenant_id == tenant_id, Asset.id.in_(wanted))
    known = set(db.session.scalars(query)) if wanted else set()
    unknown = sorted(set(asset_ids) - known)
    if unknown:
        shown = ", ".join(str(i) for i in unknown[:20]) + (", ..." if len(unknown) > 20 else "")
        raise ValidationFailed({"asset_ids": [f"there is no asset {shown}"]}, what="request")


def warranty_target(integration: Integration) -> tuple[str, FieldSource] | None:
    """Return the stream and remote field that feed hub warranty dates (the first source)."""
    try:
        mapping = load_config(integration).mapping("asset")
    except ConfigurationError:
        return None
    sources = mapping.fields.get(WARRANTY) or ()
    return (mapping.stream, sources[0]) if sources else None


def warranty_source_field(integration: Integration) -> FieldSource | None:
    """Return the remote field that feeds hub warranty dates for ``integration``."""
    target = warranty_target(integration)
    return target[1] if target else None


def remote_field_name(source: FieldSource) -> str:
    """Return the field name a connector writes (custom fields as ``userDefinedFields.<name>``)."""
    return f"userDefinedFields.{source.field}" if source.custom else source.field


def psa_value(integration: Integration, mirror_id: int | None) -> tuple[Any, date | None]:
    """Return the PSA's warranty value as the hub last read it: raw, and as a date."""
    source = warranty_source_field(integration)
    if source is None or mirror_id is None:
        return None, None
    data = db.session.scalar(select(MirrorRecord.data).where(MirrorRecord.id == mirror_id))
    raw = lookup(data or {}, remote_field_name(source))
    if raw in (None, ""):
        return None, None
    try:
        return raw, parse_date(raw)
    except ValueError:
        return raw, None


def set_warranty(asset: Asset, expires_on: date | None, source: str) -> None:
    """Give ``asset`` a non-PSA warranty date; ``None`` hands the date back to the PSA.

    The caller commits.
    """
    if expires_on is None:
        integration = (
            db.session.get(Integration, asset.integration_id) if asset.integration_id else None
        )
        asset.warranty_expiration_date = (
            psa_value(integration, asset.mirror_id)[1] if integration is not None else None
        )
        asset.warranty_source = None
        return
    if not 1900 <= expires_on.year <= 2200:
        raise ValidationFailed(
            {WARRANTY: [f"{expires_on} is not a plausible warranty date"]}, what="warranty"
        )
    asset.warranty_expiration_date = expires_on
    asset.warranty_source = source


def warranty_view(asset: Asset) -> dict[str, Any]:
    """Return an asset's warranty as pages and the API show it."""
    integration = (
        db.session.get(Integration, asset.integration_id) if asset.integration_id else None
    )
    _, psa = psa_value(integration, asset.mirror_id) if integration is not None else (None, None)
    return {
        "asset_id": asset.id,
        "name": asset.name or "",
        "serial_number": asset.serial_number,
        "warranty_expiration_date": asset.warranty_expiration_date,
        "source": asset.warranty_source or PSA,
        "source_label": source_label(asset.warranty_source),
        "psa_value": psa,
    }
