"""Running a sync: plan every stream, pull partitions in parallel, finish the run.

A run is coordinated by one job. It plans every stream at once (threads),
then pulls every pending partition with a thread pool in this process or,
when more workers listen, hands groups of streams ("lanes") to them as
jobs. Whoever finishes the last stream closes the run, exactly once.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from typing import Any

from flask import current_app
from redis.lock import Lock
from sqlalchemy import select, update

from hub.background import in_background
from hub.config import SYNC_PULL_THREADS
from hub.connectors import get_connector
from hub.errors import AuthenticationFailed, HubError, scrub
from hub.extensions import db
from hub.models import Integration, PullCursor, RunEvent, StreamRun, SyncRun
from hub.models.base import utcnow
from hub.redis_conn import get_redis
from hub.sync.applying import apply_left, apply_lock, apply_ready, apply_while_pulling
from hub.sync.context import SyncContext, load_context
from hub.sync.gate import RedisGate
from hub.sync.pull import (
    DONE,
    Lane,
    finish_stream,
    pending_partitions,
    plan_stream,
    pull_partition,
    stream_run,
)

log = logging.getLogger(__name__)
DEFAULT_PARALLEL = 4  # partitions per stream when the connector declares no limit


def add_event(run_id: int, message: str, level: str = "info", **details: Any) -> None:
    """Append a line to a run's history (committed by the caller)."""
    db.session.add(RunEvent(run_id=run_id, level=level, message=message, details=details or None))


def make_gate(integration: Integration, run: SyncRun | None = None) -> RedisGate:
    """Return the shared call gate of an integration, with its budget share applied."""
    info = get_connector(integration.connector).info
    run_id = run.id if run is not None else None
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def on_pause(message: str) -> None:
        if run_id is not None:
            with app.app_context():
                add_event(run_id, message, "warning")
                db.session.commit()

    return RedisGate(
        get_redis(),
        f"integration:{integration.id}",
        concurrency=info.max_concurrency,
        hourly_limit=info.hourly_call_limit,
        share=float(current_app.config["API_BUDGET_SHARE"]),
        max_pause=float(current_app.config["BUDGET_MAX_PAUSE"]),
        on_pause=on_pause,
    )


class Failures:
    """Streams that failed in this process, and whether the whole run must stop."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.streams: dict[str, str] = {}
        self.fatal: str | None = None

    def stopped(self, stream: str) -> bool:
        """Whether work on ``stream`` should stop."""
        return self.fatal is not None or stream in self.streams


def _in_app(ctx: SyncContext, func: Callable[..., None], *args: Any) -> None:
    with ctx.app.app_context():
        try:
            func(*args)
        finally:
            db.session.remove()


def _record_failure(ctx: SyncContext, failures: Failures, stream: str, exc: HubError) -> None:
    db.session.rollback()
    message = scrub(str(exc), ctx.secrets)
    # One failure written at a time: two threads each updating their own stream's row and
    # then every row of the run (credentials rejected) would deadlock on PostgreSQL.
    with failures.lock:
        _write_failure(ctx, failures, stream, exc, message)


def _write_failure(
    ctx: SyncContext, failures: Failures, stream: str, exc: HubError, message: str
) -> None:
    if isinstance(exc, AuthenticationFailed):
        failures.fatal = message
    failures.streams.setdefault(stream, message)
    row = stream_run(ctx.run_id, stream)
    if row.status not in DONE:
        row.status, row.message, row.finished_at = "failed", message, utcnow()
        add_event(ctx.run_id, f"{stream}: {message}", "error")
    if isinstance(exc, AuthenticationFailed):
        # Credentials rejected: no other stream can succeed, so stop them all.
        db.session.execute(update(SyncRun).where(SyncRun.id == ctx.run_id).values(message=message))
        db.session.execute(
            update(StreamRun)
            .where(StreamRun.run_id == ctx.run_id, StreamRun.status.not_in(DONE))
            .values(status="skipped", message="not pulled: " + message)
        )
    db.session.commit()


def _plan_one(ctx: SyncContext, stream: str, failures: Failures) -> None:
    if failures.stopped(stream):
        return
    try:
        plan_stream(ctx, ctx.spec(stream))
    except HubError as exc:
        _record_failure(ctx, failures, stream, exc)


def _pull_one(
    ctx: SyncContext, stream: str, cursor_id: int, failures: Failures, lane: Lane
) -> None:
    try:
        pull_partition(ctx, ctx.spec(stream), cursor_id, lambda: failures.stopped(stream), lane)
    except HubError as exc:
        _record_failure(ctx, failures, stream, exc)


def _finish_one(ctx: SyncContext, stream: str, failures: Failures) -> None:
    if failures.stopped(stream) or stream_run(ctx.run_id, stream).status in DONE:
        return
    try:
        finish_stream(ctx, ctx.spec(stream))
    except HubError as exc:
        _record_failure(ctx, failures, stream, exc)


def _parallel(ctx: SyncContext, tasks: list[tuple[Any, ...]], func: Callable[..., None]) -> None:
    """Run ``func(ctx, *task)`` for every task on a thread pool; re-raise the first crash."""
    if not tasks:
        return
    with ThreadPoolExecutor(max_workers=min(SYNC_PULL_THREADS, len(tasks))) as pool:
        futures = [pool.submit(_in_app, ctx, func, ctx, *task) for task in tasks]
    for future in futures:
        future.result()  # an unexpected error fails the job so RQ retries it (and it resumes)


def pull_streams(ctx: SyncContext, streams: list[str]) -> None:
    """Pull every pending partition of ``streams`` (splitting long ones), then finish them.

    A stream is finished, and what became ready applied, by the thread that
    pulled its last partition, while the other streams still pull.
    """
    failures = Failures()
    todo = [s for s in streams if stream_run(ctx.run_id, s).status not in DONE]
    db.session.commit()
    pending = pending_partitions(ctx.run_id, todo)
    if pending:
        with ThreadPoolExecutor(max_workers=SYNC_PULL_THREADS) as pool:
            futures: list[Future[None]] = []
            guard = threading.Lock()
            outstanding: dict[str, int] = {}

            def pull_then_finish(stream: str, cursor_id: int) -> None:
                try:
                    _pull_one(ctx, stream, cursor_id, failures, lane)
                finally:
                    with guard:
                        outstanding[stream] -= 1
                        last = outstanding[stream] == 0
                if last:
                    _finish_one(ctx, stream, failures)
                    db.session.commit()
                    apply_ready(ctx.run_id)

            def submit(stream: str, cursor_id: int) -> None:
                with guard:
                    outstanding[stream] = outstanding.get(stream, 0) + 1
                    futures.append(pool.submit(_in_app, ctx, pull_then_finish, stream, cursor_id))

            lane = Lane(submit, ctx.connector.info.max_concurrency or DEFAULT_PARALLEL)
            with _applying_meanwhile(ctx, lane):
                for stream, cursor_id in pending:
                    submit(stream, cursor_id)
                done = 0
                while True:
                    with guard:
                        batch = futures[done:]
                    if not batch:
                        break
                    wait(batch, return_when=FIRST_EXCEPTION)
                    for future in batch:
                        if future.done() and future.exception() is not None:
                            # Stop the other partitions after their page in flight: the job
                            # fails at once and RQ's retry resumes from the checkpoints.
                            failures.fatal = failures.fatal or "interrupted"
                            future.result()
                    if all(future.done() for future in batch):
                        done += len(batch)
    _parallel(ctx, [(stream, failures) for stream in todo], _finish_one)
    apply_ready(ctx.run_id)


@contextlib.contextmanager
def _applying_meanwhile(ctx: SyncContext, lane: Lane) -> Iterator[None]:
    """Apply what becomes ready, long streams part-way, on a thread beside the pulls."""

    def work(stop: threading.Event) -> None:
        _in_app(ctx, apply_while_pulling, ctx.run_id, lane, stop)

    with in_background(work, f"apply-{ctx.run_id}"):
        yield


def run_sync(run_id: int, *, lanes: int = 1) -> str:
    """Coordinate (or resume) run ``run_id``; with ``lanes`` > 1 hand streams to other workers."""
    run = db.session.get(SyncRun, run_id)
    if run is None or run.finished:
        return run.status if run else "missing"
    ctx = load_context(run, make_gate)
    add_event(run.id, "resumed after an interruption" if run.status == "running" else "started",
              "warning" if run.status == "running" else "info")  # fmt: skip
    run.status = "running"
    run.started_at = run.started_at or utcnow()
    db.session.commit()

    planned = set(db.session.scalars(select(PullCursor.stream).where(PullCursor.run_id == run.id)))
    to_plan = [
        spec.name for spec in ctx.specs
        if spec.name not in planned and stream_run(run.id, spec.name).status not in DONE
    ]  # fmt: skip
    db.session.commit()
    failures = Failures()
    _parallel(ctx, [(stream, failures) for stream in to_plan], _plan_one)

    streams = [spec.name for spec in ctx.specs]
    groups = _lanes(ctx, streams, lanes)
    if len(groups) > 1:
        from hub.jobs import enqueue_lane

        for index, group in enumerate(groups):
            enqueue_lane(run.id, index, group)
        return "running"
    pull_streams(ctx, streams)
    return finish_if_done(run.id)


def run_lane(run_id: int, streams: list[str]) -> str:
    """Pull one lane's streams of run ``run_id``, and close the run if it was the last."""
    run = db.session.get(SyncRun, run_id)
    if run is None or run.finished:
        return run.status if run else "missing"
    ctx = load_context(run, make_gate)
    pull_streams(ctx, streams)
    return finish_if_done(run_id)


def _lanes(ctx: SyncContext, streams: list[str], lanes: int) -> list[list[str]]:
    """Split streams into at most ``lanes`` groups of about equal remaining records."""
    rows = {
        row.stream: row
        for row in db.session.scalars(select(StreamRun).where(StreamRun.run_id == ctx.run_id))
    }
    weights = sorted(
        ((max(0, (rows[s].total or 0) - rows[s].pulled), s) for s in streams
         if s in rows and rows[s].status not in DONE),
        reverse=True,
    )  # fmt: skip
    count = max(1, min(lanes, len(weights)))
    groups: list[list[str]] = [[] for _ in range(count)]
    loads = [0] * count
    for weight, stream in weights:
        target = loads.index(min(loads))
        groups[target].append(stream)
        loads[target] += weight + 500  # a stream costs at least a call or two
    return [g for g in groups if g] or [[]]


def finish_if_done(run_id: int) -> str:
    """Close the run when every stream is done: apply what is left, then set its status.

    The integration's apply lock makes one caller do it; a caller killed
    half-way leaves the run open, and its retried job (or the next caller)
    finishes it once the lock has lapsed.
    """
    db.session.expire_all()
    run = db.session.get(SyncRun, run_id)
    assert run is not None
    if run.finished or any(row.status not in DONE for row in run.streams):
        return run.status
    integration_id = run.integration_id
    db.session.commit()
    with apply_lock(integration_id, wait=True) as lock:
        assert lock is not None
        db.session.expire_all()
        run = db.session.get(SyncRun, run_id)
        assert run is not None
        if run.finished:
            return run.status
        _finish(run, lock)
    from hub.schedule.followup import after_run

    after_run(run)  # contract re-import, notices: not under the apply lock
    return run.status


def _finish(run: SyncRun, lock: Lock) -> None:
    integration = db.session.get(Integration, run.integration_id)
    assert integration is not None
    statuses = [row.status for row in run.streams]
    if statuses and all(s in ("failed", "skipped") for s in statuses):
        status = "failed"
    elif all(s == "succeeded" for s in statuses):
        status = "succeeded"
    else:
        status = "partial"
    if status != "failed":
        apply_left(run.id, lock)
    db.session.expire_all()
    run.status = status
    run.api_calls = sum(row.api_calls for row in run.streams)
    run.message = run.message or ""  # run-wide only when credentials were rejected
    add_event(run.id, f"finished: {run.status}")
    run.finished_at = utcnow()
    integration.last_synced_at = run.finished_at
    integration.status = "failing" if run.status == "failed" else "active"
    integration.status_message = run.message
    db.session.commit()


def run_summary(run: SyncRun) -> dict[str, Any]:
    """Return a run as the CLI's ``--json`` and the API show it."""
    return {
        "id": run.id,
        "status": run.status,
        "trigger": run.trigger,
        "full": run.full,
        "message": run.message,
        "created_at": run.created_at.isoformat() if run.created_at else None,
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "api_calls": run.api_calls,
        "applied": run.applied or {},
        "streams": {
            row.stream: {
                **row.counts(),
                "status": row.status,
                "mode": row.mode,
                "total": row.total,
                "message": row.message,
                "started_at": row.started_at.isoformat() if row.started_at else None,
                "finished_at": row.finished_at.isoformat() if row.finished_at else None,
            }
            for row in run.streams
        },
    }
