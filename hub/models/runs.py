"""Sync runs: what a sync did, per stream, with record-level errors and a history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.extensions import Model
from hub.models.base import JSONType, TenantScoped, UTCDateTime, utcnow

RUN_STATUSES = ("queued", "running", "succeeded", "partial", "failed")
COUNTERS = ("pulled", "created", "updated", "unchanged", "deleted", "errors", "api_calls")


class SyncRun(TenantScoped, Model):
    """One requested sync of an integration (all streams or some)."""

    __tablename__ = "sync_runs"
    __table_args__ = (
        # At most one queued or running sync per integration, whoever asks.
        Index(
            "uq_sync_runs_one_active",
            "integration_id",
            unique=True,
            sqlite_where=text("status IN ('queued', 'running')"),
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    integration_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("integrations.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="queued")
    trigger: Mapped[str] = mapped_column(String(20), default="manual")
    full: Mapped[bool] = mapped_column(Boolean, default=False)
    streams_requested: Mapped[list[str]] = mapped_column(JSONType, default=list)
    message: Mapped[str] = mapped_column(Text, default="")
    api_calls: Mapped[int] = mapped_column(Integer, default=0)
    applied: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    job_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    streams: Mapped[list[StreamRun]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="StreamRun.id"
    )
    events: Mapped[list[RunEvent]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="RunEvent.id"
    )

    @property
    def finished(self) -> bool:
        """Whether the run reached a final status."""
        return self.status in ("succeeded", "partial", "failed")


class StreamRun(Model):
    """Counts and progress of one stream within a run."""

    __tablename__ = "stream_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(Integer, ForeignKey("sync_runs.id", ondelete="CASCADE"))
    stream: Mapped[str] = mapped_column(String(63))
    status: Mapped[str] = mapped_column(String(20), default="queued")
    mode: Mapped[str] = mapped_column(String(20), default="full")
    since: Mapped[str | None] = mapped_column(String(40))
    total: Mapped[int | None] = mapped_column(Integer)
    pulled: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    api_calls: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    run: Mapped[SyncRun] = relationship(back_populates="streams")

    def counts(self) -> dict[str, int]:
        """Return the counters as a dict."""
        return {name: int(getattr(self, name) or 0) for name in COUNTERS}


class PullCursor(Model):
    """The checkpoint of one partition of one stream in a run: where its next page starts.

    ``cursor`` is ``None`` once the partition is done. Each partition has its
    own row, written in the same transaction as the page it follows, so
    partitions pulled in parallel never overwrite each other's progress.
    """

    __tablename__ = "pull_cursors"
    __table_args__ = (UniqueConstraint("run_id", "stream", "partition"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(Integer, ForeignKey("sync_runs.id", ondelete="CASCADE"))
    stream: Mapped[str] = mapped_column(String(63))
    partition: Mapped[int] = mapped_column(Integer)
    cursor: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    max_changed: Mapped[str | None] = mapped_column(String(40))
    pages: Mapped[int] = mapped_column(Integer, default=0)


class RecordError(Model):
    """A remote record that could not be stored or applied as it was, in words."""

    __tablename__ = "record_errors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("sync_runs.id", ondelete="CASCADE"), index=True
    )
    stream: Mapped[str] = mapped_column(String(63))
    remote_id: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RunEvent(Model):
    """A line of a run's history: retries, pauses, resumes, failures."""

    __tablename__ = "run_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(Integer, ForeignKey("sync_runs.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(10), default="info")
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    run: Mapped[SyncRun] = relationship(back_populates="events")
