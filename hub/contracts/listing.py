"""The "Sync from PSA" listing: a company's remote contracts, marked new, changed or removed.

A contract is *new* when it was not listed at the company's last import,
*changed* when its projection differs from the imported hub contract (with a
per-field diff), *removed* when the PSA deleted or deactivated an imported
one, *imported* when it is in step, and *available* otherwise. Services carry
the same marks when shown, so one can be imported alone.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from hub.contracts.remote import RemoteContract, RemoteService, company_contracts, project_rows
from hub.contracts.source import ContractSetup, rows_where
from hub.extensions import db
from hub.models import Contract, ContractImportState, ContractService

LABELS = {
    "name": "Name",
    "number": "Number",
    "status": "Status",
    "contract_type": "Type",
    "start_date": "Start date",
    "end_date": "End date",
    "billing_cost": "Billing cost",
    "billing_cycle": "Billing cycle",
}
SERVICE_FIELDS = ("name", "unit_price", "unit_cost", "units")


def shown(value: Any) -> Any:
    """Return a value as JSON and pages show it."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def service_key(remote_id: str) -> str:
    """The selection key of a remote service imported alone."""
    return f"service:{remote_id}"


def contract_key(remote_id: str) -> str:
    """The selection key of a remote contract."""
    return f"contract:{remote_id}"


def imported_contracts(setup: ContractSetup, source: str) -> dict[str, Contract]:
    """Return remote id -> hub contract imported from ``source`` ("contract" or "service")."""
    rows = db.session.scalars(
        select(Contract).where(
            Contract.integration_id == setup.integration.id,
            Contract.tenant_id == setup.integration.tenant_id,
            Contract.import_source == source,
        )
    )
    return {row.remote_id or "": row for row in rows}


def _service_values(service: ContractService) -> dict[str, Any]:
    return {name: getattr(service, name) for name in SERVICE_FIELDS}


def diff(
    hub: Contract, values: dict[str, Any], services: list[RemoteService]
) -> list[dict[str, Any]]:
    """Return what an import would change on ``hub``, field by field and service by service."""
    changes = [
        {
            "field": name,
            "label": label,
            "hub": shown(getattr(hub, name)),
            "psa": shown(values.get(name)),
        }
        for name, label in LABELS.items()
        if getattr(hub, name) != values.get(name)
    ]
    current = {s.remote_id or "": s for s in hub_services(hub)}
    remote = {s.remote_id: s for s in services}
    for key, service in remote.items():
        old = current.get(key)
        if old is None:
            changes.append(
                {
                    "field": "services",
                    "label": "Service added",
                    "hub": None,
                    "psa": service.values["name"],
                }
            )
            continue
        for name in SERVICE_FIELDS:
            if getattr(old, name) != service.values.get(name):
                changes.append(
                    {
                        "field": f"services.{name}",
                        "label": f"{service.values['name']}: {name}",
                        "hub": shown(getattr(old, name)),
                        "psa": shown(service.values.get(name)),
                    }
                )
    for key, old in current.items():
        if key not in remote:
            changes.append(
                {"field": "services", "label": "Service removed", "hub": old.name, "psa": None}
            )
    return changes


def hub_services(contract: Contract) -> list[ContractService]:
    """Return a hub contract's services in the order they were added."""
    return list(
        db.session.scalars(
            select(ContractService)
            .where(ContractService.contract_id == contract.id)
            .order_by(ContractService.id)
        )
    )


def _mark(hub: Contract | None, changes: list[dict[str, Any]], key: str, seen: set[str]) -> str:
    if hub is None:
        return "available" if key in seen else "new"
    return "changed" if changes else "imported"


def psa_state(contract: RemoteContract) -> str | None:
    """Return ``"deleted"`` or ``"deactivated"`` when the PSA removed the contract."""
    if contract.deleted:
        return "deleted"
    return None if contract.active else "deactivated"


def service_contract_values(contract: RemoteContract, service: RemoteService) -> dict[str, Any]:
    """Return the values of a hub contract made from one service of ``contract`` alone."""
    values = dict(contract.values)
    values["name"] = f"{service.values['name']} ({contract.values['name']})"[:255]
    units = service.values.get("units") or 1
    price = service.values.get("unit_price")
    values["billing_cost"] = (
        (Decimal(price) * Decimal(units)).quantize(Decimal("0.01")) if price is not None else None
    )
    return values


def import_state(setup: ContractSetup, company_remote_id: str) -> ContractImportState | None:
    """Return the company's import state in the setup's integration."""
    return db.session.scalar(
        select(ContractImportState).where(
            ContractImportState.integration_id == setup.integration.id,
            ContractImportState.company_remote_id == company_remote_id,
        )
    )


def _removed_contracts(
    setup: ContractSetup, imported: dict[str, Contract], live: set[str]
) -> list[RemoteContract]:
    """Imported contracts of this company that are no longer live in the PSA."""
    gone = [rid for rid in imported if rid not in live]
    if not gone:
        return []
    rows = rows_where(setup.integration, setup.contract.stream, None, gone, include_deleted=True)
    return project_rows(setup, [r for r in rows if r.deleted_at is not None])


def listing(
    setup: ContractSetup, company_remote_id: str, company_id: int, *, with_services: bool
) -> dict[str, Any]:
    """Return the company's remote contracts with marks, diffs and (optionally) services."""
    contracts = company_contracts(setup, company_remote_id)
    imported = imported_contracts(setup, "contract")
    mine = {rid: c for rid, c in imported.items() if c.company_id == company_id}
    contracts += _removed_contracts(setup, mine, {c.remote_id for c in contracts})
    alone = imported_contracts(setup, "service")
    state = import_state(setup, company_remote_id)
    seen = set(state.seen or []) if state else set()
    items: list[dict[str, Any]] = []
    for contract in contracts:
        hub = imported.get(contract.remote_id)
        key = contract_key(contract.remote_id)
        changes = (
            diff(hub, contract.values, contract.services) if hub and not contract.deleted else []
        )
        item: dict[str, Any] = {
            "key": key,
            "remote_id": contract.remote_id,
            "values": {k: shown(v) for k, v in contract.values.items()},
            "active": contract.active,
            "deleted": contract.deleted,
            "mark": _mark(hub, changes, key, seen),
            "psa_state": psa_state(contract),
            "hub_contract_id": hub.id if hub else None,
            "changes": changes,
            "assets": len(contract.asset_remote_ids),
            "services": [],
        }
        if with_services:
            for service in contract.services:
                skey = service_key(service.remote_id)
                alone_hub = alone.get(service.remote_id)
                values = service_contract_values(contract, service)
                schanges = diff(alone_hub, values, [service]) if alone_hub else []
                item["services"].append(
                    {
                        "key": skey,
                        "remote_id": service.remote_id,
                        "values": {k: shown(v) for k, v in service.values.items()},
                        "mark": _mark(alone_hub, schanges, skey, seen),
                        "hub_contract_id": alone_hub.id if alone_hub else None,
                        "changes": schanges,
                    }
                )
        items.append(item)
    return {
        "integration": setup.integration.connector,
        "company_remote_id": company_remote_id,
        "last_imported_at": state.imported_at.isoformat() if state and state.imported_at else None,
        "items": items,
    }
