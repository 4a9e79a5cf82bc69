"""Asset field maps and asset selection.

"Fields to download": every standard and custom field of the stream that
feeds hub assets, from the connector's metadata (cached an hour in Redis, so
the page costs a few calls at most once an hour), with samples from the
mirror. "Fields to map": each hub asset attribute -> remote fields in
fallback order, stored in ``options["apply"]["fields"]["asset"]``; a
protected or masked custom field is flagged. "Asset selection": companies,
types and statuses, stored as the asset ``select``. Saving re-applies.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from sqlalchemy import func, select

from hub.apply.config import default_mappings
from hub.apply.convert import MASKED
from hub.apply.engine import lookup
from hub.connector import FieldSource, ModelMapping
from hub.connectors import get_connector
from hub.errors import HubError, ValidationFailed
from hub.extensions import db
from hub.integrations import settings_of
from hub.mapping_store import (
    apply_pending,
    change_apply_options,
    mapping_for,
    mirror_rows,
    value_key,
)
from hub.models import Asset, AssetStatus, AssetType, Company, Integration, MirrorRecord
from hub.redis_conn import get_redis
from hub.sync.runner import make_gate

UDF_PREFIX = "userDefinedFields."
METADATA_TTL = 3600
SAMPLE_ROWS = 300

#: Hub asset attributes an admin maps: (attribute, label, required).
ATTRIBUTES: list[tuple[str, str, bool]] = [
    ("name", "Name", True),
    ("serial_number", "Serial number", False),
    ("hostname", "Hostname", False),
    ("manufacturer", "Manufacturer name", False),
    ("model", "Model", False),
    ("os_type", "OS type", False),
    ("ram", "RAM", False),
    ("notes", "Notes", False),
    ("purchase_date", "Purchase date", False),
    ("install_date", "Install date", False),
    ("warranty_expiration_date", "Warranty expiration date", False),
    ("is_active", "Active", False),
]
ATTRIBUTE_NAMES = {a for a, _, _ in ATTRIBUTES}


def asset_mapping(integration: Integration) -> ModelMapping:
    """Return the mapping feeding hub assets, or refuse when the connector has none."""
    mapping = mapping_for(integration, "asset")
    if mapping is None:
        raise ValidationFailed({"connector": [f"{integration.connector} provides no assets"]})
    return mapping


def field_name(source: FieldSource) -> str:
    """Return the metadata name of a source (custom fields live under userDefinedFields)."""
    return UDF_PREFIX + source.field if source.custom else source.field


def source_of(name: str) -> list[Any]:
    """Return the stored ``[field, custom]`` pair of a metadata field name."""
    if name.startswith(UDF_PREFIX):
        return [name[len(UDF_PREFIX) :], True]
    return [name, False]


def remote_fields(integration: Integration, stream: str) -> tuple[list[dict[str, Any]], str]:
    """Return the stream's field metadata (cached) and a problem in words ("" if none)."""
    key = f"hub:field-metadata:{integration.id}:{stream}"
    redis = get_redis()
    cached = redis.get(key)
    if cached:
        return json.loads(cached), ""
    connector = get_connector(integration.connector)
    try:
        fields = connector.field_metadata(settings_of(integration), stream, make_gate(integration))
    except HubError as exc:
        return [], f"the field list could not be read: {exc}"
    found = [asdict(f) for f in fields]
    redis.set(key, json.dumps(found, default=str), ex=METADATA_TTL)
    return found, ""


def _samples(integration: Integration, stream: str, names: list[str]) -> dict[str, list[str]]:
    samples: dict[str, list[str]] = {name: [] for name in names}
    for row in mirror_rows(integration, stream, SAMPLE_ROWS):
        for name in names:
            found = samples[name]
            if len(found) >= 3:
                continue
            value = lookup(row.data, name)
            if value not in (None, "", []) and not isinstance(value, dict | list):
                text = str(value)[:60]
                if text not in found:
                    found.append(text)
    return samples


def _warning(field: dict[str, Any] | None, samples: list[str], name: str) -> str:
    if field is not None and field.get("is_protected"):
        return (
            f"{field.get('label') or name} is a protected custom field: the API sends it "
            "masked, so the hub cannot read its value"
        )
    if samples and all(s == MASKED for s in samples):
        return f"{name} arrives masked ({MASKED}): the hub cannot read its value"
    return ""


def asset_fields_view(integration: Integration) -> dict[str, Any]:
    """Return the fields to download, the fields to map (with warnings) and the selection."""
    mapping = asset_mapping(integration)
    fields, problem = remote_fields(integration, mapping.stream)
    by_name = {f["name"]: f for f in fields}
    mapped = {field_name(s) for sources in mapping.fields.values() for s in sources}
    samples = _samples(integration, mapping.stream, sorted(set(by_name) | mapped))
    download = [
        {
            "name": f["name"],
            "label": f["label"],
            "data_type": f["data_type"],
            "is_custom": f["is_custom"],
            "is_required": f["is_required"],
            "is_protected": f["is_protected"],
            "samples": samples.get(f["name"], []),
            "warning": _warning(f, samples.get(f["name"], []), f["name"]),
        }
        for f in fields
    ]
    overrides = ((integration.options or {}).get("apply") or {}).get("fields", {}).get("asset", {})
    to_map = []
    for attribute, label, required in ATTRIBUTES:
        names = [field_name(s) for s in mapping.fields.get(attribute, ())]
        warnings = [w for n in names if (w := _warning(by_name.get(n), samples.get(n, []), n))]
        to_map.append(
            {
                "attribute": attribute,
                "label": label,
                "required": required,
                "sources": names,
                "customised": attribute in overrides,
                "warnings": warnings,
            }
        )
    return {
        "stream": mapping.stream,
        "problem": problem,
        "download": download,
        "map": to_map,
        "selection": selection_view(integration),
    }


def set_asset_fields(integration: Integration, changes: dict[str, list[str] | None]) -> bool:
    """Map attributes to remote fields in fallback order (``None``: back to the default)."""
    mapping = asset_mapping(integration)
    fields, _ = remote_fields(integration, mapping.stream)
    known = {f["name"] for f in fields}
    errors: dict[str, list[str] | str] = {}
    for attribute, names in changes.items():
        if attribute not in ATTRIBUTE_NAMES:
            errors[attribute] = "not a hub asset attribute"
        elif names is not None:
            unknown = [n for n in names if known and n not in known]
            if unknown:
                errors[attribute] = f"no remote field {', '.join(unknown)}"
            elif not names and attribute == "name":
                errors[attribute] = "required: choose at least one field"
    if errors:
        raise ValidationFailed(errors, what="field map")

    def change(apply: dict[str, Any]) -> None:
        assets = apply.setdefault("fields", {}).setdefault("asset", {})
        for attribute, names in changes.items():
            if names is None:
                assets.pop(attribute, None)
            else:
                assets[attribute] = [source_of(n) for n in dict.fromkeys(names) if n]

    return change_apply_options(integration, change)


def _ref_field(mapping: ModelMapping, attribute: str) -> str | None:
    return mapping.references[attribute][1] if attribute in mapping.references else None


def selection_view(integration: Integration) -> dict[str, Any]:
    """Return the asset selection (as chosen) and the choices for each part."""
    mapping = asset_mapping(integration)
    chosen = (integration.options or {}).get("asset_selection") or {}
    type_ids = db.session.execute(
        select(AssetType.remote_id, AssetType.name).where(
            AssetType.integration_id == integration.id
        )
    )
    status_ids = db.session.execute(
        select(AssetStatus.remote_id, AssetStatus.name).where(
            AssetStatus.integration_id == integration.id
        )
    )
    companies = db.session.execute(
        select(Company.remote_id, Company.name)
        .where(Company.integration_id == integration.id, Company.mirror_id.is_not(None))
        .order_by(Company.name)
    )
    return {
        "companies": chosen.get("companies", "mapped"),
        "types": chosen.get("types"),
        "statuses": chosen.get("statuses", "active"),
        "choices": {
            "companies": [{"value": r, "label": n} for r, n in companies],
            "types": [{"value": r, "label": n} for r, n in type_ids if r is not None],
            "statuses": [{"value": r, "label": n} for r, n in status_ids if r is not None],
            "status_values": "status_id" in mapping.references,
        },
    }


def _unknown_companies(integration: Integration, wanted: list[Any]) -> list[str]:
    """Return the ids in ``wanted`` that are no live remote company of this integration."""
    mapping = mapping_for(integration, "company")
    keys = [value_key(c) or "" for c in wanted]
    if mapping is None:
        return keys
    known = set(
        db.session.scalars(
            select(MirrorRecord.remote_id).where(
                MirrorRecord.integration_id == integration.id,
                MirrorRecord.tenant_id == integration.tenant_id,
                MirrorRecord.stream == mapping.stream,
                MirrorRecord.remote_id.in_(keys),
                MirrorRecord.deleted_at.is_(None),
            )
        )
    )
    return [k for k in keys if k not in known]


def set_asset_selection(
    integration: Integration,
    companies: str | list[str],
    types: list[str] | None,
    statuses: str | list[str],
) -> bool:
    """Choose which remote assets are applied; store it as the asset ``select``."""
    mapping = asset_mapping(integration)
    default = next(m for m in default_mappings(integration.connector) if m.model == "asset")
    company_field = _ref_field(mapping, "company_id")
    type_field = _ref_field(mapping, "type_id")
    status_field = _ref_field(mapping, "status_id")
    errors: dict[str, list[str] | str] = {}
    if companies != "mapped" and not isinstance(companies, list):
        errors["companies"] = 'use "mapped" or a list of remote company ids'
    if statuses not in ("active", "all") and not isinstance(statuses, list):
        errors["statuses"] = 'use "active", "all" or a list of remote status values'
    if isinstance(statuses, list) and status_field is None:
        errors["statuses"] = f"{integration.connector} assets have no status values"
    unknown = _unknown_companies(integration, companies) if isinstance(companies, list) else []
    if unknown:  # e.g. another tenant's ids: refused like any id this mirror does not hold
        errors["companies"] = f"no remote company {', '.join(unknown[:5])}"
    if errors:
        raise ValidationFailed(errors, what="asset selection")
    refs = {company_field, type_field, status_field}
    chosen: dict[str, list[Any]] = {}
    if statuses == "active":
        chosen.update({k: list(v) for k, v in default.select.items() if k not in refs})
    elif isinstance(statuses, list) and status_field:
        chosen[status_field] = [value_key(s) for s in statuses]
    if isinstance(companies, list) and company_field:
        chosen[company_field] = [value_key(c) for c in companies]
    if types is not None and type_field:
        chosen[type_field] = [value_key(t) for t in types]

    def change(apply: dict[str, Any]) -> None:
        apply.setdefault("select", {})["asset"] = chosen

    integration.options = {
        **(integration.options or {}),
        "asset_selection": {"companies": companies, "types": types, "statuses": statuses},
    }
    return change_apply_options(integration, change)


def list_assets(integration: Integration, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """Return one page of the integration's hub assets with their mapped attributes."""
    query = select(Asset, Company.name).outerjoin(Company, Company.id == Asset.company_id)
    query = query.where(
        Asset.tenant_id == integration.tenant_id, Asset.integration_id == integration.id
    )
    total = db.session.scalar(
        select(func.count())
        .select_from(Asset)
        .where(Asset.tenant_id == integration.tenant_id, Asset.integration_id == integration.id)
    )
    rows = db.session.execute(query.order_by(Asset.id).limit(limit).offset(offset)).all()
    items = []
    for asset, company in rows:
        item: dict[str, Any] = {"id": asset.id, "remote_id": asset.remote_id, "company": company}
        for attribute, _, _ in ATTRIBUTES:
            value = getattr(asset, attribute)
            item[attribute] = value.isoformat() if hasattr(value, "isoformat") else value
        items.append(item)
    return {"total": int(total or 0), "items": items, "pending": apply_pending(integration)}
