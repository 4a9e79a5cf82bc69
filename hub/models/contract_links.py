"""What contract import keeps beside the contracts: linked assets and per-company import state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.extensions import Model
from hub.models.base import JSONType, TenantScoped, UTCDateTime, utcnow


class ContractAsset(TenantScoped, Model):
    """An asset (configuration item) covered by a contract.

    ``source`` is ``"psa"`` for links the PSA declares (refreshed by every
    contract sync) and ``"hub"`` for links made in the hub.
    """

    __tablename__ = "contract_assets"
    __table_args__ = (UniqueConstraint("contract_id", "asset_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("contracts.id", ondelete="CASCADE"), index=True
    )
    asset_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("assets.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(10), default="psa")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ContractImportState(TenantScoped, Model):
    """Per integration and remote company: when contracts were last imported, and what was seen.

    ``seen`` holds the keys (``contract:<id>``, ``service:<id>``) listed at the
    last import, so the next listing can mark what is new since.
    """

    __tablename__ = "contract_import_states"
    __table_args__ = (UniqueConstraint("integration_id", "company_remote_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    integration_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("integrations.id", ondelete="CASCADE")
    )
    company_remote_id: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    seen: Mapped[list[str]] = mapped_column(JSONType, default=list)
