"""A company's remote contracts as the hub would import them, read from the mirror.

Each remote contract is projected into hub values exactly as an import
writes them (mapped fields converted to hub column types, picklist values
labelled, the vendor defaulted, the cost summed from its services), so the
listing can say, field by field, what changed since the last import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect

from hub.apply.convert import columns_of, convert
from hub.contracts import DEFAULT_VENDOR
from hub.contracts.source import ContractSetup, rows_where
from hub.mapping_store import read_sources, value_key
from hub.models import Contract, ContractService, MirrorRecord

CENT = Decimal("0.01")


@dataclass
class RemoteService:
    """One remote contract service, projected."""

    remote_id: str
    mirror_id: int
    contract_remote_id: str
    values: dict[str, Any]
    service_remote_id: str | None = None


@dataclass
class RemoteContract:
    """One remote contract with its services, projected; ``deleted``: gone from the PSA."""

    remote_id: str
    mirror_id: int
    values: dict[str, Any]
    active: bool
    deleted: bool
    services: list[RemoteService] = field(default_factory=list)
    asset_remote_ids: set[str] = field(default_factory=set)


def _project(
    sources: dict[str, Any], data: dict[str, Any], model: Any, labels: dict[str, Any]
) -> dict[str, Any]:
    columns = columns_of(inspect(model))
    values: dict[str, Any] = {}
    for attr, chain in sources.items():
        if attr not in columns:
            continue
        raw = read_sources(data, chain)
        if attr in labels and raw is not None:
            raw = labels[attr].get(value_key(raw) or "", raw)
        values[attr] = convert(columns[attr], raw)[0]
    return values


def _units(setup: ContractSetup, service_ids: list[str]) -> dict[str, Decimal]:
    source = setup.source
    if not (source.units_stream and source.units_service_field and source.units_field):
        return {}
    today = date.today().isoformat()
    latest: dict[str, tuple[str, Decimal]] = {}
    rows = rows_where(
        setup.integration, source.units_stream, source.units_service_field, service_ids
    )
    for row in rows:
        key = value_key(row.data.get(source.units_service_field))
        period = str(row.data.get(source.units_period_field or "") or "")[:10]
        try:
            units = Decimal(str(row.data.get(source.units_field)))
        except ArithmeticError:
            continue
        if key is None or (period and period > today):
            continue  # a future period is not billed yet
        if key not in latest or period >= latest[key][0]:
            latest[key] = (period, units)
    return {key: units for key, (_, units) in latest.items()}


def _service_names(setup: ContractSetup, rows: list[MirrorRecord]) -> dict[str, str]:
    source = setup.source
    if not (source.catalogue_stream and source.catalogue_field):
        return {}
    ids = {value_key(r.data.get(source.catalogue_field)) for r in rows} - {None}
    catalogue = rows_where(setup.integration, source.catalogue_stream, None, [i for i in ids if i])
    return {
        row.remote_id: str(row.data.get(source.catalogue_name) or row.remote_id)
        for row in catalogue
    }


def services_of(setup: ContractSetup, contract_ids: list[str]) -> list[RemoteService]:
    """Return the live remote services of the given remote contracts, projected."""
    link = setup.service_contract_field
    if setup.service is None or link is None or not contract_ids:
        return []
    rows = rows_where(setup.integration, setup.service.stream, link, contract_ids)
    names = _service_names(setup, rows)
    units = _units(setup, [r.remote_id for r in rows])
    found = []
    for row in rows:
        values = _project(dict(setup.service.fields), row.data, ContractService, {})
        catalogue_id = value_key(row.data.get(setup.source.catalogue_field or ""))
        values["name"] = (
            names.get(catalogue_id or "") or values.get("name") or f"Service {row.remote_id}"
        )
        values["units"] = units.get(row.remote_id, Decimal(1))
        found.append(
            RemoteService(
                row.remote_id,
                row.id,
                value_key(row.data.get(link)) or "",
                values,
                catalogue_id,
            )
        )
    return found


def cost_of(services: list[RemoteService] | list[dict[str, Any]]) -> Decimal | None:
    """Return the overall cost of services: unit price times units, summed (``None``: none)."""
    total: Decimal | None = None
    for service in services:
        values = service.values if isinstance(service, RemoteService) else service
        price = values.get("unit_price")
        if price is None:
            continue
        total = (total or Decimal(0)) + Decimal(price) * Decimal(values.get("units") or 1)
    return total.quantize(CENT) if total is not None else None


def _assets(setup: ContractSetup, contracts: list[RemoteContract]) -> None:
    source = setup.source
    if not source.asset_stream:
        return
    owner: dict[tuple[str, str], RemoteContract] = {}
    for contract in contracts:
        if source.asset_contract_field:
            owner[(source.asset_contract_field, contract.remote_id)] = contract
        for service in contract.services:
            if source.asset_service_field:
                owner[(source.asset_service_field, service.remote_id)] = contract
    for link in {f for f in (source.asset_contract_field, source.asset_service_field) if f}:
        ids = [key for (f, key) in owner if f == link]
        for row in rows_where(setup.integration, source.asset_stream, link, ids):
            hit = owner.get((link, value_key(row.data.get(link)) or ""))
            if hit is not None:
                hit.asset_remote_ids.add(row.remote_id)


def assets_of_service(setup: ContractSetup, service_remote_id: str) -> set[str]:
    """Return the remote ids of assets the PSA ties to one contract service."""
    source = setup.source
    if not (source.asset_stream and source.asset_service_field):
        return set()
    rows = rows_where(
        setup.integration, source.asset_stream, source.asset_service_field, [service_remote_id]
    )
    return {row.remote_id for row in rows}


def project_rows(setup: ContractSetup, rows: list[MirrorRecord]) -> list[RemoteContract]:
    """Project contract mirror rows (live or deleted) with their services and assets."""
    labels = dict(setup.source.labels)
    active = {str(v) for v in setup.source.active_statuses}
    status_sources = setup.contract.fields.get("status", ())
    contracts = []
    for row in rows:
        values = _project(dict(setup.contract.fields), row.data, Contract, labels)
        values["name"] = values.get("name") or f"Contract {row.remote_id}"
        status = value_key(read_sources(row.data, status_sources))
        contracts.append(
            RemoteContract(
                row.remote_id,
                row.id,
                values,
                active=not active or status in active,
                deleted=row.deleted_at is not None,
            )
        )
    services = services_of(setup, [c.remote_id for c in contracts if not c.deleted])
    by_contract: dict[str, list[RemoteService]] = {}
    for service in services:
        by_contract.setdefault(service.contract_remote_id, []).append(service)
    for contract in contracts:
        contract.services = by_contract.get(contract.remote_id, [])
        contract.values["billing_cost"] = cost_of(contract.services)
        contract.values["vendor_name"] = contract.values.get("vendor_name") or DEFAULT_VENDOR
    _assets(setup, [c for c in contracts if not c.deleted])
    return contracts


def company_contracts(setup: ContractSetup, company_remote_id: str) -> list[RemoteContract]:
    """Return the live remote contracts of one remote company, projected."""
    field_name = setup.company_field
    if field_name is None:
        return []
    rows = rows_where(setup.integration, setup.contract.stream, field_name, [company_remote_id])
    return project_rows(setup, rows)
