"""Sync schedules: per integration, when syncs run on their own, and what was dispatched."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.extensions import Model
from hub.models.base import JSONType, TenantScoped, Timestamps, UTCDateTime

DEFAULT_INTERVAL_MINUTES = 24 * 60


class SyncSchedule(TenantScoped, Timestamps, Model):
    """When an integration syncs on its own.

    ``stream_overrides`` maps a stream to ``{"interval_minutes": n}`` and/or
    ``{"nightly": true}`` (only in the window). ``window_start`` and
    ``window_end`` are ``"HH:MM"`` in ``timezone``. ``dispatched`` maps a
    stream to the ISO time the dispatcher last queued it; ``claimed_at`` is
    what two dispatchers race for (compare-and-set), so only one acts.
    """

    __tablename__ = "sync_schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    integration_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("integrations.id", ondelete="CASCADE"), unique=True
    )
    auto_sync: Mapped[bool] = mapped_column(Boolean, default=True)
    interval_minutes: Mapped[int] = mapped_column(Integer, default=DEFAULT_INTERVAL_MINUTES)
    window_start: Mapped[str | None] = mapped_column(String(5))
    window_end: Mapped[str | None] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    stream_overrides: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    contract_auto_sync: Mapped[bool] = mapped_column(Boolean, default=True)
    contracts_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dispatched: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
