"""Importing remote contracts into hub contracts, and keeping imported ones in step.

An import writes the PSA-controlled fields and services of each selected
contract (or of one service, as a contract of its own), links the assets
the PSA ties to it, and flags contracts the PSA deleted or deactivated
instead of dropping them. A contract sync (:mod:`hub.contracts.refresh`) does the
same for every imported contract of an integration. No API calls: all of it
reads the mirror.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from hub.contracts import DEFAULT_VENDOR
from hub.contracts.listing import (
    contract_key,
    hub_services,
    import_state,
    imported_contracts,
    service_contract_values,
    service_key,
)
from hub.contracts.remote import (
    RemoteContract,
    RemoteService,
    assets_of_service,
    company_contracts,
)
from hub.contracts.source import ContractSetup
from hub.errors import ValidationFailed
from hub.extensions import db
from hub.jobs import request_apply
from hub.models import Asset, Contract, ContractAsset, ContractImportState, ContractService
from hub.models.base import utcnow


@dataclass
class ImportResult:
    """What an import or a contract sync did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    flagged: int = 0
    assets_linked: int = 0
    contract_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the counts and the hub contract ids."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "flagged": self.flagged,
            "assets_linked": self.assets_linked,
            "contract_ids": self.contract_ids,
        }


def flag(hub: Contract, state: str | None) -> bool:
    """Flag (or unflag, with ``None``) a contract as deleted or deactivated in the PSA."""
    if hub.remote_flag == state:
        return False
    hub.remote_flag = state
    hub.remote_removed_at = utcnow() if state else None
    return True


def _write_services(hub: Contract, services: list[RemoteService], *, linked: bool) -> bool:
    current = {s.remote_id: s for s in hub_services(hub)}
    changed = False
    for service in services:
        row = current.pop(service.remote_id, None)
        if row is None:
            row = ContractService(
                tenant_id=hub.tenant_id,
                integration_id=hub.integration_id,
                remote_id=service.remote_id,
                mirror_id=service.mirror_id if linked else None,
                contract_id=hub.id,
            )
            db.session.add(row)
            changed = True
        for name in ("name", "unit_price", "unit_cost", "units"):
            if getattr(row, name) != service.values.get(name):
                setattr(row, name, service.values.get(name))
                changed = True
        row.service_remote_id = service.service_remote_id
    for row in current.values():
        db.session.delete(row)
        changed = True
    return changed


def _link_assets(hub: Contract, remote_ids: set[str]) -> int:
    wanted = (
        set(
            db.session.scalars(
                select(Asset.id).where(
                    Asset.tenant_id == hub.tenant_id,
                    Asset.integration_id == hub.integration_id,
                    Asset.remote_id.in_(sorted(remote_ids)),
                )
            )
        )
        if remote_ids
        else set()
    )
    links = db.session.scalars(
        select(ContractAsset).where(
            ContractAsset.contract_id == hub.id, ContractAsset.source == "psa"
        )
    )
    have = set()
    for link in links:
        if link.asset_id in wanted:
            have.add(link.asset_id)
        else:
            db.session.delete(link)
    for asset_id in sorted(wanted - have):
        db.session.add(
            ContractAsset(tenant_id=hub.tenant_id, contract_id=hub.id, asset_id=asset_id)
        )
    return len(wanted)


def _write(
    setup: ContractSetup,
    hub: Contract | None,
    *,
    source: str,
    remote: RemoteContract,
    values: dict[str, Any],
    services: list[RemoteService],
    assets: set[str],
    company_id: int | None,
    result: ImportResult,
) -> None:
    integration = setup.integration
    created = hub is None
    if hub is None:
        hub = Contract(
            tenant_id=integration.tenant_id,
            integration_id=integration.id,
            company_id=company_id,
            imported_from_psa=True,
            import_source=source,
            remote_id=services[0].remote_id if source == "service" else remote.remote_id,
            mirror_id=remote.mirror_id if source == "contract" else None,
            name=values["name"],
            vendor_name=values.get("vendor_name") or DEFAULT_VENDOR,
            description=values.get("description"),
        )
        db.session.add(hub)
        db.session.flush()
    changed = False
    for name in Contract.PSA_FIELDS:
        if getattr(hub, name) != values.get(name):
            setattr(hub, name, values.get(name))
            changed = True
    vendor = values.get("vendor_name")
    if vendor and vendor != DEFAULT_VENDOR and hub.vendor_name != vendor:
        hub.vendor_name, changed = vendor, True  # the PSA's own vendor wins over a local edit
    changed = _write_services(hub, services, linked=source == "contract") or changed
    state = "deactivated" if not remote.active else None
    if flag(hub, state):
        result.flagged += bool(state)
        changed = True
    hub.last_synced_at = utcnow()
    result.assets_linked += _link_assets(hub, assets)
    result.contract_ids.append(hub.id)
    if created:
        result.created += 1
    elif changed:
        result.updated += 1
    else:
        result.unchanged += 1


def write_contract(
    setup: ContractSetup,
    hub: Contract | None,
    remote: RemoteContract,
    company_id: int | None,
    result: ImportResult,
) -> None:
    """Write one remote contract into ``hub`` (``None``: create it); flag it when deleted."""
    if remote.deleted:
        if hub is not None:
            result.flagged += flag(hub, "deleted")
            hub.last_synced_at = utcnow()
            result.contract_ids.append(hub.id)
        return
    _write(
        setup,
        hub,
        source="contract",
        remote=remote,
        values=remote.values,
        services=remote.services,
        assets=remote.asset_remote_ids,
        company_id=company_id,
        result=result,
    )


def write_service(
    setup: ContractSetup,
    hub: Contract | None,
    remote: RemoteContract,
    service: RemoteService,
    company_id: int | None,
    result: ImportResult,
) -> None:
    """Write one remote service, alone, into ``hub`` (``None``: create its own contract)."""
    _write(
        setup,
        hub,
        source="service",
        remote=remote,
        values=service_contract_values(remote, service),
        services=[service],
        assets=assets_of_service(setup, service.remote_id),
        company_id=company_id,
        result=result,
    )


def import_selected(
    setup: ContractSetup, company_id: int, company_remote_id: str, keys: list[str]
) -> ImportResult:
    """Import (or re-import) the selected ``contract:<id>`` and ``service:<id>`` keys."""
    contracts = company_contracts(setup, company_remote_id)
    by_key: dict[str, tuple[RemoteContract, RemoteService | None]] = {}
    for contract in contracts:
        by_key[contract_key(contract.remote_id)] = (contract, None)
        for item in contract.services:
            by_key[service_key(item.remote_id)] = (contract, item)
    unknown = [k for k in keys if k not in by_key]
    if unknown:
        listed = ", ".join(unknown[:5])
        raise ValidationFailed(
            {"selected": [f"not a contract or service of this company in the PSA: {listed}"]},
            what="selection",
        )
    if not keys:
        raise ValidationFailed(
            {"selected": ["select at least one contract or service"]}, what="selection"
        )
    result = ImportResult()
    whole = imported_contracts(setup, "contract")
    alone = imported_contracts(setup, "service")
    for key in dict.fromkeys(keys):
        contract, service = by_key[key]
        if service is None:
            write_contract(setup, whole.get(contract.remote_id), contract, company_id, result)
        else:
            write_service(
                setup, alone.get(service.remote_id), contract, service, company_id, result
            )
    state = import_state(setup, company_remote_id)
    if state is None:
        state = ContractImportState(
            tenant_id=setup.integration.tenant_id,
            integration_id=setup.integration.id,
            company_remote_id=company_remote_id,
        )
        db.session.add(state)
    state.imported_at = utcnow()
    state.seen = sorted(by_key)
    db.session.commit()
    reapply_references(setup)
    return result


def reapply_references(setup: ContractSetup) -> None:
    """Queue a re-apply when other hub records refer to contracts (a project's contract)."""
    from hub.apply.config import load_config

    stream = setup.contract.stream
    if any(
        ref_stream == stream
        for mapping in load_config(setup.integration).mappings
        for ref_stream, _ in mapping.references.values()
    ):
        request_apply(setup.integration)
