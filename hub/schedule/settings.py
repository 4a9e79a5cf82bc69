"""An integration's schedule settings: reading them with what is due, and changing them.

Every integration has a schedule (created with the defaults on first use):
auto-sync on, every 24 hours, no window, contract auto-sync on.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from hub.connectors import get_connector
from hub.contracts.source import contract_setup
from hub.errors import ValidationFailed
from hub.extensions import db
from hub.models import Contract, Integration, StreamState, SyncSchedule
from hub.models.base import utcnow
from hub.schedule.policy import Window, next_due, parse_hhmm, zone

MIN_INTERVAL = 5
MAX_INTERVAL = 31 * 24 * 60
CONTRACT_INTERVAL = timedelta(hours=24)
CONTRACTS = "contracts"  # the key of the contract auto-sync in ``dispatched``


def schedule_of(integration: Integration) -> SyncSchedule:
    """Return the integration's schedule, creating the default one (flushed, not committed)."""
    row = db.session.scalar(
        select(SyncSchedule).where(SyncSchedule.integration_id == integration.id)
    )
    if row is None:
        row = SyncSchedule(tenant_id=integration.tenant_id, integration_id=integration.id)
        db.session.add(row)
        db.session.flush()
    return row


def window_of(schedule: SyncSchedule) -> Window | None:
    """Return the schedule's nightly window (``None``: none set)."""
    start = parse_hhmm(schedule.window_start or "")
    end = parse_hhmm(schedule.window_end or "")
    where = zone(schedule.timezone or "UTC")
    if start is None or end is None or where is None:
        return None
    return Window(start, end, where)


def stream_rule(schedule: SyncSchedule, stream: str) -> tuple[timedelta, Window | None]:
    """Return a stream's effective interval and window (its override, else the integration's)."""
    override = (schedule.stream_overrides or {}).get(stream) or {}
    window = window_of(schedule)
    if override.get("nightly"):
        minutes = override.get("interval_minutes") or schedule.interval_minutes
        return timedelta(minutes=int(minutes)), window
    if override.get("interval_minutes"):
        return timedelta(minutes=int(override["interval_minutes"])), None
    return timedelta(minutes=schedule.interval_minutes), window


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def stream_baselines(
    integration: Integration, schedule: SyncSchedule
) -> dict[str, datetime | None]:
    """Return per stream the later of its last sync and its last scheduled dispatch."""
    synced = dict(
        db.session.execute(
            select(StreamState.stream, StreamState.last_synced_at).where(
                StreamState.integration_id == integration.id
            )
        ).all()
    )
    found: dict[str, datetime | None] = {}
    for spec in get_connector(integration.connector).streams():
        times = [t for t in (synced.get(spec.name), _when(schedule.dispatched.get(spec.name))) if t]
        found[spec.name] = max(times) if times else None
    return found


def contracts_baseline(integration: Integration, schedule: SyncSchedule) -> datetime | None:
    """Return when imported contracts were last all in step (or last dispatched for it)."""
    oldest = db.session.scalar(
        select(func.min(Contract.last_synced_at)).where(
            Contract.integration_id == integration.id, Contract.import_source.is_not(None)
        )
    )
    times = [t for t in (oldest, _when(schedule.dispatched.get(CONTRACTS))) if t]
    return max(times) if times else None


def has_imported_contracts(integration: Integration) -> bool:
    """Whether any contract was imported from the integration."""
    return (
        db.session.scalar(
            select(Contract.id)
            .where(Contract.integration_id == integration.id, Contract.import_source.is_not(None))
            .limit(1)
        )
        is not None
    )


def schedule_view(integration: Integration, now: datetime | None = None) -> dict[str, Any]:
    """Return the schedule as pages and the API show it, with each stream's next run."""
    now = now or utcnow()
    schedule = schedule_of(integration)
    baselines = stream_baselines(integration, schedule)
    states = dict(
        db.session.execute(
            select(StreamState.stream, StreamState.last_synced_at).where(
                StreamState.integration_id == integration.id
            )
        ).all()
    )
    streams = []
    for spec in get_connector(integration.connector).streams():
        interval, window = stream_rule(schedule, spec.name)
        due = next_due(now, baselines[spec.name], interval, window)
        streams.append(
            {
                "stream": spec.name,
                "label": spec.label or spec.name,
                "override": (schedule.stream_overrides or {}).get(spec.name) or None,
                "interval_minutes": int(interval.total_seconds() // 60),
                "nightly": window is not None,
                "last_synced_at": states.get(spec.name),
                "next_run_at": due if schedule.auto_sync and integration.enabled else None,
            }
        )
    setup = contract_setup(integration)
    db.session.commit()
    return {
        "auto_sync": schedule.auto_sync,
        "interval_minutes": schedule.interval_minutes,
        "window_start": schedule.window_start,
        "window_end": schedule.window_end,
        "timezone": schedule.timezone,
        "contract_auto_sync": schedule.contract_auto_sync,
        "provides_contracts": setup is not None,
        "contracts_synced_at": schedule.contracts_synced_at,
        "last_synced_at": integration.last_synced_at,
        "streams": streams,
    }


def _check_interval(value: Any, name: str, errors: dict[str, list[str] | str]) -> None:
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not (MIN_INTERVAL <= value <= MAX_INTERVAL)
    ):
        errors[name] = f"use whole minutes from {MIN_INTERVAL} to {MAX_INTERVAL}"


def update_schedule(integration: Integration, changes: Mapping[str, Any]) -> SyncSchedule:
    """Validate and store schedule changes; nothing is stored when any field is wrong."""
    schedule = schedule_of(integration)
    errors: dict[str, list[str] | str] = {}
    known = {s.name for s in get_connector(integration.connector).streams()}
    if "interval_minutes" in changes:
        _check_interval(changes["interval_minutes"], "interval_minutes", errors)
    start = changes.get("window_start", schedule.window_start) or None
    end = changes.get("window_end", schedule.window_end) or None
    if (start is None) != (end is None):
        errors["window_end" if start else "window_start"] = "set both ends of the window, or none"
    for name, value in (("window_start", start), ("window_end", end)):
        if value is not None and parse_hhmm(str(value)) is None:
            errors[name] = "use HH:MM (24-hour clock)"
    if "timezone" in changes and zone(str(changes["timezone"] or "")) is None:
        errors["timezone"] = "not a known time zone (e.g. UTC, Europe/Berlin)"
    overrides = changes.get("stream_overrides", schedule.stream_overrides) or {}
    cleaned: dict[str, Any] = {}
    for stream, rule in overrides.items():
        if stream not in known:
            errors[f"stream_overrides.{stream}"] = "not a stream of this connector"
            continue
        rule = dict(rule or {})
        if rule.get("interval_minutes") is not None:
            _check_interval(rule["interval_minutes"], f"stream_overrides.{stream}", errors)
        if rule.get("nightly") and start is None:
            errors[f"stream_overrides.{stream}"] = "set the nightly window first"
        kept = {k: v for k, v in rule.items() if k in ("interval_minutes", "nightly") and v}
        if kept:
            cleaned[stream] = kept
    if errors:
        db.session.rollback()
        raise ValidationFailed(errors, what="schedule")
    for name in ("auto_sync", "contract_auto_sync", "interval_minutes", "timezone"):
        if name in changes:
            setattr(schedule, name, changes[name])
    schedule.window_start, schedule.window_end = start, end
    schedule.stream_overrides = cleaned
    db.session.commit()
    return schedule
