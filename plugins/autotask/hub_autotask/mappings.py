"""How Autotask records become hub records when nobody configured anything.

Defaults that work with no configuration: active Customer companies, their
contacts, active configuration items of imported companies, and the tickets,
opportunities and projects of imported companies. Contracts are imported
selectively by the hub's contract import, which reads the ``contract`` and
``contract_service`` mappings below for their fields and ``CONTRACT_SOURCE``
for the rest (service names, billed units, labels, covered CIs); apply uses
the contract mapping only to resolve references (a project's contract).
Custom fields (UDFs) that MSPs commonly keep (RAM, OS type, purchase date)
are read first where present, with a standard field as the fallback.
"""

from __future__ import annotations

from hub.connector import ContractSource, FieldSource, ModelMapping

CUSTOMER = 1


def _f(*names: str) -> tuple[FieldSource, ...]:
    return tuple(FieldSource(name) for name in names)


def _udf_then(udf: str, *names: str) -> tuple[FieldSource, ...]:
    return (FieldSource(udf, custom=True), *_f(*names))


COMPANY = ("companies", "companyID")

MAPPINGS: list[ModelMapping] = [
    ModelMapping("company_types", "company_type", {"name": _f("label")}),
    ModelMapping(
        "company_statuses", "company_status", {"name": _f("label"), "is_active": _f("isActive")}
    ),
    ModelMapping("configuration_item_types", "asset_type", {"name": _f("name")}),
    ModelMapping(
        "companies",
        "company",
        {
            "name": _f("companyName"),
            "number": _f("companyNumber"),
            "is_active": _f("isActive"),
            "phone": _f("phone"),
            "website": _f("webAddress"),
            "address": _f("address1"),
            "city": _f("city"),
            "state": _f("state"),
            "postal_code": _f("postalCode"),
        },
        references={
            "type_id": ("company_types", "companyType"),
            "status_id": ("company_statuses", "isActive"),
        },
        select={"companyType": (CUSTOMER,), "isActive": (True,)},
    ),
    ModelMapping(
        "contacts",
        "contact",
        {
            "first_name": _f("firstName"),
            "last_name": _f("lastName"),
            "email": _f("emailAddress"),
            "phone": _f("phone", "mobilePhone"),
            "title": _f("title"),
            "is_active": _f("isActive"),
        },
        references={"company_id": COMPANY},
        requires=("company_id",),
    ),
    ModelMapping(
        "configuration_items",
        "asset",
        {
            "name": _f("referenceTitle", "rmmDeviceAuditHostname", "serialNumber"),
            "serial_number": _f("serialNumber"),
            "hostname": _f("rmmDeviceAuditHostname"),
            "notes": _f("notes"),
            "install_date": _f("installDate"),
            "purchase_date": _udf_then("Purchase Date", "installDate"),
            "warranty_expiration_date": _f("warrantyExpirationDate"),
            "ram": _udf_then("RAM", "rmmDeviceAuditMemoryBytes"),
            "os_type": _udf_then("OS Type", "rmmDeviceAuditOperatingSystem"),
            "is_active": _f("isActive"),
        },
        references={
            "company_id": COMPANY,
            "type_id": ("configuration_item_types", "configurationItemType"),
        },
        select={"isActive": (True,)},
        requires=("company_id",),
    ),
    ModelMapping(
        "contracts",
        "contract",
        {
            "name": _f("contractName"),
            "number": _f("contractNumber"),
            "status": _f("status"),
            "contract_type": _f("contractType"),
            "start_date": _f("startDate"),
            "end_date": _f("endDate"),
            "billing_cycle": _f("contractPeriodType"),
            "vendor_name": _udf_then("Vendor"),
            "description": _f("description"),
        },
        references={"company_id": COMPANY},
        select={"id": ()},  # nothing by default: contracts are imported one by one
        requires=("company_id",),
    ),
    ModelMapping(
        "contract_services",
        "contract_service",
        {"unit_price": _f("unitPrice"), "unit_cost": _f("unitCost")},
        references={"contract_id": ("contracts", "contractID")},
        requires=("contract_id",),
    ),
    ModelMapping(
        "opportunities",
        "opportunity",
        {
            "title": _f("title"),
            "status": _f("status"),
            "stage": _f("stage"),
            "amount": _f("amount"),
            "probability": _f("probability"),
            "projected_close_date": _f("projectedCloseDate"),
            "closed_date": _f("closedDate"),
        },
        references={"company_id": COMPANY},
        requires=("company_id",),
    ),
    ModelMapping(
        "tickets",
        "ticket",
        {
            "number": _f("ticketNumber"),
            "title": _f("title"),
            "status": _f("status"),
            "priority": _f("priority"),
            "opened_at": _f("createDate"),
            "completed_at": _f("completedDate"),
            "due_at": _f("dueDateTime"),
        },
        references={
            "company_id": COMPANY,
            "asset_id": ("configuration_items", "configurationItemID"),
        },
        requires=("company_id",),
    ),
    ModelMapping(
        "projects",
        "project",
        {
            "name": _f("projectName"),
            "number": _f("projectNumber"),
            "status": _f("status"),
            "start_date": _f("startDateTime"),
            "end_date": _f("endDateTime"),
            "completed_percentage": _f("completedPercentage"),
        },
        references={"company_id": COMPANY, "contract_id": ("contracts", "contractID")},
        requires=("company_id",),
    ),
]

#: Autotask's system picklists of contracts (not tenant-editable), and where CIs point.
CONTRACT_SOURCE = ContractSource(
    labels={
        "status": {"0": "Inactive", "1": "Active"},
        "contract_type": {
            "1": "Time & Materials",
            "3": "Fixed Price",
            "4": "Block Hours",
            "6": "Retainer",
            "7": "Recurring Service",
            "8": "Per Ticket",
        },
        "billing_cycle": {"1": "Monthly", "2": "Quarterly", "3": "Semi-Annual", "4": "Yearly"},
    },
    active_statuses=("1",),
    catalogue_stream="services",
    catalogue_field="serviceID",
    catalogue_name="name",
    units_stream="contract_service_units",
    units_service_field="contractServiceID",
    units_field="units",
    units_period_field="startDate",
    asset_stream="configuration_items",
    asset_contract_field="contractID",
    asset_service_field="contractServiceID",
)
