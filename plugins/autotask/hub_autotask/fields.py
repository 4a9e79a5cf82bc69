"""Field metadata: standard fields, picklists and user-defined fields (UDFs).

Standard fields come from ``<Entity>/entityInformation/fields``, UDFs from
``.../userDefinedFields``. A UDF is listed as ``userDefinedFields.<name>``:
on records UDFs travel as ``"userDefinedFields": [{"name", "value"}]``, so
the path names the list entry whose ``name`` matches. Autotask's UDF
metadata does not say which UDFs are protected; ``UserDefinedFieldDefinitions``
(``isProtected``) does, and is asked once per call when the entity has UDFs.
If that entity is not readable, UDFs whose names look like secrets are
marked protected, so the hub errs on the side of not copying them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hub.connector import CallGate, FieldInfo, PicklistValue
from hub.errors import AuthenticationFailed, ConnectionFailed
from hub_autotask.client import AutotaskClient
from hub_autotask.streams import stream

UDF_PREFIX = "userDefinedFields."
#: Date-only fields: Autotask types them datetime but does not time-zone convert them.
DATE_ONLY = frozenset(
    {"installDate", "warrantyExpirationDate", "startDate", "endDate", "projectedCloseDate"}
)
SECRET_LOOKING = re.compile(r"password|passwd|secret|pin\b|recovery|private key|token", re.I)

_PICKLIST_STREAM_FIELDS: dict[str, list[FieldInfo]] = {
    "company_types": [
        FieldInfo("id", "Value", "integer", is_required=True, is_read_only=True),
        FieldInfo("label", "Label", "string", is_read_only=True),
        FieldInfo("isActive", "Active", "boolean", is_read_only=True),
        FieldInfo("isSystem", "System value", "boolean", is_read_only=True),
        FieldInfo("sortOrder", "Sort order", "integer", is_read_only=True),
    ],
    "company_statuses": [
        FieldInfo("id", "Value", "string", is_required=True, is_read_only=True),
        FieldInfo("label", "Label", "string", is_read_only=True),
        FieldInfo("isActive", "Active", "boolean", is_read_only=True),
    ],
}


def label_of(name: str) -> str:
    """Return a readable label for a camelCase field name (``companyID`` -> ``Company ID``)."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name).split()
    if not words:
        return name
    shaped = [w if w.isupper() else w.lower() for w in words]
    return shaped[0][:1].upper() + shaped[0][1:] + "".join(" " + w for w in shaped[1:])


def picklist(values: Any) -> tuple[PicklistValue, ...]:
    """Return Autotask ``picklistValues`` as unique :class:`PicklistValue` s, values as text."""
    seen: set[str] = set()
    out: list[PicklistValue] = []
    for value in values or []:
        if not isinstance(value, dict) or value.get("value") is None:
            continue
        text = str(value["value"])
        if text in seen:
            continue
        seen.add(text)
        parent = value.get("parentValue")
        out.append(
            PicklistValue(
                value=text,
                label=str(value.get("label") or text),
                is_active=bool(value.get("isActive", True)),
                parent_value=str(parent) if parent not in (None, "") else None,
            )
        )
    return tuple(out)


def standard_field(meta: Mapping[str, Any]) -> FieldInfo:
    """Return one ``entityInformation/fields`` entry as a :class:`FieldInfo`."""
    name = str(meta["name"])
    kind = str(meta.get("dataType") or "string")
    if name in DATE_ONLY and kind == "datetime":
        kind = "date"
    reference = meta.get("referenceEntityType") if meta.get("isReference") else None
    return FieldInfo(
        name=name,
        label=label_of(name),
        data_type=kind,
        is_required=bool(meta.get("isRequired")),
        is_read_only=bool(meta.get("isReadOnly")),
        reference=str(reference) if reference else None,
        picklist=picklist(meta.get("picklistValues")) if meta.get("isPickList") else (),
    )


def udf_field(meta: Mapping[str, Any], protected: bool) -> FieldInfo:
    """Return one ``userDefinedFields`` entry as a custom :class:`FieldInfo`."""
    name = str(meta["name"])
    return FieldInfo(
        name=UDF_PREFIX + name,
        label=str(meta.get("label") or name),
        data_type=str(meta.get("type") or meta.get("dataType") or "string"),
        is_custom=True,
        is_required=bool(meta.get("isRequired")),
        is_read_only=bool(meta.get("isReadOnly")),
        is_protected=protected,
        picklist=picklist(meta.get("picklistValues")) if meta.get("isPickList") else (),
    )


def protected_udfs(client: AutotaskClient, gate: CallGate, names: list[str]) -> set[str] | None:
    """Return the names among ``names`` that are protected UDFs; ``None`` when unknown."""
    body = {
        "MaxRecords": 500,
        "IncludeFields": ["id", "name", "isProtected"],
        "filter": [{"op": "in", "field": "name", "value": names[:500]}],
    }
    try:
        answer = client.query(gate, "UserDefinedFieldDefinitions", body)
    except AuthenticationFailed:
        raise
    except ConnectionFailed:
        return None
    return {str(i.get("name")) for i in answer.get("items") or [] if i.get("isProtected")}


def field_metadata(settings: Mapping[str, Any], name: str, gate: CallGate) -> list[FieldInfo]:
    """Return the stream's standard fields and UDFs, with picklists."""
    source = stream(name)
    if source.kind in _PICKLIST_STREAM_FIELDS:
        return list(_PICKLIST_STREAM_FIELDS[source.kind])
    client = AutotaskClient(settings)
    fields = [standard_field(f) for f in client.fields(gate, source.entity) if f.get("name")]
    udfs = [u for u in client.udfs(gate, source.entity) if u.get("name")]
    protected: set[str] = set()
    if udfs:
        names = [str(u["name"]) for u in udfs]
        known = protected_udfs(client, gate, names)
        protected = known if known is not None else {n for n in names if SECRET_LOOKING.search(n)}
    seen = {f.name for f in fields}
    custom = [udf_field(u, str(u["name"]) in protected) for u in udfs]
    return fields + [c for c in custom if c.name not in seen]
