"""Write-back runs and their audit log: every value the hub wrote (or tried to) to a PSA."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.extensions import Model
from hub.models.base import JSONType, TenantScoped, UTCDateTime, utcnow

WRITEBACK_STATUSES = ("queued", "running", "succeeded", "partial", "failed")


class WritebackRun(TenantScoped, Model):
    """One requested write-back (``kind="write"``) or the rollback of one (``"rollback"``)."""

    __tablename__ = "writeback_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    integration_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("integrations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20), default="write")
    rollback_of_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("writeback_runs.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(20), default="queued")
    requested_by: Mapped[str] = mapped_column(String(254), default="")
    asset_ids: Mapped[list[int] | None] = mapped_column(JSONType)
    message: Mapped[str] = mapped_column(Text, default="")
    written: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    job_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def finished(self) -> bool:
        """Whether the run reached a final status."""
        return self.status in ("succeeded", "partial", "failed")

    def counts(self) -> dict[str, Any]:
        """Return the outcome counters."""
        return {"written": self.written, "skipped": self.skipped, "failed": self.failed}


class WritebackEntry(TenantScoped, Model):
    """The audit log: who wrote what to which asset's remote record, when, and the result."""

    __tablename__ = "writeback_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("writeback_runs.id", ondelete="CASCADE"), index=True
    )
    asset_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("assets.id", ondelete="SET NULL")
    )
    asset_name: Mapped[str] = mapped_column(String(255), default="")
    stream: Mapped[str] = mapped_column(String(63))
    remote_id: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(200))
    old_value: Mapped[str | None] = mapped_column(String(40))
    new_value: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(50), default="")
    result: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(254), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
