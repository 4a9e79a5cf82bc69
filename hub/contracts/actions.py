"""What the contract pages and the JSON API do, in one place, scoped to one tenant."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from hub.contracts.editing import company_contracts, contract_view, total_cost
from hub.contracts.importer import ImportResult, import_selected
from hub.contracts.listing import listing, shown
from hub.contracts.source import ContractSetup, company_source, contract_setup
from hub.errors import ConfigurationError, ValidationFailed
from hub.extensions import db
from hub.jobs import request_sync
from hub.models import Company, Contract, Integration, StreamState, SyncRun

NO_SOURCE = (
    "No enabled integration provides contracts for this company (it is not linked to a "
    "remote company, and none has the same name)."
)


def tenant_company(tenant_id: int, company_id: int) -> Company | None:
    """Return the tenant's company ``company_id`` (``None``: not the tenant's, or absent)."""
    company = db.session.get(Company, company_id)
    return company if company is not None and company.tenant_id == tenant_id else None


def tenant_contract(tenant_id: int, contract_id: int) -> Contract | None:
    """Return the tenant's contract ``contract_id`` (``None``: not the tenant's, or absent)."""
    contract = db.session.get(Contract, contract_id)
    return contract if contract is not None and contract.tenant_id == tenant_id else None


def list_companies(tenant_id: int, search: str = "", limit: int = 200) -> list[dict[str, Any]]:
    """Return the tenant's hub companies with their contract counts, by name."""
    counts = (
        select(Contract.company_id, func.count(Contract.id).label("n"))
        .where(Contract.tenant_id == tenant_id)
        .group_by(Contract.company_id)
        .subquery()
    )
    query = (
        select(Company.id, Company.name, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.company_id == Company.id)
        .where(Company.tenant_id == tenant_id)
        .order_by(Company.name)
        .limit(limit)
    )
    if search:
        query = query.where(Company.name.ilike(f"%{search}%"))
    return [{"id": i, "name": n, "contracts": c} for i, n, c in db.session.execute(query)]


def mirror_synced_at(setup: ContractSetup) -> str | None:
    """Return when the integration's contract stream was last pulled."""
    return shown(
        db.session.scalar(
            select(StreamState.last_synced_at).where(
                StreamState.integration_id == setup.integration.id,
                StreamState.stream == setup.contract.stream,
            )
        )
    )


def company_overview(company: Company) -> dict[str, Any]:
    """Return a company's contracts, their total cost, and its PSA source with last synced."""
    contracts = company_contracts(company)
    found = company_source(company)
    psa = None
    if found is not None:
        setup, remote_id = found
        psa = {
            "connector": setup.integration.connector,
            "company_remote_id": remote_id,
            "mirror_synced_at": mirror_synced_at(setup),
        }
    return {
        "company": {"id": company.id, "name": company.name},
        "contracts": [contract_view(c) for c in contracts],
        "total_cost": shown(total_cost(contracts)),
        "psa": psa,
    }


def _source(company: Company, connector: str | None) -> tuple[ContractSetup, str]:
    found = company_source(company, connector)
    if found is None:
        raise ConfigurationError(NO_SOURCE)
    return found


def remote_listing(company: Company, connector: str | None, *, services: bool) -> dict[str, Any]:
    """Return the "Sync from PSA" listing of a company's remote contracts."""
    setup, remote_id = _source(company, connector)
    found = listing(setup, remote_id, company.id, with_services=services)
    found["mirror_synced_at"] = mirror_synced_at(setup)
    return found


def import_for_company(company: Company, keys: list[str], connector: str | None) -> ImportResult:
    """Import the selected remote contracts and services into hub contracts of ``company``."""
    setup, remote_id = _source(company, connector)
    return import_selected(setup, company.id, remote_id, [k.strip() for k in keys if k.strip()])


def request_contract_sync(integration: Integration) -> tuple[SyncRun, bool]:
    """Queue a contract sync: pull the contract streams, then re-import imported contracts."""
    setup = contract_setup(integration)
    if setup is None:
        raise ValidationFailed(
            {"connector": [f"{integration.connector} provides no contracts"]}, what="request"
        )
    return request_sync(integration, streams=setup.refresh_streams(), trigger="contracts")
