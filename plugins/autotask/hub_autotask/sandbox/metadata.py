"""``entityInformation``, ``entityInformation/fields`` and ``.../userDefinedFields``.

Field metadata is derived from the Swagger model (names, types) plus the
entity's business rules in :mod:`catalog` (required, read-only, picklists,
references, lengths). Picklists are consistent with the records: the CI type
picklist lists the ``ConfigurationItemTypes`` records, and the webhook
``fieldID`` picklist lists the watched entity's webhook-capable fields.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from hub_autotask.sandbox import catalog, swagger
from hub_autotask.sandbox.catalog import REFERENCES, EntitySpec, is_read_only
from hub_autotask.sandbox.picklists import PICKLISTS, PickValue
from hub_autotask.sandbox.store import Store
from hub_autotask.sandbox.udfs import udfs_for

_MONEY = ("price", "cost", "amount", "revenue", "fee", "rate", "budget", "value")
#: Field names never offered to webhooks (large text and computed fields).
_NOT_WEBHOOK = frozenset({"id", "notes", "description", "resolution"})


def data_type(type_name: str, fmt: str | None, name: str) -> str:
    """Map a Swagger type to Autotask's ``dataType`` vocabulary."""
    if type_name == "integer":
        return "long" if fmt == "int64" else "integer"
    if type_name == "number":
        return "decimal" if any(word in name.lower() for word in _MONEY) else "double"
    if type_name == "boolean":
        return "boolean"
    if type_name == "string" and fmt == "date-time":
        return "datetime"
    return "string"


def entity_information(entity: EntitySpec, denied: bool) -> dict[str, Any]:
    """Return the ``{"info": {...}}`` answer of ``<Entity>/entityInformation``."""
    create, update, delete = write_methods(entity)
    access = "None" if denied else "All"
    return {
        "info": {
            "name": entity.singular,
            "canCreate": create,
            "canDelete": delete,
            "canQuery": True,
            "canUpdate": update,
            "userAccessForCreate": access if create else "None",
            "userAccessForDelete": access if delete else "None",
            "userAccessForQuery": access,
            "userAccessForUpdate": access if update else "None",
            "hasUserDefinedFields": entity.has_udfs,
            "supportsWebhookCallouts": entity.webhook_entity is not None,
        }
    }


def write_methods(entity: EntitySpec) -> tuple[bool, bool, bool]:
    """Return (can create, can update, can delete) from the paths Swagger lists."""
    return _write_methods(entity.name)


@cache
def _write_methods(name: str) -> tuple[bool, bool, bool]:
    entity = catalog.BY_NAME[name]
    if entity.parent:
        base = f"/V1.0/{entity.parent.parent}/{{parentId}}/{entity.parent.segment}"
    else:
        base = f"/V1.0/{entity.name}"
    methods = swagger.path_methods(base)
    return "POST" in methods, "PATCH" in methods, "DELETE" in swagger.path_methods(base + "/{id}")


def webhook_field_ids(target: str) -> dict[int, str]:
    """Return webhook field id -> field name for the watched entity ``target``."""
    spec = catalog.BY_NAME[target]
    return {
        position: name
        for position, (name, _, _) in enumerate(spec.fields, start=1)
        if name not in _NOT_WEBHOOK
    }


def picklist_for(store: Store, entity: EntitySpec, name: str) -> tuple[PickValue, ...] | None:
    """Return the picklist of field ``name`` or None when it is not a picklist."""
    if entity.webhook_target and name == "fieldID":
        ids = webhook_field_ids(entity.webhook_target)
        return tuple(PickValue(value, label) for value, label in ids.items())
    key = entity.picklists.get(name)
    if key is None:
        return None
    if key.startswith("@"):
        table = store.table(key[1:])
        return tuple(
            PickValue(
                row[0], row[table.column["name"]], is_active=bool(row[table.column["isActive"]])
            )
            for row in table.iter_from(0)
        )
    return PICKLISTS[key]


def field_information(store: Store, entity: EntitySpec) -> dict[str, Any]:
    """Return the ``{"fields": [...]}`` answer of ``entityInformation/fields``."""
    webhook_names = set(webhook_field_ids(entity.name).values()) if entity.webhook_entity else set()
    fields = []
    for name, type_name, fmt in entity.fields:
        picklist = picklist_for(store, entity, name)
        reference = None if picklist else REFERENCES.get(name)
        if entity.webhook_target and name == "webhookID":
            reference = catalog.BY_NAME[entity.parent.parent].name if entity.parent else None
        kind = data_type(type_name, fmt, name)
        fields.append(
            {
                "name": name,
                "dataType": kind,
                "length": entity.lengths.get(name, 100) if kind == "string" else 0,
                "isRequired": name in entity.required or name == "id",
                "isReadOnly": is_read_only(entity, name) or not any(write_methods(entity)),
                "isQueryable": True,
                "isReference": reference is not None,
                "referenceEntityType": catalog.BY_NAME[reference].singular if reference else "",
                "isPickList": picklist is not None,
                "picklistValues": [v.to_json(order) for order, v in enumerate(picklist, 1)]
                if picklist is not None
                else None,
                "picklistParentValueField": "issueType" if name == "subIssueType" else "",
                "isSupportedWebhookField": name in webhook_names,
            }
        )
    return {"fields": fields}


def udf_information(entity: EntitySpec) -> dict[str, Any]:
    """Return the ``{"fields": [...]}`` answer of ``entityInformation/userDefinedFields``."""
    return {"fields": [udf.to_json() for udf in udfs_for(entity.name)] if entity.has_udfs else []}
