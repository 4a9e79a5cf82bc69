"""The one dispatcher: queue every due sync, exactly once, whoever else is dispatching.

Each integration's schedule row is claimed with a compare-and-set on
``claimed_at`` (a lease, so a dispatcher that died mid-way does not block
for ever); only the winner evaluates and queues, and it records what it
queued and releases the claim in one commit. ``request_sync`` adds the
second guard: the database allows one queued-or-running sync per
integration, so a "Sync now" click and the dispatcher never run the same
sync twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update

from hub.contracts.source import contract_setup
from hub.errors import HubError
from hub.extensions import db
from hub.jobs import request_sync
from hub.models import Integration, SyncSchedule
from hub.models.base import utcnow
from hub.schedule.policy import is_due
from hub.schedule.settings import (
    CONTRACT_INTERVAL,
    CONTRACTS,
    contracts_baseline,
    has_imported_contracts,
    schedule_of,
    stream_baselines,
    stream_rule,
)

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)


def _claim(schedule_id: int, now: datetime) -> bool:
    """Take the schedule's lease; ``False`` when another dispatcher holds it."""
    taken = db.session.execute(
        update(SyncSchedule)
        .where(
            SyncSchedule.id == schedule_id,
            or_(SyncSchedule.claimed_at.is_(None), SyncSchedule.claimed_at < now - LEASE),
        )
        .values(claimed_at=now)
    )
    db.session.commit()
    return bool(taken.rowcount)  # type: ignore[attr-defined]


def due_streams(integration: Integration, schedule: SyncSchedule, now: datetime) -> list[str]:
    """Return the integration's streams that are due at ``now``."""
    baselines = stream_baselines(integration, schedule)
    found = []
    for stream, last in baselines.items():
        interval, window = stream_rule(schedule, stream)
        if is_due(now, last, interval, window):
            found.append(stream)
    return found


def contracts_due(integration: Integration, schedule: SyncSchedule, now: datetime) -> bool:
    """Whether the contract auto-sync should re-import the imported contracts now."""
    if not schedule.contract_auto_sync or not has_imported_contracts(integration):
        return False
    return is_due(now, contracts_baseline(integration, schedule), CONTRACT_INTERVAL, None)


def _dispatch_one(integration: Integration, now: datetime) -> dict[str, Any] | None:
    schedule = schedule_of(integration)
    db.session.commit()
    if not _claim(schedule.id, utcnow()):
        return None
    try:
        db.session.refresh(schedule)
        dispatched = dict(schedule.dispatched or {})
        result: dict[str, Any] | None = None
        streams = due_streams(integration, schedule, now) if schedule.auto_sync else []
        setup = contract_setup(integration)
        trigger = "scheduled"
        if setup is not None and contracts_due(integration, schedule, now):
            streams = list(dict.fromkeys([*streams, *setup.refresh_streams()]))
            trigger = "contracts"  # the run re-imports the imported contracts when it ends
        if streams:
            every = len(streams) == len(stream_baselines(integration, schedule))
            run, created = request_sync(
                integration, streams=None if every else streams, trigger=trigger
            )
            result = {
                "integration_id": integration.id,
                "connector": integration.connector,
                "run_id": run.id,
                "created": created,
                "streams": streams,
                "trigger": trigger,
            }
            if created:
                stamp = now.isoformat()
                dispatched.update({stream: stamp for stream in streams})
                if trigger == "contracts":
                    dispatched[CONTRACTS] = stamp
        schedule.dispatched = dispatched
        return result
    finally:
        schedule.claimed_at = None
        db.session.commit()


def dispatch_due(now: datetime | None = None) -> list[dict[str, Any]]:
    """Queue every due sync of every enabled integration; return what was requested.

    An entry with ``created`` false means a sync of that integration was
    already queued or running (nothing new was queued).
    """
    now = now or utcnow()
    ids = list(db.session.scalars(select(Integration.id).where(Integration.enabled)))
    done = []
    for integration_id in ids:
        integration = db.session.get(Integration, integration_id)
        if integration is None or not integration.enabled:
            continue
        try:
            result = _dispatch_one(integration, now)
        except HubError as exc:
            db.session.rollback()
            log.warning("scheduling integration %s: %s", integration_id, exc.message)
            continue
        if result is not None:
            done.append(result)
    return done
