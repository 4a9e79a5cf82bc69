"""Seed generators for people and customers: Resources, Companies, Contacts, Opportunities."""

from __future__ import annotations

from hub_autotask.sandbox import seed_text as text
from hub_autotask.sandbox.picklists import values_of
from hub_autotask.sandbox.seed_context import DAY, SeedContext, format_epoch_day

COMPANY_TYPES = (1, 3, 2, 7, 8, 4, 6)
COMPANY_TYPE_WEIGHTS = (62, 12, 8, 7, 3, 5, 3)
TIERS = ("Platinum", "Gold", "Silver", "Bronze")


def seed_resources(ctx: SeedContext) -> None:
    """Create staff resources and the API user the sandbox authenticates."""
    table = ctx.store.table("Resources")
    rng = ctx.rng("Resources")
    rows = []
    record_id = 29682885
    for index in range(ctx.scale.resources):
        first, last = rng.choice(text.FIRST_NAMES), rng.choice(text.SURNAMES)
        login = f"{text.ascii_slug(first)[:1]}{text.ascii_slug(last)}{index}"
        rows.append(
            ctx.make(
                table,
                {
                    "id": record_id,
                    "firstName": first,
                    "lastName": last,
                    "email": f"{login}@northwind-msp.example",
                    "userName": login[:32],
                    "isActive": rng.random() > 0.1,
                    "licenseType": 1,
                    "userType": 1,
                    "resourceType": "Employee",
                    "title": rng.choice(("Technician", "Engineer", "Service Manager", "Sales")),
                    "hireDate": format_epoch_day(ctx.epoch_back(rng, 3000, 100)),
                    "initials": f"{first[:1]}{last[:1]}",
                    "dateFormat": "dd/MM/yyyy",
                    "timeFormat": "HH:mm",
                    "numberFormat": "X,XXX.XX",
                    "internalCost": 45.0,
                    "officePhone": text.phone_number(rng),
                },
            )
        )
        ctx.resource_ids.append(record_id)
        record_id += rng.choice((1, 1, 1, 7, 113))
    ctx.api_resource_id = record_id + 1000
    rows.append(
        ctx.make(
            table,
            {
                "id": ctx.api_resource_id,
                "firstName": "API",
                "lastName": "User (Hub)",
                "email": ctx.api_username,
                "userName": ctx.api_username[:32],
                "isActive": True,
                "licenseType": 7,
                "userType": 17,
                "resourceType": "Employee",
                "title": "API User",
            },
        )
    )
    table.load(rows)


def seed_companies(ctx: SeedContext) -> None:
    """Create the owner company (id 0) and the MSP's customers, vendors and prospects."""
    table = ctx.store.table("Companies")
    rng = ctx.rng("Companies")
    count = ctx.scale.companies
    names = text.company_names(rng, count)
    types = rng.choices(COMPANY_TYPES, weights=COMPANY_TYPE_WEIGHTS, k=count)
    rows = []
    record_id = 174
    for index in range(count + 1):
        owner = index == 0
        company_id = 0 if owner else record_id
        name = "Northwind MSP" if owner else names[index - 1]
        company_type = 1 if owner else types[index - 1]
        inactive_odds = 0.8 if company_type in (4, 6) else 0.05
        city, state, postal, country = rng.choice(text.CITIES)
        created = ctx.epoch_back(rng, 3300, 200)
        modified = max(created + DAY, ctx.epoch_back(rng, 900, 0, recent_bias=2.5))
        customer = company_type == 1
        udfs = (
            f"C{rng.randrange(1, 99999):05d}" if customer and rng.random() < 0.85 else None,
            rng.choice(TIERS) if customer and rng.random() < 0.7 else None,
            f"{rng.randint(3, 250)}.0000" if customer and rng.random() < 0.6 else None,
            format_epoch_day(created + 30 * DAY) if customer and rng.random() < 0.5 else None,
        )
        rows.append(
            ctx.make(
                table,
                {
                    "id": company_id,
                    "companyName": name,
                    "companyNumber": None
                    if rng.random() < 0.2
                    else f"{rng.randrange(10000, 99999)}",
                    "companyType": company_type,
                    "isActive": owner or rng.random() > inactive_odds,
                    "address1": f"{rng.randint(1, 400)} {rng.choice(text.STREETS)}",
                    "address2": "Suite 200" if rng.random() < 0.1 else None,
                    "city": city,
                    "state": state or None,
                    "postalCode": postal,
                    "countryID": country,
                    "phone": text.phone_number(rng),
                    "fax": text.phone_number(rng) if rng.random() < 0.15 else None,
                    "webAddress": f"https://www.{text.ascii_slug(name)[:20] or 'example'}.example"
                    if rng.random() < 0.6
                    else None,
                    "parentCompanyID": rng.choice(ctx.company_ids[1:])
                    if len(ctx.company_ids) > 5 and rng.random() < 0.03
                    else None,
                    "ownerResourceID": rng.choice(ctx.resource_ids),
                    "classification": rng.choice(values_of("classification"))
                    if rng.random() < 0.6
                    else None,
                    "marketSegmentID": rng.choice(values_of("marketSegment"))
                    if rng.random() < 0.7
                    else None,
                    "territoryID": rng.choice(values_of("territory"))
                    if rng.random() < 0.5
                    else None,
                    "companyCategoryID": 101 if rng.random() < 0.1 else 100,
                    "createDate": ctx.stamp(rng, created),
                    "createdByResourceID": rng.choice(ctx.resource_ids),
                    "lastActivityDate": ctx.stamp(rng, modified),
                    "lastTrackedModifiedDateTime": ctx.stamp(rng, modified),
                    "isClientPortalActive": customer and rng.random() < 0.3,
                    "isTaskFireActive": False,
                    "isTaxExempt": rng.random() < 0.05,
                    "isSample": False,
                    "isEnabledForComanaged": rng.random() < 0.05,
                    "invoiceNonContractItemsToParentCompany": False,
                    "currencyID": 1,
                    "billToAddressToUse": 1,
                    "invoiceMethod": 1,
                },
                udfs,
            )
        )
        ctx.company_ids.append(company_id)
        ctx.company_names[company_id] = name
        if customer:
            ctx.customer_ids.append(company_id)
            ctx.customer_weights.append(rng.paretovariate(1.3))
        if not owner:
            record_id += 1 if rng.random() > 0.1 else rng.randint(2, 40)
    table.load(rows)


def seed_contacts(ctx: SeedContext) -> None:
    """Create contacts, mostly for customers; some inactive (isActive 0)."""
    table = ctx.store.table("Contacts")
    rng = ctx.rng("Contacts")
    rows = []
    record_id = 29684000
    mean = ctx.scale.contacts_per_company
    for company_id in ctx.company_ids:
        count = int(rng.expovariate(1 / mean)) if company_id else 3
        domain = text.ascii_slug(ctx.company_names[company_id])[:18] or "example"
        for index in range(min(count, 60)):
            first, last = rng.choice(text.FIRST_NAMES), rng.choice(text.SURNAMES)
            email = f"{text.ascii_slug(first)}.{text.ascii_slug(last)}@{domain}.example"
            created = ctx.epoch_back(rng, 3000, 30)
            modified = max(created + 3600, ctx.epoch_back(rng, 700, 0, recent_bias=2.0))
            rows.append(
                ctx.make(
                    table,
                    {
                        "id": record_id,
                        "companyID": company_id,
                        "firstName": first,
                        "lastName": last,
                        "isActive": 0 if rng.random() < 0.12 else 1,
                        "emailAddress": email.upper() if rng.random() < 0.03 else email,
                        "phone": text.phone_number(rng) if rng.random() < 0.7 else None,
                        "mobilePhone": text.phone_number(rng) if rng.random() < 0.4 else None,
                        "title": rng.choice(
                            (
                                "Office Manager",
                                "CEO",
                                "Accountant",
                                "IT Contact",
                                "Receptionist",
                                "Directrice générale",
                                None,
                            )
                        ),
                        "primaryContact": index == 0,
                        "billingContact": index == 0,
                        "namePrefix": rng.choice((None, None, 1, 2, 3, 4)),
                        "receivesEmailNotifications": True,
                        "isOptedOutFromBulkEmail": False,
                        "solicitationOptOut": False,
                        "surveyOptOut": False,
                        "createDate": ctx.stamp(rng, created),
                        "lastActivityDate": ctx.stamp(rng, modified),
                        "lastModifiedDate": ctx.stamp(rng, modified),
                    },
                    (rng.choice(("English", "Deutsch", "Français", None)),),
                )
            )
            ctx.contacts_by_company.setdefault(company_id, []).append(record_id)
            record_id += 1 if rng.random() > 0.05 else rng.randint(2, 9)
    table.load(rows)


def seed_opportunities(ctx: SeedContext) -> None:
    """Create sales opportunities for customers and prospects."""
    table = ctx.store.table("Opportunities")
    rng = ctx.rng("Opportunities")
    rows = []
    record_id = 29683100
    for company_id in ctx.company_ids[1:]:
        if rng.random() > 0.7:
            continue
        status = rng.choices((1, 3, 2, 4, 0), weights=(40, 30, 20, 5, 5))[0]
        created = ctx.epoch_back(rng, 1200, 10)
        activity = max(created + DAY, ctx.epoch_back(rng, 400, 0, recent_bias=2.0))
        amount = round(rng.uniform(500, 90000), 2)
        closing = created + rng.randint(20, 200) * DAY
        contacts = ctx.contacts_by_company.get(company_id)
        rows.append(
            ctx.make(
                table,
                {
                    "id": record_id,
                    "title": rng.choice(
                        (
                            "Firewall refresh",
                            "Microsoft 365 migration",
                            "Managed services 3y",
                            "Laptop rollout",
                            "Backup & DR",
                            "Wi-Fi upgrade",
                        )
                    ),
                    "companyID": company_id,
                    "contactID": rng.choice(contacts) if contacts else None,
                    "ownerResourceID": rng.choice(ctx.resource_ids),
                    "status": status,
                    "stage": {1: rng.choice((1, 2, 3, 4)), 3: 5, 2: 6, 4: 5, 0: 1}[status],
                    "probability": {
                        1: rng.choice((10, 25, 50, 75, 90)),
                        3: 100,
                        4: 100,
                        2: 0,
                        0: 5,
                    }[status],
                    "amount": amount,
                    "cost": round(amount * rng.uniform(0.4, 0.8), 2),
                    "rating": rng.choice((1, 2, 3, None)),
                    "leadSource": rng.choice((1, 2, 3, 4, None)),
                    "createDate": ctx.stamp(rng, created),
                    "lastActivity": ctx.stamp(rng, activity),
                    "projectedCloseDate": format_epoch_day(closing),
                    "closedDate": format_epoch_day(min(closing, activity))
                    if status in (2, 3, 4)
                    else None,
                    "creatorResourceID": rng.choice(ctx.resource_ids),
                    "useQuoteTotals": False,
                    "totalAmountMonths": 12,
                    "onetimeRevenue": amount,
                    "onetimeCost": 0.0,
                },
            )
        )
        record_id += rng.choice((1, 1, 2, 5))
    table.load(rows)
