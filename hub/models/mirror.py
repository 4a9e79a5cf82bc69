"""The mirror: every remote record as the remote system sent it.

A record is stored without its null top-level fields (most of a PSA record
is nulls); :class:`MirrorField` names every field a stream's records
had, so a record reads back whole (see :func:`hub.sync.mirror.whole`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.extensions import Model
from hub.models.base import JSONType, TenantScoped, UTCDateTime, utcnow


class MirrorRecord(TenantScoped, Model):
    """One remote record of one stream of one integration."""

    __tablename__ = "mirror_records"
    __table_args__ = (
        UniqueConstraint("integration_id", "stream", "remote_id"),
        Index("ix_mirror_records_live", "integration_id", "stream", "deleted_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    integration_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("integrations.id", ondelete="CASCADE")
    )
    stream: Mapped[str] = mapped_column(String(63))
    remote_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    changed_at: Mapped[str | None] = mapped_column(String(40))
    content_hash: Mapped[str] = mapped_column(String(40))
    pulled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MirrorField(Model):
    """A top-level field name the records of one stream of one integration have had."""

    __tablename__ = "mirror_fields"
    __table_args__ = (UniqueConstraint("integration_id", "stream", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    integration_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("integrations.id", ondelete="CASCADE")
    )
    stream: Mapped[str] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(String(255))
