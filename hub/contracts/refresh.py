"""Keeping imported contracts in step: the contract sync re-imports every one of them.

Runs after a sync that pulled the contract streams (the contract auto-sync
every 24 hours, or ``POST .../contracts/sync`` at any time). A contract or a
service gone from the PSA is flagged "deleted"; nothing is dropped.
"""

from __future__ import annotations

from hub.contracts.importer import (
    ImportResult,
    flag,
    reapply_references,
    write_contract,
    write_service,
)
from hub.contracts.listing import imported_contracts
from hub.contracts.remote import project_rows
from hub.contracts.source import ContractSetup, rows_where
from hub.extensions import db
from hub.mapping_store import value_key
from hub.models import Contract


def refresh_imported(setup: ContractSetup) -> ImportResult:
    """Re-import every imported contract of the integration from the mirror (a contract sync)."""
    result = ImportResult()
    whole = imported_contracts(setup, "contract")
    rows = rows_where(
        setup.integration, setup.contract.stream, None, list(whole), include_deleted=True
    )
    found = set()
    for remote in project_rows(setup, rows):
        found.add(remote.remote_id)
        hub = whole[remote.remote_id]
        write_contract(setup, hub, remote, hub.company_id, result)
    for remote_id, hub in whole.items():
        if remote_id not in found:  # gone from the mirror altogether
            result.flagged += flag(hub, "deleted")
    _refresh_alone(setup, imported_contracts(setup, "service"), result)
    db.session.commit()
    reapply_references(setup)
    return result


def _refresh_alone(setup: ContractSetup, alone: dict[str, Contract], result: ImportResult) -> None:
    if not alone or setup.service is None or setup.service_contract_field is None:
        return
    link = setup.service_contract_field
    rows = rows_where(
        setup.integration, setup.service.stream, None, list(alone), include_deleted=True
    )
    live = {r.remote_id: r for r in rows if r.deleted_at is None}
    parents = {value_key(r.data.get(link)) or "" for r in live.values()}
    parent_rows = rows_where(setup.integration, setup.contract.stream, None, sorted(parents))
    remote_parents = {c.remote_id: c for c in project_rows(setup, parent_rows)}
    for remote_id, hub in alone.items():
        row = live.get(remote_id)
        parent = remote_parents.get(value_key(row.data.get(link)) or "") if row else None
        service = (
            next((s for s in parent.services if s.remote_id == remote_id), None) if parent else None
        )
        if parent is None or service is None:
            result.flagged += flag(hub, "deleted")
            continue
        write_service(setup, hub, parent, service, hub.company_id, result)
