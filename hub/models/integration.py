"""Integrations: a tenant's configured connector, its encrypted settings and state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.extensions import Model
from hub.models.base import JSONType, TenantScoped, Timestamps, UTCDateTime
from hub.models.tenancy import Tenant

STATUSES = ("new", "active", "failing", "disabled")


class Integration(TenantScoped, Timestamps, Model):
    """One connector configured for one tenant; at most one per tenant is primary."""

    __tablename__ = "integrations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "connector"),
        # The database itself guarantees one primary integration per tenant.
        Index(
            "uq_integrations_one_primary",
            "tenant_id",
            unique=True,
            sqlite_where=text("is_primary"),
            postgresql_where=text("is_primary"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connector: Mapped[str] = mapped_column(String(63))
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    settings_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20), default="new")
    status_message: Mapped[str] = mapped_column(Text, default="")
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    options: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    writeback_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    webhooks_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    tenant: Mapped[Tenant] = relationship()


class StreamState(Model):
    """Per integration and stream: the watermark and when it was last synced (and how)."""

    __tablename__ = "stream_states"
    __table_args__ = (UniqueConstraint("integration_id", "stream"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    integration_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("integrations.id", ondelete="CASCADE")
    )
    stream: Mapped[str] = mapped_column(String(63))
    watermark: Mapped[str | None] = mapped_column(String(40))
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_full_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_webhook_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
