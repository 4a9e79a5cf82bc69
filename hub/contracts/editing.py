"""Viewing and editing hub contracts: PSA-controlled fields stay read-only on imported ones.

An imported contract's ``Contract.PSA_FIELDS`` and services change only
through a contract sync; :func:`copy_to_local` makes a fully editable copy
(services and covered assets included). Local contracts are edited freely;
their cost is computed from their services when they have any.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect, select

from hub.apply.convert import columns_of, convert
from hub.contracts import DEFAULT_VENDOR
from hub.contracts.listing import hub_services, shown
from hub.contracts.remote import cost_of
from hub.errors import ValidationFailed
from hub.extensions import db
from hub.models import Asset, Company, Contract, ContractAsset, ContractService

LOCAL_FIELDS = ("vendor_name", "description")
EDITABLE = (*Contract.PSA_FIELDS, *LOCAL_FIELDS)
READ_ONLY_MESSAGE = "is managed in the PSA: change it there and sync, or copy to a local contract"


def contract_view(contract: Contract) -> dict[str, Any]:
    """Return a contract with its services, covered assets and which fields are read-only."""
    assets = db.session.execute(
        select(Asset.id, Asset.name, ContractAsset.source)
        .join(ContractAsset, ContractAsset.asset_id == Asset.id)
        .where(ContractAsset.contract_id == contract.id)
        .order_by(Asset.name)
    ).all()
    read_only = list(Contract.PSA_FIELDS) if contract.imported_from_psa else []
    return {
        "id": contract.id,
        "company_id": contract.company_id,
        **{name: shown(getattr(contract, name)) for name in EDITABLE},
        "imported_from_psa": contract.imported_from_psa,
        "import_source": contract.import_source,
        "remote_id": contract.remote_id,
        "remote_flag": contract.remote_flag,
        "remote_removed_at": shown(contract.remote_removed_at),
        "last_synced_at": shown(contract.last_synced_at),
        "copied_from_id": contract.copied_from_id,
        "read_only": read_only,
        "services": [
            {
                "id": s.id,
                "name": s.name,
                "unit_price": shown(s.unit_price),
                "unit_cost": shown(s.unit_cost),
                "units": shown(s.units),
            }
            for s in hub_services(contract)
        ],
        "assets": [{"id": a.id, "name": a.name, "source": a.source} for a in assets],
    }


def company_contracts(company: Company) -> list[Contract]:
    """Return the hub contracts of a company, imported ones first."""
    return list(
        db.session.scalars(
            select(Contract)
            .where(Contract.tenant_id == company.tenant_id, Contract.company_id == company.id)
            .order_by(Contract.imported_from_psa.desc(), Contract.name, Contract.id)
        )
    )


def _converted(changes: Mapping[str, Any]) -> dict[str, Any]:
    columns = columns_of(inspect(Contract))
    values: dict[str, Any] = {}
    errors: dict[str, list[str] | str] = {}
    for name, raw in changes.items():
        if name not in EDITABLE:
            errors[name] = "is not a contract field"
            continue
        value, error = convert(columns[name], raw.strip() if isinstance(raw, str) else raw)
        if error:
            errors[name] = error
        values[name] = value
    if "name" in values and not values["name"]:
        errors["name"] = "must not be blank"
    if errors:
        raise ValidationFailed(errors, what="contract")
    return values


def update_contract(
    contract: Contract, changes: Mapping[str, Any], *, commit: bool = True
) -> Contract:
    """Change a contract's fields; PSA-controlled ones of an imported contract are refused."""
    if contract.imported_from_psa:
        locked = {
            name: READ_ONLY_MESSAGE
            for name, value in changes.items()
            if name in Contract.PSA_FIELDS and value != shown(getattr(contract, name))
        }
        if locked:
            raise ValidationFailed(dict(locked), what="contract")
        changes = {k: v for k, v in changes.items() if k not in Contract.PSA_FIELDS}
    for name, value in _converted(changes).items():
        setattr(contract, name, value)
    if commit:
        db.session.commit()
    return contract


def set_services(
    contract: Contract, services: Sequence[Mapping[str, Any]], *, commit: bool = True
) -> Contract:
    """Replace a local contract's services; its cost becomes their sum."""
    if contract.imported_from_psa:
        raise ValidationFailed({"services": READ_ONLY_MESSAGE}, what="contract")
    columns = columns_of(inspect(ContractService))
    rows: list[dict[str, Any]] = []
    errors: dict[str, list[str] | str] = {}
    for index, raw in enumerate(services):
        row: dict[str, Any] = {}
        for name in ("name", "unit_price", "unit_cost", "units"):
            value, error = convert(columns[name], raw.get(name))
            if error:
                errors[f"services.{index}.{name}"] = error
            row[name] = value
        if not row["name"]:
            errors[f"services.{index}.name"] = "must not be blank"
        rows.append(row)
    if errors:
        raise ValidationFailed(errors, what="services")
    for old in hub_services(contract):
        db.session.delete(old)
    for row in rows:
        db.session.add(
            ContractService(tenant_id=contract.tenant_id, contract_id=contract.id, **row)
        )
    if rows:
        contract.billing_cost = cost_of(rows)
    if commit:
        db.session.commit()
    return contract


def copy_to_local(contract: Contract) -> Contract:
    """Make a fully editable local copy of a contract, its services and covered assets."""
    copy = Contract(
        tenant_id=contract.tenant_id,
        company_id=contract.company_id,
        **{name: getattr(contract, name) for name in Contract.PSA_FIELDS},
        vendor_name=contract.vendor_name or DEFAULT_VENDOR,
        description=contract.description,
        imported_from_psa=False,
        copied_from_id=contract.id,
    )
    copy.name = f"{contract.name} (local copy)"[:255]
    db.session.add(copy)
    db.session.flush()
    for service in hub_services(contract):
        db.session.add(
            ContractService(
                tenant_id=contract.tenant_id,
                contract_id=copy.id,
                name=service.name,
                unit_price=service.unit_price,
                unit_cost=service.unit_cost,
                units=service.units,
            )
        )
    for asset_id in db.session.scalars(
        select(ContractAsset.asset_id).where(ContractAsset.contract_id == contract.id)
    ):
        db.session.add(
            ContractAsset(
                tenant_id=contract.tenant_id, contract_id=copy.id, asset_id=asset_id, source="hub"
            )
        )
    db.session.commit()
    return copy


def total_cost(contracts: list[Contract]) -> Decimal:
    """Return the summed billing cost of contracts (missing costs count as zero)."""
    return sum((c.billing_cost or Decimal(0) for c in contracts), Decimal(0))
