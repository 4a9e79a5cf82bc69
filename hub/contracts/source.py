"""Where an integration's contracts come from: its mappings, its contract source, the mirror.

:func:`contract_setup` gathers, for one integration, the effective
``contract`` and ``contract_service`` mappings (admins' field overrides
included) and the connector's :class:`~hub.connector.ContractSource`.
:func:`rows_where` reads mirror rows whose field holds one of some values,
in SQL on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import String, cast, select

from hub.apply.engine import normalise_name
from hub.connector import ContractSource, ModelMapping
from hub.extensions import db
from hub.mapping_store import mapping_for, read_sources
from hub.models import Company, Integration, MirrorRecord
from hub.plugins import pm

IN_CHUNK = 500


@dataclass(frozen=True)
class ContractSetup:
    """One integration's contract mappings and source, resolved."""

    integration: Integration
    contract: ModelMapping
    service: ModelMapping | None
    source: ContractSource

    @property
    def company_stream(self) -> str | None:
        """The stream of remote companies contracts belong to."""
        ref = self.contract.references.get("company_id")
        return ref[0] if ref else None

    @property
    def company_field(self) -> str | None:
        """The contract field holding its company's remote id."""
        ref = self.contract.references.get("company_id")
        return ref[1] if ref else None

    @property
    def service_contract_field(self) -> str | None:
        """The contract-service field holding its contract's remote id."""
        if self.service is None:
            return None
        ref = self.service.references.get("contract_id")
        return ref[1] if ref else None

    def refresh_streams(self) -> list[str]:
        """The streams a contract sync pulls before it re-imports."""
        found = [self.contract.stream]
        if self.service is not None:
            found.append(self.service.stream)
        source = self.source
        found += [
            s for s in (source.catalogue_stream, source.units_stream, source.asset_stream) if s
        ]
        return list(dict.fromkeys(found))


def contract_setup(integration: Integration) -> ContractSetup | None:
    """Return how ``integration`` provides contracts (``None``: it provides none)."""
    contract = mapping_for(integration, "contract")
    if contract is None:
        return None
    source = pm.hook.hub_contract_source(connector=integration.connector) or ContractSource()
    return ContractSetup(
        integration, contract, mapping_for(integration, "contract_service"), source
    )


def contract_integrations(tenant_id: int) -> list[ContractSetup]:
    """Return the tenant's enabled integrations that provide contracts, primary first."""
    rows = db.session.scalars(
        select(Integration)
        .where(Integration.tenant_id == tenant_id, Integration.enabled)
        .order_by(Integration.is_primary.desc(), Integration.id)
    )
    setups = [contract_setup(row) for row in rows]
    return [s for s in setups if s is not None]


def company_remote_id(setup: ContractSetup, company: Company) -> str | None:
    """Return the remote id of ``company`` in the setup's integration.

    A company made by that integration has it; another (made by a different
    primary, or in the hub) is matched by exact name to a remote company.
    """
    integration = setup.integration
    if company.integration_id == integration.id and company.remote_id:
        return company.remote_id
    stream = setup.company_stream
    if stream is None:
        return None
    company_mapping = mapping_for(integration, "company")
    sources = company_mapping.fields.get("name", ()) if company_mapping else ()
    wanted = normalise_name(company.name)
    for row in db.session.scalars(
        select(MirrorRecord).where(
            MirrorRecord.integration_id == integration.id,
            MirrorRecord.stream == stream,
            MirrorRecord.deleted_at.is_(None),
        )
    ):
        if normalise_name(str(read_sources(row.data, sources) or "")) == wanted:
            return row.remote_id
    return None


def rows_where(
    integration: Integration,
    stream: str,
    field: str | None,
    values: Iterable[str],
    *,
    include_deleted: bool = False,
) -> list[MirrorRecord]:
    """Return mirror rows of ``stream`` whose ``field`` (``None``: remote id) is in ``values``."""
    wanted = sorted({str(v) for v in values})
    found: list[MirrorRecord] = []
    column = (
        MirrorRecord.remote_id
        if field is None
        else cast(MirrorRecord.data[field].as_string(), String)
    )
    for start in range(0, len(wanted), IN_CHUNK):
        query = select(MirrorRecord).where(
            MirrorRecord.integration_id == integration.id,
            MirrorRecord.stream == stream,
            column.in_(wanted[start : start + IN_CHUNK]),
        )
        if not include_deleted:
            query = query.where(MirrorRecord.deleted_at.is_(None))
        found.extend(db.session.scalars(query.order_by(MirrorRecord.id)))
    return found


def company_source(
    company: Company, connector: str | None = None
) -> tuple[ContractSetup, str] | None:
    """Return the integration that holds ``company``'s contracts and its remote id there.

    ``connector`` picks one integration; otherwise the primary is tried first.
    """
    for setup in contract_integrations(company.tenant_id):
        if connector and setup.integration.connector != connector:
            continue
        remote_id = company_remote_id(setup, company)
        if remote_id is not None:
            return setup, remote_id
    return None
