"""Seed generators for assets: CI types and categories, Products, ConfigurationItems.

CIs carry the messy details a sync must survive: missing, blank and
duplicated serial numbers (including the classic "To be filled by O.E.M."),
warranty dates in the past and the future, date-only fields at midnight,
contract links on some rows and a protected UDF that is served masked.
"""

from __future__ import annotations

from hub_autotask.sandbox import seed_text as text
from hub_autotask.sandbox.seed_context import DAY, SeedContext, format_epoch_day, maker, stamper

#: id, name, active, host code
CI_TYPES = (
    (1, "Workstation", True, "WS"),
    (2, "Laptop", True, "LT"),
    (3, "Server", True, "SRV"),
    (4, "Firewall", True, "FW"),
    (5, "Switch", True, "SW"),
    (6, "Printer", True, "PRN"),
    (7, "Mobile Device", True, "MOB"),
    (8, "Access Point", True, "AP"),
    (9, "Virtual Machine", True, "VM"),
    (10, "Software Licence", True, "LIC"),
    (11, "Légacy Device (retired)", False, "OLD"),
)
CATEGORIES = (
    (100, "Standard", "STD", True, True),
    (101, "Managed Workstation", "MWS", True, False),
    (102, "Managed Server", "MSV", True, False),
    (103, "Network Device", "NET", True, False),
    (104, "Cloud & SaaS", "CLD", True, False),
    (105, "Old category", "OLD", False, False),
)
#: name, manufacturer, CI type, category, OS, RAM GB
PRODUCT_MODELS = (
    ("Dell Latitude 5440", "Dell", 2, 101, "Windows 11", 16),
    ("HP EliteBook 840 G10", "HP", 2, 101, "Windows 11", 16),
    ('Apple MacBook Pro 14"', "Apple", 2, 101, "macOS", 32),
    ("Lenovo ThinkPad T14 Gen 4", "Lenovo", 2, 101, "Windows 10", 8),
    ("Dell OptiPlex 7010", "Dell", 1, 101, "Windows 11", 16),
    ("HP ProDesk 400 G9", "HP", 1, 101, "Windows 10", 8),
    ("Dell PowerEdge R750", "Dell", 3, 102, "Windows Server 2022", 128),
    ("HPE ProLiant DL380 Gen10", "HP", 3, 102, "Windows Server 2019", 64),
    ("Hyper-V Guest", "Microsoft", 9, 102, "Windows Server 2022", 16),
    ("Fortinet FortiGate 60F", "Fortinet", 4, 103, "Firmware", None),
    ("Cisco Meraki MX68", "Cisco", 4, 103, "Firmware", None),
    ("Cisco Catalyst 9200", "Cisco", 5, 103, "Firmware", None),
    ("Ubiquiti UniFi U6-Pro", "Ubiquiti", 8, 103, "Firmware", None),
    ("HP LaserJet Pro M404dn", "HP", 6, 100, None, None),
    ("Apple iPhone 15", "Apple", 7, 100, "iOS", 6),
    ("Samsung Galaxy S24", "Samsung", 7, 100, "Android", 8),
    ("Microsoft 365 Business Premium", "Microsoft", 10, 104, None, None),
    ("Ubuntu Server 22.04 VM", "Microsoft", 9, 102, "Ubuntu Linux", 8),
)
PLACEHOLDER_SERIALS = ("To be filled by O.E.M.", "0123456789", "Default string")


def seed_catalog(ctx: SeedContext) -> None:
    """Create CI types, CI categories and the product catalogue."""
    types = ctx.store.table("ConfigurationItemTypes")
    types.load([ctx.make(types, {"id": i, "name": n, "isActive": a}) for i, n, a, _ in CI_TYPES])
    cats = ctx.store.table("ConfigurationItemCategories")
    cats.load(
        [
            ctx.make(
                cats,
                {
                    "id": i,
                    "name": n,
                    "nickname": nick,
                    "isActive": a,
                    "isGlobalDefault": default,
                    "isClientPortalDefault": default,
                    "displayColorRGB": 0x3366CC,
                },
            )
            for i, n, nick, a, default in CATEGORIES
        ]
    )
    table = ctx.store.table("Products")
    rng = ctx.rng("Products")
    rows = []
    for index in range(ctx.scale.products):
        name, maker, ci_type, category, _, _ = PRODUCT_MODELS[index % len(PRODUCT_MODELS)]
        suffix = "" if index < len(PRODUCT_MODELS) else f" (SKU {index})"
        cost = round(rng.uniform(30, 4000), 2)
        rows.append(
            ctx.make(
                table,
                {
                    "id": 29682600 + index,
                    "name": name + suffix,
                    "manufacturerName": maker,
                    "manufacturerProductName": name,
                    "productCategory": 3 if ci_type == 10 else 1,
                    "isActive": rng.random() > 0.05,
                    "isSerialized": ci_type != 10,
                    "unitCost": cost,
                    "unitPrice": round(cost * 1.25, 2),
                    "msrp": round(cost * 1.4, 2),
                    "sku": f"SKU-{index:05d}",
                    "billingType": 1,
                    "priceCostMethod": 1,
                    "defaultInstalledProductCategoryID": category,
                    "doesNotRequireProcurement": False,
                    "isEligibleForRma": True,
                    "createdTime": ctx.stamp(rng, ctx.epoch_back(rng, 3000)),
                },
            )
        )
    table.load(rows)


def seed_configuration_items(ctx: SeedContext) -> None:
    """Create the CIs, spread over customers in two id blocks with a large gap.

    This is the hot loop of a large start-up, hence the local aliases.
    """
    table = ctx.store.table("ConfigurationItems")
    rng = ctx.rng("ConfigurationItems")
    draw = rng.random
    stamp = stamper(rng)
    make = maker(table)
    count = ctx.scale.cis
    product_ids = ctx.store.table("Products").ids
    owners = rng.choices(ctx.customer_ids, weights=ctx.customer_weights, k=count)
    host_codes = {i: code for i, _, _, code in CI_TYPES}
    prefixes = {cid: text.company_prefix(name, cid) for cid, name in ctx.company_names.items()}
    resources = ctx.resource_ids
    locations = ("HQ", "Floor 2", "Büro München", "Remote", None, None)
    anchor = ctx.anchor_epoch
    seen_serials: list[str] = []
    rows = []
    record_id = 5000
    second_block = int(count * 0.6)
    for index in range(count):
        if index == second_block:
            record_id = 29750000
        company_id = owners[index]
        product_index = int(draw() * len(product_ids))
        name, maker_name, ci_type, category, os_name, ram = PRODUCT_MODELS[
            product_index % len(PRODUCT_MODELS)
        ]
        created = anchor - int((5 + draw() * 2495) * DAY)
        modified = max(created + 60, anchor - int(draw() ** 2.5 * 600 * DAY) - 1)
        install = created - int(draw() * 400) * DAY
        roll = draw()
        if roll < 0.04:
            serial = None
        elif roll < 0.06:
            serial = ""
        elif roll < 0.075:
            serial = PLACEHOLDER_SERIALS[int(draw() * 3)]
        elif roll < 0.095 and seen_serials:
            serial = seen_serials[int(draw() * len(seen_serials))]
        else:
            serial = text.serial_number(rng, maker_name)
            if len(seen_serials) < 5000:
                seen_serials.append(serial)
        host = f"{prefixes[company_id]}-{host_codes[ci_type]}-{index % 1000:03d}"
        contract_id = service_id = None
        contracts = ctx.contracts_by_company.get(company_id)
        if contracts and draw() < 0.35:
            contract_id = contracts[int(draw() * len(contracts))]
            services = ctx.services_by_contract.get(contract_id)
            if services and draw() < 0.8:
                service_id = services[int(draw() * len(services))][0]
        contacts = ctx.contacts_by_company.get(company_id)
        ci = {
            "id": record_id,
            "companyID": company_id,
            "productID": product_ids[product_index],
            "configurationItemType": ci_type,
            "configurationItemCategoryID": category,
            "isActive": draw() > 0.1,
            "serialNumber": serial,
            "referenceTitle": host if ci_type != 10 else f"{name} \u2013 {index}",
            "referenceNumber": f"ASSET-{index:06d}" if draw() < 0.3 else None,
            "installDate": format_epoch_day(install) if draw() < 0.85 else None,
            "warrantyExpirationDate": format_epoch_day(install + int(1 + draw() * 5) * 365 * DAY)
            if draw() < 0.75
            else None,
            "contractID": contract_id,
            "contractServiceID": service_id,
            "contactID": contacts[int(draw() * len(contacts))]
            if contacts and draw() < 0.4
            else None,
            "location": locations[int(draw() * 6)],
            "notes": "Replaced PSU 2023\nSee ticket «T2023»" if draw() < 0.02 else None,
            "createDate": stamp(created),
            "lastModifiedTime": stamp(modified),
            "createdByPersonID": resources[int(draw() * len(resources))],
        }
        if ci_type in (1, 2, 3, 9) and draw() < 0.7:
            ci["rmmDeviceAuditHostname"] = host.lower()
            ci["rmmDeviceAuditOperatingSystem"] = os_name
            ci["rmmDeviceAuditMemoryBytes"] = (ram or 8) * 1073741824
            ci["rmmDeviceAuditIPAddress"] = (
                f"10.{index % 256}.{index // 256 % 256}.{index % 250 + 1}"
            )
            ci["rmmDeviceUID"] = f"{rng.getrandbits(64):016x}"
            ci["rmmDeviceID"] = 10**6 + index
            ci["rmmOpenAlertCount"] = int(draw() * 4)
        udfs = (
            f"{ram}.0000" if ram and draw() < 0.8 else None,
            os_name if os_name and draw() < 0.8 else None,
            format_epoch_day(install) if draw() < 0.5 else None,
            f"Pw-{rng.getrandbits(40):x}!" if draw() < 0.4 else None,
        )
        rows.append(make(ci, udfs))
        ctx.cis_by_company.setdefault(company_id, []).append(record_id)
        record_id += 1 if draw() > 0.08 else int(2 + draw() * 28)
    table.load(rows)
