"""Field metadata: each stream's standard fields, picklists and custom fields.

Custom fields live in a record's ``custom-fields`` object; their names here
are dotted paths into it (``custom-fields.backup-policy``). Protected custom
fields hold secrets the hub must not copy into its own records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.connector import CallGate, FieldInfo, PicklistValue
from hub_itglue_stub import dataset
from hub_itglue_stub.access import require_readable

_PICKLIST_NAME = [
    FieldInfo("id", "ID", "string", is_required=True, is_read_only=True),
    FieldInfo("name", "Name", "string", is_required=True),
    FieldInfo("created-at", "Created", "datetime", is_read_only=True),
    FieldInfo("updated-at", "Updated", "datetime", is_read_only=True),
]

_COMMON = [
    FieldInfo("id", "ID", "string", is_required=True, is_read_only=True),
    FieldInfo("created-at", "Created", "datetime", is_read_only=True),
    FieldInfo("updated-at", "Updated", "datetime", is_read_only=True),
]

_ORGANIZATION = FieldInfo(
    "organization-id", "Organization", "integer", is_required=True, reference="organizations"
)

_STANDARD: dict[str, list[FieldInfo]] = {
    "organizations": [
        FieldInfo("name", "Name", "string", is_required=True),
        FieldInfo("short-name", "Short name", "string"),
        FieldInfo("description", "Description", "string"),
        FieldInfo("organization-type-name", "Type name", "string", is_read_only=True),
        FieldInfo("organization-status-name", "Status name", "string", is_read_only=True),
        FieldInfo("primary", "Is the MSP's own organization", "boolean", is_read_only=True),
        FieldInfo("quick-notes", "Quick notes", "string"),
        FieldInfo("alert", "Alert", "string"),
        FieldInfo("parent-id", "Parent", "string", reference="organizations"),
        FieldInfo("psa-id", "PSA id", "string", is_read_only=True),
    ],
    "configurations": [
        FieldInfo("name", "Name", "string", is_required=True),
        _ORGANIZATION,
        FieldInfo("organization-name", "Organization name", "string", is_read_only=True),
        FieldInfo("configuration-type-name", "Type name", "string", is_read_only=True),
        FieldInfo("configuration-status-name", "Status name", "string", is_read_only=True),
        FieldInfo("hostname", "Hostname", "string"),
        FieldInfo("primary-ip", "Primary IP", "string"),
        FieldInfo("mac-address", "MAC address", "string"),
        FieldInfo("serial-number", "Serial number", "string"),
        FieldInfo("asset-tag", "Asset tag", "string"),
        FieldInfo("manufacturer-name", "Manufacturer", "string"),
        FieldInfo("model-name", "Model", "string"),
        FieldInfo("operating-system-name", "Operating system", "string"),
        FieldInfo("operating-system-notes", "Operating system notes", "string"),
        FieldInfo("warranty-expires-at", "Warranty expires", "date"),
        FieldInfo("purchased-at", "Purchased", "date"),
        FieldInfo("installed-by", "Installed by", "string"),
        FieldInfo("notes", "Notes", "string"),
        FieldInfo("archived", "Archived", "boolean", is_read_only=True),
    ],
    "contacts": [
        _ORGANIZATION,
        FieldInfo("organization-name", "Organization name", "string", is_read_only=True),
        FieldInfo("first-name", "First name", "string", is_required=True),
        FieldInfo("last-name", "Last name", "string"),
        FieldInfo("name", "Full name", "string", is_read_only=True),
        FieldInfo("title", "Title", "string"),
        FieldInfo("contact-type-name", "Contact type", "string"),
        FieldInfo("important", "Important", "boolean"),
        FieldInfo("notes", "Notes", "string"),
        FieldInfo("contact-emails", "Email addresses", "list"),
        FieldInfo("contact-phones", "Phone numbers", "list"),
    ],
}

# Picklist fields: field name -> (label, the stream that holds its values).
_PICKLISTS: dict[str, list[tuple[str, str, str]]] = {
    "organizations": [
        ("organization-type-id", "Type", "organization_types"),
        ("organization-status-id", "Status", "organization_statuses"),
    ],
    "configurations": [
        ("configuration-type-id", "Type", "configuration_types"),
        ("configuration-status-id", "Status", "configuration_statuses"),
    ],
}

_CUSTOM: dict[str, list[FieldInfo]] = {
    "organizations": [
        FieldInfo("custom-fields.account-manager", "Account manager", "string", is_custom=True),
        FieldInfo(
            "custom-fields.portal-pin", "Portal PIN", "string", is_custom=True, is_protected=True
        ),
    ],
    "configurations": [
        FieldInfo("custom-fields.backup-policy", "Backup policy", "string", is_custom=True),
        FieldInfo(
            "custom-fields.bitlocker-recovery-key",
            "BitLocker recovery key",
            "string",
            is_custom=True,
            is_protected=True,
        ),
    ],
}


def picklist(stream: str) -> tuple[PicklistValue, ...]:
    """Return the values of a picklist stream (types or statuses) as picklist values."""
    return tuple(PicklistValue(str(r["id"]), str(r["name"])) for r in dataset.records(stream))


def field_metadata(settings: Mapping[str, Any], stream: str, gate: CallGate) -> list[FieldInfo]:
    """Return the stream's standard fields, picklist fields and custom fields."""
    with gate.call(f"{stream}/fields"):
        require_readable(settings, stream)
    if stream not in _STANDARD:
        return list(_PICKLIST_NAME)
    picklists = [
        FieldInfo(name, label, "integer", picklist=picklist(source))
        for name, label, source in _PICKLISTS.get(stream, [])
    ]
    return [*_COMMON, *_STANDARD[stream], *picklists, *_CUSTOM.get(stream, [])]
