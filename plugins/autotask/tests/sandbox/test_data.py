"""The generated tenant looks like a real MSP's data, messy parts included."""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

from hub_autotask.sandbox import Sandbox
from hub_autotask.sandbox.seed_context import Scale, SeedContext
from hub_autotask.sandbox.seed_crm import seed_companies, seed_resources
from hub_autotask.sandbox.store import Store

DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}T00:00:00$")
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z?$")


def udf(record: dict, name: str) -> str | None:
    return next(u["value"] for u in record["userDefinedFields"] if u["name"] == name)


def test_small_scale_sizes(sandbox: Sandbox) -> None:
    counts = sandbox.store.counts()
    assert 55 <= counts["Companies"] <= 70 and counts["ConfigurationItems"] == 1500
    for entity in (
        "Contacts",
        "Contracts",
        "ContractServices",
        "Services",
        "ContractServiceUnits",
        "Opportunities",
        "Tickets",
        "DeletedTicketLogs",
        "Projects",
        "Resources",
        "Products",
        "ConfigurationItemTypes",
        "ConfigurationItemCategories",
    ):
        assert counts[entity] > 0, entity


def many_companies(count: int = 1000) -> list[dict]:
    """Generate only companies, at a size where proportions are stable."""
    ctx = SeedContext(
        store=Store(),
        seed=1,
        api_username="api@example.com",
        scale=Scale(
            companies=count, cis=0, tickets=0, contacts_per_company=0, resources=5, products=0
        ),
    )
    seed_resources(ctx)
    seed_companies(ctx)
    table = ctx.store.table("Companies")
    return [table.to_record(row) for row in table.iter_from(-1)]


def test_company_types_and_activity_in_believable_proportions() -> None:
    companies = many_companies()
    types = Counter(c["companyType"] for c in companies)
    assert types[1] / len(companies) > 0.5
    assert {2, 3, 4, 6, 7, 8} <= set(types)
    inactive = sum(not c["isActive"] for c in companies) / len(companies)
    assert 0.05 < inactive < 0.2


def test_names_are_messy(sandbox: Sandbox) -> None:
    names = [c["companyName"] for c in many_companies()]
    assert any(not n.isascii() for n in names)
    assert any("&" in n for n in names) and any("'" in n or '"' in n for n in names)
    assert any(any(ord(ch) > 0xFFFF for ch in n) for n in names)  # emoji
    assert any(n != n.rstrip() for n in names)
    folded = Counter(n.strip().lower() for n in names)
    assert any(count > 1 for count in folded.values())


def test_configuration_items(sandbox: Sandbox) -> None:
    cis = sandbox.records("ConfigurationItems")
    serials = Counter(ci["serialNumber"] for ci in cis if ci["serialNumber"])
    assert any(ci["serialNumber"] in (None, "") for ci in cis)
    assert any(n > 1 for n in serials.values())
    for ci in cis:
        for name in ("installDate", "warrantyExpirationDate"):
            assert ci[name] is None or DATE_ONLY.match(ci[name])
        assert INSTANT.match(ci["lastModifiedTime"])
    warranties = [ci["warrantyExpirationDate"] for ci in cis if ci["warrantyExpirationDate"]]
    now = max(ci["lastModifiedTime"] for ci in cis)[:10]
    assert any(w[:10] < now for w in warranties) and any(w[:10] > now for w in warranties)
    assert any(ci["contractID"] for ci in cis) and any(ci["contractServiceID"] for ci in cis)


def test_udfs_on_records(sandbox: Sandbox) -> None:
    cis = sandbox.records("ConfigurationItems")
    assert any(re.match(r"^\d+\.0000$", udf(ci, "RAM") or "") for ci in cis)
    assert any(udf(ci, "OS Type") for ci in cis) and any(udf(ci, "Purchase Date") for ci in cis)
    protected = {udf(ci, "Local Admin Password") for ci in cis}
    assert protected == {"*****", None}
    companies = sandbox.records("Companies")
    assert any(udf(c, "NAV ID") for c in companies) and any(udf(c, "Tier") for c in companies)


def test_change_fields_are_in_the_past_and_spread(sandbox: Sandbox) -> None:
    fields = {
        "Companies": "lastTrackedModifiedDateTime",
        "Contacts": "lastModifiedDate",
        "ConfigurationItems": "lastModifiedTime",
        "Contracts": "lastModifiedDateTime",
        "Services": "lastModifiedDate",
        "Opportunities": "lastActivity",
        "Tickets": "lastTrackedModificationDateTime",
        "Projects": "lastActivityDateTime",
    }
    from hub_autotask.sandbox.dates import format_instant, utc_now

    now = format_instant(utc_now())
    for entity, field in fields.items():
        values = [r[field] for r in sandbox.records(entity)]
        assert all(v and v.rstrip("Z") < now for v in values), entity
        assert len({v[:7] for v in values}) > 1, entity
    fractions = {
        len(v.split(".")[1].rstrip("Z")) if "." in v else 0
        for v in (r["lastModifiedTime"] for r in sandbox.records("ConfigurationItems"))
    }
    assert 0 in fractions and 7 in fractions
    assert any(not r["createDate"].endswith("Z") for r in sandbox.records("Tickets"))


def test_deterministic_by_seed() -> None:
    one, two, other = Sandbox(seed=21), Sandbox(seed=21), Sandbox(seed=22)
    assert one.records("ConfigurationItems") == two.records("ConfigurationItems")
    assert one.records("Companies") != other.records("Companies")


def test_ids_start_near_zero_and_have_gaps(sandbox: Sandbox) -> None:
    company_ids = [c["id"] for c in sandbox.records("Companies")]
    assert company_ids[0] == 0
    ticket_ids = [t["id"] for t in sandbox.records("Tickets")]
    assert max(b - a for a, b in pairwise(ticket_ids)) > 1000
    logged = {log["ticketID"] for log in sandbox.records("DeletedTicketLogs")}
    assert logged and not logged & set(ticket_ids)
