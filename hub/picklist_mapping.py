"""Type and status maps: remote picklist values -> hub company/asset types and statuses.

A remote value is mapped either explicitly (``options["apply"]["values"]``:
remote value -> an existing hub value, which apply uses for every reference)
or automatically, to the hub value apply created from it. "Create unmapped"
creates a hub value, linked to its remote one, for every value that has
neither. Every change re-applies from the mirror.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from hub.errors import ValidationFailed
from hub.extensions import db
from hub.mapping_store import change_apply_options, mapping_for, mirror_rows, read_sources
from hub.models import AssetStatus, AssetType, CompanyStatus, CompanyType, Integration
from hub.models.records import Picklist

KINDS: dict[str, tuple[str, type[Picklist]]] = {
    "company_type": ("Company types", CompanyType),
    "company_status": ("Company statuses", CompanyStatus),
    "asset_type": ("Asset types", AssetType),
    "asset_status": ("Asset statuses", AssetStatus),
}


def _kind(kind: str) -> tuple[str, type[Picklist]]:
    if kind not in KINDS:
        raise ValidationFailed({"kind": [f"use one of {', '.join(KINDS)}"]}, what="request")
    return KINDS[kind]


def _hub_values(integration: Integration, model: type[Picklist]) -> list[Any]:
    query: Any = select(model).where(model.tenant_id == integration.tenant_id)
    return list(db.session.scalars(query.order_by(model.name)))


def picklist_view(integration: Integration, kind: str) -> dict[str, Any]:
    """Return one kind's remote values with their mapping, and the hub values to choose from."""
    label, model = _kind(kind)
    mapping = mapping_for(integration, kind)
    hub = _hub_values(integration, model)
    if mapping is None:
        return {"kind": kind, "label": label, "provided": False, "remote": [],
                "hub": [{"id": h.id, "name": h.name} for h in hub]}  # fmt: skip
    explicit = ((integration.options or {}).get("apply") or {}).get("values") or {}
    chosen = {str(k): int(v) for k, v in (explicit.get(mapping.stream) or {}).items()}
    by_id = {h.id: h for h in hub}
    linked = {h.mirror_id: h for h in hub if h.mirror_id is not None}
    remote = []
    for row in mirror_rows(integration, mapping.stream):
        name = read_sources(row.data, mapping.fields.get("name", ())) or row.remote_id
        target = by_id.get(chosen[row.remote_id]) if row.remote_id in chosen else None
        auto = linked.get(row.id)
        shown = target or auto
        remote.append(
            {
                "value": row.remote_id,
                "label": str(name),
                "mapped_to": {"id": shown.id, "name": shown.name} if shown else None,
                "how": "chosen" if target else ("created from it" if auto else None),
            }
        )
    return {
        "kind": kind,
        "label": label,
        "provided": True,
        "stream": mapping.stream,
        "remote": remote,
        "hub": [{"id": h.id, "name": h.name} for h in hub],
    }


def set_picklist_map(
    integration: Integration, kind: str, changes: Mapping[str, int | None]
) -> dict[str, Any]:
    """Map remote values to hub values (``None``: back to the value created from it)."""
    _, model = _kind(kind)
    mapping = mapping_for(integration, kind)
    if mapping is None:
        raise ValidationFailed({"kind": [f"{integration.connector} provides no {kind}"]})
    remote = {row.remote_id for row in mirror_rows(integration, mapping.stream)}
    hub = {h.id for h in _hub_values(integration, model)}
    errors: dict[str, list[str] | str] = {}
    for value, hub_id in changes.items():
        if str(value) not in remote:
            errors[str(value)] = "no such remote value"
        elif hub_id is not None and hub_id not in hub:
            errors[str(value)] = f"no hub value {hub_id}"
    if errors:
        raise ValidationFailed(errors, what="mapping")

    def change(apply: dict[str, Any]) -> None:
        values = apply.setdefault("values", {}).setdefault(mapping.stream, {})
        for value, hub_id in changes.items():
            if hub_id is None:
                values.pop(str(value), None)
            else:
                values[str(value)] = int(hub_id)

    change_apply_options(integration, change)
    return picklist_view(integration, kind)


def create_unmapped_values(integration: Integration, kind: str) -> int:
    """Create a hub value for every remote value with no mapping; return how many."""
    _, picklist_model = _kind(kind)
    model: Any = picklist_model
    view = picklist_view(integration, kind)
    if not view["provided"]:
        return 0
    mapping = mapping_for(integration, kind)
    assert mapping is not None
    rows = {row.remote_id: row for row in mirror_rows(integration, mapping.stream)}
    created = 0
    for item in view["remote"]:
        if item["mapped_to"] is not None:
            continue
        row = rows[item["value"]]
        record: Any = model(
            tenant_id=integration.tenant_id,
            integration_id=integration.id,
            mirror_id=row.id,
            remote_id=row.remote_id,
            name=item["label"][:200],
        )
        db.session.add(record)
        created += 1
    change_apply_options(integration, lambda apply: None)
    return created
