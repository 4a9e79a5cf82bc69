"""How IT Glue records become hub records when nobody configured anything."""

from __future__ import annotations

from hub.connector import FieldSource, ModelMapping


def _f(*names: str) -> tuple[FieldSource, ...]:
    return tuple(FieldSource(name) for name in names)


MAPPINGS: list[ModelMapping] = [
    ModelMapping("organization_types", "company_type", {"name": _f("name")}),
    ModelMapping("organization_statuses", "company_status", {"name": _f("name")}),
    ModelMapping("configuration_types", "asset_type", {"name": _f("name")}),
    ModelMapping("configuration_statuses", "asset_status", {"name": _f("name")}),
    ModelMapping(
        "organizations",
        "company",
        {"name": _f("name"), "number": _f("short-name")},
        references={
            "type_id": ("organization_types", "organization-type-id"),
            "status_id": ("organization_statuses", "organization-status-id"),
        },
        select={"organization-type-name": ("Customer",), "organization-status-name": ("Active",)},
    ),
    ModelMapping(
        "contacts",
        "contact",
        {"first_name": _f("first-name"), "last_name": _f("last-name"), "title": _f("title")},
        references={"company_id": ("organizations", "organization-id")},
        requires=("company_id",),
    ),
    ModelMapping(
        "configurations",
        "asset",
        {
            "name": _f("name"),
            "serial_number": _f("serial-number"),
            "hostname": _f("hostname"),
            "manufacturer": _f("manufacturer-name"),
            "model": _f("model-name"),
            "os_type": _f("operating-system-name"),
            "warranty_expiration_date": _f("warranty-expires-at"),
            "purchase_date": _f("purchased-at"),
            "notes": _f("notes"),
        },
        references={
            "company_id": ("organizations", "organization-id"),
            "type_id": ("configuration_types", "configuration-type-id"),
            "status_id": ("configuration_statuses", "configuration-status-id"),
        },
        select={"configuration-status-name": ("Active",)},
        requires=("company_id",),
    ),
]
