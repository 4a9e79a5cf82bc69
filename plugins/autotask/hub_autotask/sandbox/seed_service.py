"""Seed generators for service delivery: Services, Contracts and their children,
Tickets (with DeletedTicketLogs for the gaps) and Projects."""

from __future__ import annotations

from hub_autotask.sandbox import seed_text as text
from hub_autotask.sandbox.seed_context import (
    DAY,
    SeedContext,
    format_epoch,
    format_epoch_day,
    maker,
    stamper,
)

SERVICES = (
    ("Managed Workstation", 45.0),
    ("Managed Server", 150.0),
    ("Help Desk per User", 25.0),
    ("Microsoft 365 Business Premium", 22.0),
    ("Backup per TB", 60.0),
    ("Firewall Management", 80.0),
    ("Endpoint Security (EDR)", 7.5),
    ("Network Monitoring", 35.0),
    ("Email Security & Archiving", 4.5),
    ("vCIO \u2013 Quarterly Review", 250.0),
)
CONTRACT_LABELS = {7: "Managed Services", 4: "Block Hours", 1: "T&M", 3: "Project"}
STATUS_WEIGHTS = ((5, 70), (1, 8), (8, 10), (7, 5), (12, 2), (13, 1), (19, 2), (21, 2))
SUB_ISSUES = {
    1: (101, 102, 103),
    2: (201, 202, 203),
    3: (301, 302, 303),
    4: (401, 402),
    5: (501, 502, 503),
}


def seed_services(ctx: SeedContext) -> None:
    """Create the recurring service catalogue."""
    table = ctx.store.table("Services")
    rng = ctx.rng("Services")
    rows = []
    for index, (name, price) in enumerate(SERVICES):
        created = ctx.epoch_back(rng, 3000, 400)
        record_id = 29683400 + index * 3
        ctx.service_prices[record_id] = (price, round(price * 0.55, 2))
        rows.append(
            ctx.make(
                table,
                {
                    "id": record_id,
                    "name": name,
                    "description": f"{name} (per unit, monthly)",
                    "unitPrice": price,
                    "unitCost": round(price * 0.55, 2),
                    "periodType": 1,
                    "isActive": index != 9 or rng.random() < 0.5,
                    "markupRate": None,
                    "createDate": ctx.stamp(rng, created),
                    "creatorResourceID": ctx.resource_ids[0],
                    "lastModifiedDate": ctx.stamp(rng, ctx.epoch_back(rng, 300, 0, recent_bias=2)),
                    "invoiceDescription": name,
                    "sku": f"SVC-{index:03d}",
                },
            )
        )
    table.load(rows)


def seed_contracts(ctx: SeedContext) -> None:
    """Create contracts for customers, with contract services and service units."""
    contracts = ctx.store.table("Contracts")
    services = ctx.store.table("ContractServices")
    units = ctx.store.table("ContractServiceUnits")
    rng = ctx.rng("Contracts")
    service_ids = sorted(ctx.service_prices)
    contract_rows, service_rows, unit_rows = [], [], []
    contract_id, service_row_id, unit_id = 29684100, 100000, 2000000
    for company_id in ctx.customer_ids:
        for number in range(rng.choice((0, 1, 1, 1, 2, 2, 3))):
            kind = rng.choices((7, 4, 1, 3), weights=(70, 12, 12, 6))[0]
            start = ctx.epoch_back(rng, 1500, 30)
            end = start + rng.choice((365, 730, 1095)) * DAY
            active = end > ctx.anchor_epoch and rng.random() < 0.95
            contract_rows.append(
                ctx.make(
                    contracts,
                    {
                        "id": contract_id,
                        "companyID": company_id,
                        "contractName": f"{ctx.company_names[company_id].strip()[:60]} \u2013 "
                        f"{CONTRACT_LABELS[kind]} {number + 1}",
                        "contractNumber": f"CN-{contract_id % 100000:05d}"
                        if rng.random() < 0.7
                        else None,
                        "contractType": kind,
                        "status": 1 if active else 0,
                        "contractCategory": rng.choice((1, 2, 3, 4)),
                        "contractPeriodType": 1 if kind == 7 else None,
                        "billingPreference": 2,
                        "timeReportingRequiresStartAndStopTimes": 0,
                        "startDate": format_epoch_day(start),
                        "endDate": format_epoch_day(end),
                        "estimatedRevenue": round(rng.uniform(1000, 120000), 2),
                        "estimatedCost": round(rng.uniform(500, 60000), 2),
                        "setupFee": 0.0,
                        "description": "Includes 24x7 monitoring" if rng.random() < 0.3 else None,
                        "isDefaultContract": number == 0 and rng.random() < 0.2,
                        "lastModifiedDateTime": ctx.stamp(
                            rng, ctx.epoch_back(rng, 500, 0, recent_bias=2)
                        ),
                        "serviceLevelAgreementID": rng.choice((1, 2, None)),
                    },
                    (f"PO-{rng.randrange(10**5):05d}" if rng.random() < 0.3 else None,),
                )
            )
            ctx.contracts_by_company.setdefault(company_id, []).append(contract_id)
            if kind == 7:
                for service_id in rng.sample(service_ids, rng.randint(1, 4)):
                    price, cost = ctx.service_prices[service_id]
                    service_rows.append(
                        ctx.make(
                            services,
                            {
                                "id": service_row_id,
                                "contractID": contract_id,
                                "serviceID": service_id,
                                "unitPrice": price,
                                "unitCost": cost,
                                "internalCurrencyUnitPrice": price,
                                "internalCurrencyAdjustedPrice": price,
                                "invoiceDescription": None if rng.random() < 0.5 else "Per device",
                            },
                        )
                    )
                    ctx.services_by_contract.setdefault(contract_id, []).append(
                        (service_row_id, service_id)
                    )
                    for period in range(rng.randint(1, 3)):
                        period_start = start + period * 30 * DAY
                        quantity = rng.randint(1, 80)
                        unit_rows.append(
                            ctx.make(
                                units,
                                {
                                    "id": unit_id,
                                    "contractID": contract_id,
                                    "contractServiceID": service_row_id,
                                    "serviceID": service_id,
                                    "startDate": format_epoch_day(period_start),
                                    "endDate": format_epoch_day(period_start + 29 * DAY),
                                    "units": quantity,
                                    "price": round(price * quantity, 2),
                                    "cost": round(cost * quantity, 2),
                                    "internalCurrencyPrice": round(price * quantity, 2),
                                },
                            )
                        )
                        unit_id += 1
                    service_row_id += rng.choice((1, 1, 4))
            contract_id += rng.choice((1, 1, 2, 9))
    contracts.load(contract_rows)
    services.load(service_rows)
    units.load(unit_rows)


def seed_tickets(ctx: SeedContext) -> None:
    """Create tickets in two id blocks; some ids were deleted and logged.

    This is the hot loop of a large start-up, hence the local aliases.
    """
    table = ctx.store.table("Tickets")
    logs = ctx.store.table("DeletedTicketLogs")
    rng = ctx.rng("Tickets")
    draw = rng.random
    stamp = stamper(rng)
    make = maker(table)
    count = ctx.scale.tickets
    companies = rng.choices(ctx.customer_ids, weights=ctx.customer_weights, k=count)
    statuses = rng.choices([s for s, _ in STATUS_WEIGHTS], [w for _, w in STATUS_WEIGHTS], k=count)
    titles = text.TICKET_TITLES
    resources = ctx.resource_ids
    priorities = (4, 1, 2, 2, 2, 3)
    queues = (5, 8, 29682833, 29682833, 29682969)
    issues = (1, 2, 3, 4, 5, None)
    sources = (2, 4, 4, 6, 11)
    kinds = (1, 1, 2, 2, 5)
    anchor = ctx.anchor_epoch
    description = "User reports the issue since Monday.\r\nTried rebooting."
    rows, log_rows = [], []
    record_id, log_id = 7000, 1
    for index in range(count):
        if index == count // 3:
            record_id = 120000
        company_id = companies[index]
        status = statuses[index]
        created = anchor - int((0.01 + draw() ** 1.6 * 1400) * DAY) - 1
        modified = min(anchor - 1, created + int(rng.expovariate(1 / (6 * DAY))))
        issue = issues[int(draw() * 6)]
        cis = ctx.cis_by_company.get(company_id)
        contacts = ctx.contacts_by_company.get(company_id)
        assigned = resources[int(draw() * len(resources))] if draw() < 0.7 else None
        changed = stamp(modified)
        created_text = stamp(created)
        rows.append(
            make(
                {
                    "id": record_id,
                    "companyID": company_id,
                    "status": status,
                    "ticketNumber": f"T{created_text[:10].replace('-', '')}.{index % 10000:04d}",
                    "title": titles[int(draw() * len(titles))],
                    "priority": priorities[int(draw() * 6)],
                    "queueID": queues[int(draw() * 5)],
                    "issueType": issue,
                    "subIssueType": SUB_ISSUES[issue][int(draw() * len(SUB_ISSUES[issue]))]
                    if issue and draw() < 0.8
                    else None,
                    "source": sources[int(draw() * 5)],
                    "ticketType": kinds[int(draw() * 5)],
                    "ticketCategory": 3,
                    "creatorType": 1,
                    "creatorResourceID": resources[int(draw() * len(resources))],
                    "configurationItemID": cis[int(draw() * len(cis))]
                    if cis and draw() < 0.3
                    else None,
                    "contactID": contacts[int(draw() * len(contacts))]
                    if contacts and draw() < 0.6
                    else None,
                    "assignedResourceID": assigned,
                    "assignedResourceRoleID": 29682999 if assigned else None,
                    "createDate": created_text,
                    "dueDateTime": format_epoch(created + 2 * DAY),
                    "completedDate": changed if status == 5 else None,
                    "lastActivityDate": changed,
                    "lastTrackedModificationDateTime": changed,
                    "estimatedHours": 0.0,
                    "serviceLevelAgreementID": 1 if draw() < 0.5 else None,
                    "isVisibleToComanaged": False,
                    "isAssignedToComanaged": False,
                    "description": description if draw() < 0.3 else None,
                },
                ("Hardware fault" if status == 5 and draw() < 0.2 else None,),
            )
        )
        step = 1 if draw() > 0.01 else 2
        if step == 2:
            log_rows.append(
                ctx.make(
                    logs,
                    {
                        "id": log_id,
                        "ticketID": record_id + 1,
                        "ticketNumber": f"T{index:08d}.X",
                        "ticketTitle": rng.choice(titles),
                        "deletedByResourceID": rng.choice(resources),
                        "deletedDateTime": stamp(min(anchor - 1, modified + 3600)),
                    },
                )
            )
            log_id += 1
        record_id += step
    table.load(rows)
    logs.load(log_rows)


def seed_projects(ctx: SeedContext) -> None:
    """Create onboarding and infrastructure projects."""
    table = ctx.store.table("Projects")
    rng = ctx.rng("Projects")
    rows = []
    record_id = 29683000
    for company_id in ctx.customer_ids[: max(5, len(ctx.customer_ids) // 3)]:
        start = ctx.epoch_back(rng, 900, -60)
        status = rng.choice((1, 2, 2, 5, 5, 8))
        contracts = ctx.contracts_by_company.get(company_id)
        rows.append(
            ctx.make(
                table,
                {
                    "id": record_id,
                    "projectName": rng.choice(
                        ("Onboarding", "Server migration", "Office move 🚚", "M365 rollout")
                    ),
                    "projectNumber": f"P{format_epoch_day(start)[:10].replace('-', '')}"
                    f".{record_id % 1000:04d}",
                    "projectType": 5,
                    "status": status,
                    "companyID": company_id,
                    "contractID": rng.choice(contracts)
                    if contracts and rng.random() < 0.5
                    else None,
                    "startDateTime": ctx.stamp(rng, start),
                    "endDateTime": ctx.stamp(rng, start + 60 * DAY),
                    "completedPercentage": 100 if status == 5 else rng.randint(0, 95),
                    "createDateTime": ctx.stamp(rng, start - 5 * DAY),
                    "lastActivityDateTime": ctx.stamp(
                        rng, ctx.epoch_back(rng, 300, 0, recent_bias=2)
                    ),
                    "projectLeadResourceID": rng.choice(ctx.resource_ids),
                    "department": 29682835,
                    "estimatedTime": float(rng.randint(8, 400)),
                },
            )
        )
        record_id += rng.choice((1, 1, 3))
    table.load(rows)
