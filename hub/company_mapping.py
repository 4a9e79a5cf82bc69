"""Company mapping: which remote companies become which hub companies.

The admin sees the remote companies of the mirror (filtered by type, active
or inactive, mapped or not), each with a proposed hub company: the exact
name (case- and whitespace-insensitive), else the closest name with a
confidence score that the admin confirms. Mapping links the hub company to
the remote record; "Create unmapped" creates hub companies for the chosen
remote ones. The first change by hand switches the integration to explicit
company selection: from then on exactly the mapped companies are applied
(``select`` matches nothing, ``include`` lists the mapped ids), so an
unmapped company stays unmapped. Unmapping a company that apply created
deletes it from the hub; a pre-existing hub company (``adopted``) is only
unlinked. Every change re-applies from the mirror.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from hub.apply.engine import delete_records, normalise_name, release_records
from hub.connector import ModelMapping
from hub.connectors import get_connector
from hub.errors import ValidationFailed
from hub.extensions import db
from hub.mapping_store import (
    change_apply_options,
    mapping_for,
    mirror_rows,
    read_sources,
    value_key,
)
from hub.models import Company, Integration, MirrorRecord

FUZZY_CUTOFF = 0.6
FILTERS_ACTIVE = ("all", "active", "inactive")
FILTERS_MAPPED = ("all", "mapped", "unmapped")


@dataclass
class RemoteCompany:
    """One remote company as the mapping page lists it."""

    remote_id: str
    mirror_id: int
    name: str
    type_value: str | None
    type_label: str
    active: bool
    mapped_to: Company | None = None
    proposal: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the row as JSON-ready data."""
        mapped = self.mapped_to
        return {
            "remote_id": self.remote_id,
            "name": self.name,
            "type": {"value": self.type_value, "label": self.type_label},
            "active": self.active,
            "mapped_to": {"id": mapped.id, "name": mapped.name} if mapped else None,
            "proposal": self.proposal,
        }


def company_mapping(integration: Integration) -> ModelMapping:
    """Return the mapping that feeds hub companies, or refuse when the connector has none."""
    mapping = mapping_for(integration, "company")
    if mapping is None:
        raise ValidationFailed(
            {"connector": [f"{integration.connector} provides no companies"]}, what="request"
        )
    return mapping


def picklist_labels(integration: Integration, model: str) -> dict[str, str]:
    """Return remote value -> label of the picklist stream feeding hub ``model``."""
    mapping = mapping_for(integration, model)
    if mapping is None:
        return {}
    sources = mapping.fields.get("name", ())
    return {
        row.remote_id: str(read_sources(row.data, sources) or row.remote_id)
        for row in mirror_rows(integration, mapping.stream)
    }


def _active(mapping: ModelMapping, data: dict[str, Any], status_labels: dict[str, str]) -> bool:
    if "is_active" in mapping.fields:
        value = read_sources(data, mapping.fields["is_active"])
        return value is None or value_key(value) in ("true", "1")
    if "status_id" in mapping.references:
        _, remote_field = mapping.references["status_id"]
        label = status_labels.get(value_key(data.get(remote_field)) or "", "")
        return not label or label.casefold() != "inactive"
    return True


def remote_companies(integration: Integration) -> list[RemoteCompany]:
    """Return every live remote company of the mirror with its type, activity and mapping.

    One read of the stream's mirror rows (columns only, no ORM objects), so
    filtering thousands of companies stays a matter of milliseconds.
    """
    mapping = company_mapping(integration)
    type_field = mapping.references.get("type_id", (None, None))[1]
    type_labels = picklist_labels(integration, "company_type")
    status_labels = picklist_labels(integration, "company_status")
    linked = {
        c.mirror_id: c
        for c in db.session.scalars(
            select(Company).where(
                Company.tenant_id == integration.tenant_id,
                Company.integration_id == integration.id,
                Company.mirror_id.is_not(None),
            )
        )
    }
    name_sources = mapping.fields.get("name", ())
    rows = []
    for mirror_id, remote_id, data in db.session.execute(
        select(MirrorRecord.id, MirrorRecord.remote_id, MirrorRecord.data).where(
            MirrorRecord.integration_id == integration.id,
            MirrorRecord.tenant_id == integration.tenant_id,
            MirrorRecord.stream == mapping.stream,
            MirrorRecord.deleted_at.is_(None),
        )
    ):
        type_value = value_key(data.get(type_field)) if type_field else None
        name = read_sources(data, name_sources)
        rows.append(
            RemoteCompany(
                remote_id=remote_id,
                mirror_id=mirror_id,
                name=str(name) if name is not None else f"(company {remote_id})",
                type_value=type_value,
                type_label=type_labels.get(type_value or "", type_value or ""),
                active=_active(mapping, data, status_labels),
                mapped_to=linked.get(mirror_id),
            )
        )
    return rows


def _unlinked_companies(integration: Integration) -> list[Company]:
    return list(
        db.session.scalars(
            select(Company)
            .where(Company.tenant_id == integration.tenant_id, Company.mirror_id.is_(None))
            .order_by(Company.name)
        )
    )


def propose(name: str, candidates: list[Company]) -> dict[str, Any] | None:
    """Return the proposed hub company for ``name``: exact first, else the closest name."""
    wanted = normalise_name(name)
    by_name = {normalise_name(c.name): c for c in candidates}
    if wanted in by_name:
        match = by_name[wanted]
        return {"company_id": match.id, "name": match.name, "method": "exact", "confidence": 1.0}
    close = difflib.get_close_matches(wanted, list(by_name), n=1, cutoff=FUZZY_CUTOFF)
    if not close:
        return None
    match = by_name[close[0]]
    score = difflib.SequenceMatcher(None, wanted, close[0]).ratio()
    return {"company_id": match.id, "name": match.name, "method": "fuzzy",
            "confidence": round(score, 2)}  # fmt: skip


def list_companies(
    integration: Integration,
    *,
    types: list[str] | None = None,
    active: str = "all",
    mapped: str = "all",
    search: str = "",
    limit: int = 100,
    offset: int = 0,
    proposals: bool = True,
) -> dict[str, Any]:
    """Return one page of filtered remote companies (with proposals) and the filter choices."""
    rows = remote_companies(integration)
    type_choices = sorted(
        {(r.type_value, r.type_label) for r in rows if r.type_value is not None},
        key=lambda t: t[1].casefold(),
    )
    wanted_types = {t for t in types or [] if t}
    needle = normalise_name(search)
    shown = [
        r
        for r in rows
        if (not wanted_types or r.type_value in wanted_types)
        and (active == "all" or r.active == (active == "active"))
        and (mapped == "all" or (r.mapped_to is not None) == (mapped == "mapped"))
        and (not needle or needle in normalise_name(r.name))
    ]
    shown.sort(key=lambda r: normalise_name(r.name))
    page = shown[offset : offset + limit]
    candidates = _unlinked_companies(integration)
    for row in page if proposals else []:
        if row.mapped_to is None:
            row.proposal = propose(row.name, candidates)
    return {
        "total": len(shown),
        "offset": offset,
        "limit": limit,
        "mapped": sum(1 for r in rows if r.mapped_to is not None),
        "remote_total": len(rows),
        "items": [r.as_dict() for r in page],
        "types": [{"value": v, "label": label} for v, label in type_choices],
        "hub_companies": [{"id": c.id, "name": c.name} for c in candidates],
    }


def _mirror_row(integration: Integration, stream: str, remote_id: str) -> MirrorRecord:
    row = db.session.scalar(
        select(MirrorRecord).where(
            MirrorRecord.integration_id == integration.id,
            MirrorRecord.tenant_id == integration.tenant_id,
            MirrorRecord.stream == stream,
            MirrorRecord.remote_id == str(remote_id),
            MirrorRecord.deleted_at.is_(None),
        )
    )
    if row is None:
        raise ValidationFailed({"remote_id": [f"no remote company {remote_id}"]}, what="mapping")
    return row


def _linked(integration: Integration, mirror_id: int) -> Company | None:
    return db.session.scalar(
        select(Company).where(
            Company.tenant_id == integration.tenant_id, Company.mirror_id == mirror_id
        )
    )


def _link(integration: Integration, company: Company, row: MirrorRecord) -> None:
    if company.mirror_id is None and company.id is not None:
        company.adopted = True  # it existed in the hub before: unlinking never deletes it
    company.integration_id = integration.id
    company.mirror_id = row.id
    company.remote_id = row.remote_id


def _unlink(company: Company) -> str:
    """Take a company out of the integration: unlink it if adopted, else delete it."""
    db.session.flush()
    if release_records(Company, [company.id]):
        outcome = "unlinked"
    else:
        delete_records(Company, [company.id])
        outcome = "deleted"
    return outcome


def _explicit(integration: Integration, mapping: ModelMapping, apply: dict[str, Any]) -> set[str]:
    """Switch to explicit selection (keeping what is mapped now); return the include set."""
    key = get_connector(integration.connector).stream(mapping.stream).primary_key
    selects = apply.setdefault("select", {})
    include = set(map(str, apply.setdefault("include", {}).get("company", [])))
    if selects.get("company") != {key: []}:
        selects["company"] = {key: []}
        include |= {
            str(rid)
            for rid in db.session.scalars(
                select(Company.remote_id).where(
                    Company.integration_id == integration.id, Company.mirror_id.is_not(None)
                )
            )
        }
    return include


def _store(integration: Integration, mapping: ModelMapping, add: set[str], drop: set[str]) -> bool:
    def change(apply: dict[str, Any]) -> None:
        include = (_explicit(integration, mapping, apply) | add) - drop
        apply["include"]["company"] = sorted(include)

    return change_apply_options(integration, change)


def map_company(integration: Integration, remote_id: str, company_id: int) -> Company:
    """Map a remote company to an existing hub company (re-mapping if it had another)."""
    mapping = company_mapping(integration)
    row = _mirror_row(integration, mapping.stream, remote_id)
    company = db.session.get(Company, company_id)
    if company is None or company.tenant_id != integration.tenant_id:
        raise ValidationFailed({"company_id": [f"no hub company {company_id}"]}, what="mapping")
    if company.mirror_id is not None and company.mirror_id != row.id:
        taken = f"{company.name} is already mapped to another remote company; unmap it first"
        raise ValidationFailed({"company_id": [taken]}, what="mapping")
    current = _linked(integration, row.id)
    if current is not None and current.id != company.id:
        _unlink(current)
    _link(integration, company, row)
    _store(integration, mapping, {row.remote_id}, set())
    return company


def unmap_company(integration: Integration, remote_id: str) -> str | None:
    """Unmap a remote company; return what happened to its hub company.

    ``"unlinked"``: a pre-existing hub company stays, hub-only; ``"deleted"``:
    the company apply created from the remote one leaves the hub (its
    contacts and assets follow at the re-apply); ``None``: it was not mapped.
    """
    mapping = company_mapping(integration)
    row = _mirror_row(integration, mapping.stream, remote_id)
    company = _linked(integration, row.id)
    outcome = _unlink(company) if company is not None else None
    _store(integration, mapping, set(), {row.remote_id})
    return outcome


def create_unmapped(integration: Integration, remote_ids: list[str]) -> dict[str, int]:
    """Create (or, on an exact name, link) hub companies for unmapped remote ones; map them."""
    mapping = company_mapping(integration)
    by_name = {normalise_name(c.name): c for c in _unlinked_companies(integration)}
    counts = {"created": 0, "linked": 0, "already_mapped": 0}
    added = set()
    for remote_id in dict.fromkeys(str(r) for r in remote_ids):
        row = _mirror_row(integration, mapping.stream, remote_id)
        added.add(row.remote_id)
        if _linked(integration, row.id) is not None:
            counts["already_mapped"] += 1
            continue
        name = str(read_sources(row.data, mapping.fields.get("name", ())) or f"({remote_id})")
        company = by_name.pop(normalise_name(name), None)
        if company is None:
            company = Company(tenant_id=integration.tenant_id, name=name[:255])
            db.session.add(company)
            counts["created"] += 1
        else:
            counts["linked"] += 1
        _link(integration, company, row)
        db.session.flush()
    _store(integration, mapping, added, set())
    return counts


def unmapped_ids(integration: Integration, **filters: Any) -> list[str]:
    """Return the remote ids of every unmapped company matching the list filters."""
    filters = {k: v for k, v in filters.items() if k not in ("mapped", "limit", "offset")}
    listing = list_companies(
        integration, mapped="unmapped", limit=10**9, proposals=False, **filters
    )
    return [item["remote_id"] for item in listing["items"]]
