"""API: hub companies' contracts, "Sync from PSA" (list, import), editing and local copies.

Imported contracts' PSA-controlled fields answer 422 when changed here: they
change only through a contract sync. Reading the PSA listing and importing
cost no API calls (they read the mirror); ``POST .../contracts/sync`` pulls
the contract streams first and then re-imports what was imported.
"""

from __future__ import annotations

from typing import Any

from flask import g
from flask_smorest import Blueprint

from hub.api.auth import authenticate, fail, hub_errors, tenant_integration
from hub.contracts.actions import (
    company_overview,
    import_for_company,
    remote_listing,
    request_contract_sync,
    tenant_company,
    tenant_contract,
)
from hub.contracts.editing import contract_view, copy_to_local, set_services, update_contract
from hub.integration_actions import run_view
from hub.models import Company, Contract
from hub.schemas.contracts import (
    CompanyContractsSchema,
    ContractChangeSchema,
    ContractSchema,
    ImportRequestSchema,
    ImportResultSchema,
    RemoteListingArgsSchema,
    RemoteListingSchema,
    ServicesChangeSchema,
)
from hub.schemas.runs import SyncStartedSchema

blp = Blueprint("api_contracts", __name__, description="Contracts: import from the PSA, edit, copy")
blp.before_request(authenticate)


def _company(company_id: int) -> Company:
    company = tenant_company(g.tenant_id, company_id)
    if company is None:
        fail(404, f"there is no company {company_id}")
    return company


def _contract(contract_id: int) -> Contract:
    contract = tenant_contract(g.tenant_id, contract_id)
    if contract is None:
        fail(404, f"there is no contract {contract_id}")
    return contract


@blp.route("/companies/<int:company_id>/contracts")
@blp.response(200, CompanyContractsSchema)
def company_contracts(company_id: int) -> dict[str, Any]:
    """A company's hub contracts with services, assets, total cost and last synced."""
    return company_overview(_company(company_id))


@blp.route("/companies/<int:company_id>/contracts/psa")
@blp.arguments(RemoteListingArgsSchema, location="query")
@blp.response(200, RemoteListingSchema)
def psa_listing(args: dict[str, Any], company_id: int) -> dict[str, Any]:
    """The company's remote contracts (and services), marked new or changed, with diffs."""
    company = _company(company_id)
    with hub_errors():
        return remote_listing(company, args["integration"], services=args["services"])


@blp.route("/companies/<int:company_id>/contracts/psa/import", methods=["POST"])
@blp.arguments(ImportRequestSchema)
@blp.response(200, ImportResultSchema)
def psa_import(body: dict[str, Any], company_id: int) -> dict[str, Any]:
    """Import (or re-import) the selected ``contract:<id>`` / ``service:<id>`` keys."""
    company = _company(company_id)
    with hub_errors():
        return import_for_company(company, body["selected"], body["integration"]).as_dict()


@blp.route("/contracts/<int:contract_id>")
@blp.response(200, ContractSchema)
def contract(contract_id: int) -> dict[str, Any]:
    """One contract with its services, covered assets and read-only fields."""
    return contract_view(_contract(contract_id))


@blp.route("/contracts/<int:contract_id>", methods=["PATCH"])
@blp.arguments(ContractChangeSchema)
@blp.response(200, ContractSchema)
def change_contract(body: dict[str, Any], contract_id: int) -> dict[str, Any]:
    """Change fields; an imported contract's PSA-controlled fields answer 422."""
    found = _contract(contract_id)
    with hub_errors():
        return contract_view(update_contract(found, body))


@blp.route("/contracts/<int:contract_id>/services", methods=["PUT"])
@blp.arguments(ServicesChangeSchema)
@blp.response(200, ContractSchema)
def change_services(body: dict[str, Any], contract_id: int) -> dict[str, Any]:
    """Replace a local contract's services (its cost becomes their sum)."""
    found = _contract(contract_id)
    with hub_errors():
        return contract_view(set_services(found, body["services"]))


@blp.route("/contracts/<int:contract_id>/copy", methods=["POST"])
@blp.response(201, ContractSchema)
def copy_contract(contract_id: int) -> dict[str, Any]:
    """Copy to local contract: a fully editable copy with services and covered assets."""
    return contract_view(copy_to_local(_contract(contract_id)))


@blp.route("/integrations/<connector>/contracts/sync", methods=["POST"])
@blp.response(202, SyncStartedSchema)
def contract_sync(connector: str) -> dict[str, Any]:
    """Pull the contract streams now, then re-import every imported contract."""
    integration = tenant_integration(connector)
    with hub_errors():
        run, created = request_contract_sync(integration)
    return {"created": created, "run": run_view(run)}
