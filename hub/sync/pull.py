"""Pulling one stream into the mirror, page by page, checkpointed after every page.

The checkpoint (in ``StreamState.checkpoint``) holds the pending cursor of
every partition and is committed in the same transaction as the page it
follows, so a killed worker resumes exactly after the last stored page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from hub.connector import CallGate, StreamSpec
from hub.connectors import Connector
from hub.extensions import db
from hub.models import Integration, MirrorRecord, RecordError, StreamRun, StreamState, SyncRun
from hub.models.base import utcnow
from hub.sync.mirror import mark_deleted, store_page
from hub.sync.timestamps import format_timestamp, parse_timestamp

# Re-read a little before the watermark: remote clocks and commits are not instant.
OVERLAP = timedelta(minutes=5)


@dataclass
class PullContext:
    """Everything a stream pull needs, loaded once per run."""

    run: SyncRun
    integration: Integration
    connector: Connector
    settings: dict[str, Any]
    gate: CallGate
    full: bool
    max_delete_share: float


def stream_state(integration: Integration, stream: str) -> StreamState:
    """Return (creating if needed) the integration's state row for ``stream``."""
    state = db.session.scalar(
        select(StreamState).where(
            StreamState.integration_id == integration.id, StreamState.stream == stream
        )
    )
    if state is None:
        state = StreamState(integration_id=integration.id, stream=stream)
        db.session.add(state)
        db.session.flush()
    return state


def stream_run(run: SyncRun, stream: str) -> StreamRun:
    """Return (creating if needed) the run's row for ``stream``."""
    for row in run.streams:
        if row.stream == stream:
            return row
    row = StreamRun(run=run, stream=stream, status="queued")
    db.session.add(row)
    db.session.flush()
    return row


def pull_stream(ctx: PullContext, spec: StreamSpec) -> StreamRun:
    """Pull ``spec`` into the mirror, resuming a checkpoint left by this run if any."""
    state = stream_state(ctx.integration, spec.name)
    row = stream_run(ctx.run, spec.name)
    checkpoint: dict[str, Any] | None = state.checkpoint
    if not checkpoint or checkpoint.get("run_id") != ctx.run.id:
        checkpoint = _plan(ctx, spec, state, row)
    elif row.status != "running":
        row.status = "running"
    db.session.commit()

    calls_before = _calls(ctx.gate)
    cursors: list[Any] = list(checkpoint["cursors"])
    for index, cursor in enumerate(cursors):
        while cursor is not None:
            page = ctx.connector.pull_page(ctx.settings, spec.name, cursor, ctx.gate)
            result = store_page(
                ctx.integration,
                spec.name,
                page.records,
                primary_key=spec.primary_key,
                change_field=spec.change_field,
            )
            row.pulled += len(page.records)
            row.created += result.created
            row.updated += result.updated
            row.unchanged += result.unchanged
            row.errors += len(result.errors)
            for remote_id, message in result.errors:
                db.session.add(
                    RecordError(
                        run_id=ctx.run.id, stream=spec.name, remote_id=remote_id, message=message
                    )
                )
            cursor = page.next_cursor
            cursors[index] = cursor
            newest = checkpoint.get("max_changed")
            if result.max_changed and (newest is None or result.max_changed > newest):
                newest = result.max_changed
            checkpoint = {**checkpoint, "cursors": list(cursors), "max_changed": newest}
            state.checkpoint = checkpoint
            row.api_calls += _calls(ctx.gate) - calls_before
            calls_before = _calls(ctx.gate)
            db.session.commit()

    _detect_deletes(ctx, spec, row)
    newest = checkpoint.get("max_changed")
    if newest and (state.watermark is None or newest > state.watermark):
        state.watermark = newest
    now = utcnow()
    if checkpoint.get("since") is None:
        state.last_full_at = now
    state.last_synced_at = now
    state.checkpoint = None
    row.api_calls += _calls(ctx.gate) - calls_before
    row.status = "held" if row.status == "held" else "succeeded"
    row.finished_at = now
    db.session.commit()
    return row


def _calls(gate: CallGate) -> int:
    return int(getattr(gate, "calls", 0))


def _plan(ctx: PullContext, spec: StreamSpec, state: StreamState, row: StreamRun) -> dict[str, Any]:
    since = None
    if not ctx.full and spec.change_field and state.watermark:
        moment = parse_timestamp(state.watermark)
        since = format_timestamp(moment - OVERLAP) if moment else None
    before = _calls(ctx.gate)
    plan = ctx.connector.plan_pull(ctx.settings, spec.name, since, ctx.gate)
    row.api_calls += _calls(ctx.gate) - before
    row.total = plan.total
    row.mode = "incremental" if since else "full"
    row.status = "running"
    row.started_at = utcnow()
    checkpoint = {
        "run_id": ctx.run.id,
        "since": since,
        "cursors": plan.cursors,
        "max_changed": None,
    }
    state.checkpoint = checkpoint
    return checkpoint


def _live_ids(integration: Integration, stream: str) -> set[str]:
    return set(
        db.session.scalars(
            select(MirrorRecord.remote_id).where(
                MirrorRecord.integration_id == integration.id,
                MirrorRecord.stream == stream,
                MirrorRecord.deleted_at.is_(None),
            )
        )
    )


def _detect_deletes(ctx: PullContext, spec: StreamSpec, row: StreamRun) -> None:
    """Count remote records; only when the mirror holds more, sweep ids to find which went."""
    live = db.session.scalar(
        select(func.count()).where(
            MirrorRecord.integration_id == ctx.integration.id,
            MirrorRecord.stream == spec.name,
            MirrorRecord.deleted_at.is_(None),
        )
    )
    id_plan = ctx.connector.plan_pull(ctx.settings, spec.name, None, ctx.gate, ids_only=True)
    if id_plan.total is not None and id_plan.total >= (live or 0):
        return
    remote: set[str] = set()
    for start in id_plan.cursors:
        cursor: dict[str, Any] | None = start
        while cursor is not None:
            page = ctx.connector.pull_page(ctx.settings, spec.name, cursor, ctx.gate)
            remote.update(str(r.get(spec.primary_key)) for r in page.records)
            cursor = page.next_cursor
    gone = sorted(_live_ids(ctx.integration, spec.name) - remote)
    if not gone:
        return
    if live and len(gone) > ctx.max_delete_share * live:
        row.message = (
            f"{len(gone)} of {live} records ({len(gone) / live:.0%}) are no longer visible "
            f"remotely, more than the {ctx.max_delete_share:.0%} a sync may delete at once; "
            "nothing was deleted. If the remote user lost permissions, restore them; if the "
            "records really were deleted, run a full sync with a higher HUB_MAX_DELETE_SHARE."
        )
        row.status = "held"
        return
    row.deleted += mark_deleted(ctx.integration, spec.name, gone)
