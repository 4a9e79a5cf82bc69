"""Pulling streams into the mirror: plan, pull partitions page by page, finish a stream.

Every partition has its own checkpoint row (:class:`PullCursor`) committed in
the same transaction as the page it follows, so a killed worker resumes
exactly after the last stored page and parallel partitions never collide.
Counters are incremented in SQL for the same reason.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select

from hub.bulk_sql import increment
from hub.connector import Cursor, Page, StreamSpec
from hub.extensions import db
from hub.models import MirrorRecord, PullCursor, RecordError, StreamRun, StreamState, SyncRun
from hub.models.base import utcnow
from hub.sync.context import SyncContext
from hub.sync.gate import GateView
from hub.sync.mirror import PreparedPage, mark_deleted, prepare_page, write_page
from hub.sync.timestamps import format_timestamp, parse_timestamp

# Re-read a little before the watermark: remote clocks and commits are not instant.
OVERLAP = timedelta(minutes=5)
DONE = ("succeeded", "held", "failed", "skipped")
SPLIT_MIN_PAGES = 4  # pages each part of a split partition should have left


class _WriterTurns:
    """One SQLite writer at a time per process, applies first.

    Threads wait on a condition that wakes them at once, instead of on
    SQLite's busy handler, which sleeps in growing steps while another
    thread writes. A priority writer (apply) goes before the page writers
    already waiting: what apply makes ready is on the sync's critical path,
    one more page in the queue is not. Across processes (several workers on
    one database file) a file lock takes the busy handler's place the same way.
    """

    def __init__(self) -> None:
        self.ready = threading.Condition()
        self.busy = False
        self.urgent = 0
        self.files: dict[str, int] = {}

    @contextlib.contextmanager
    def turn(self, path: str | None, *, priority: bool) -> Iterator[None]:
        with self.ready:
            self.urgent += priority
            while self.busy or (self.urgent and not priority):
                self.ready.wait()
            self.urgent -= priority
            self.busy = True
        try:
            descriptor = self._file(path)
            if descriptor is not None:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
            try:
                yield
            finally:
                if descriptor is not None:
                    fcntl.flock(descriptor, fcntl.LOCK_UN)
        finally:
            with self.ready:
                self.busy = False
                self.ready.notify_all()

    def _file(self, path: str | None) -> int | None:
        if not path or path == ":memory:":
            return None
        key = f"{os.getpid()}:{path}"  # a forked work horse opens its own: flock is per open
        if key not in self.files:  # only the thread whose turn it is gets here
            self.files[key] = os.open(f"{path}-writer", os.O_RDWR | os.O_CREAT, 0o600)
        return self.files[key]


_writer_turns = _WriterTurns()


@contextlib.contextmanager
def writer_lock(*, priority: bool = False) -> Iterator[None]:
    """Take this process's (and this machine's) SQLite writer turn; nothing elsewhere.

    ``priority`` (apply) goes before the page writes already waiting.
    """
    engine = db.engine
    if engine.dialect.name != "sqlite":
        yield
        return
    with _writer_turns.turn(engine.url.database, priority=priority):
        yield


def stream_state(integration_id: int, stream: str) -> StreamState:
    """Return (creating if needed) the integration's state row for ``stream``."""
    state = db.session.scalar(
        select(StreamState).where(
            StreamState.integration_id == integration_id, StreamState.stream == stream
        )
    )
    if state is None:
        state = StreamState(integration_id=integration_id, stream=stream)
        db.session.add(state)
        db.session.flush()
    return state


def stream_run(run_id: int, stream: str) -> StreamRun:
    """Return (creating if needed) the run's row for ``stream``."""
    row = db.session.scalar(
        select(StreamRun).where(StreamRun.run_id == run_id, StreamRun.stream == stream)
    )
    if row is None:
        row = StreamRun(run_id=run_id, stream=stream, status="queued")
        db.session.add(row)
        db.session.flush()
    return row


def _bump(run_id: int, stream: str, **counts: int) -> None:
    # In SQL: parallel partitions of a stream add to the same row.
    increment(StreamRun.__table__, counts, {"run_id": run_id, "stream": stream})  # type: ignore[arg-type]


def plan_stream(ctx: SyncContext, spec: StreamSpec) -> None:
    """Plan ``spec``: its total, its mode, and one checkpoint row per partition."""
    # The rows a first sync creates are committed before the remote call: on SQLite an
    # open write transaction would make every other stream's plan wait for this call.
    with writer_lock():
        watermark = stream_state(ctx.integration_id, spec.name).watermark
        stream_run(ctx.run_id, spec.name)
        db.session.commit()
    since = None
    if not ctx.full and spec.change_field and watermark:
        moment = parse_timestamp(watermark)
        since = format_timestamp(moment - OVERLAP) if moment else None
    view = GateView(ctx.gate)
    plan = ctx.connector.plan_pull(ctx.settings, spec.name, since, view)
    with writer_lock():
        _save_plan(ctx, spec, stream_run(ctx.run_id, spec.name), plan, since, view.calls)


def _save_plan(
    ctx: SyncContext, spec: StreamSpec, row: StreamRun, plan: Any, since: str | None, calls: int
) -> None:
    db.session.execute(
        delete(PullCursor).where(PullCursor.run_id == ctx.run_id, PullCursor.stream == spec.name)
    )
    for index, cursor in enumerate(plan.cursors):
        db.session.add(
            PullCursor(run_id=ctx.run_id, stream=spec.name, partition=index, cursor=cursor)
        )
    row.total, row.since, row.mode = plan.total, since, "incremental" if since else "full"
    row.status, row.started_at = "running", utcnow()
    row.api_calls = (row.api_calls or 0) + calls
    db.session.commit()


class Lane:
    """What the partitions pulled by one process share: progress per stream, and more threads.

    A partition that turns out long is split while it runs (see
    :func:`hub.hookspecs.hub_split_cursor`) whenever its stream has fewer
    partitions in flight than ``parallel``: the one with the most records
    left shares them out, and ``submit`` starts the new partitions.
    """

    def __init__(self, submit: Callable[[str, int], None], parallel: int) -> None:
        self.submit = submit
        self.parallel = parallel
        self.lock = threading.Lock()
        self.active: dict[str, int] = {}
        self.reserved: dict[str, int] = {}
        self.pulled: dict[str, int] = {}
        self.totals: dict[str, int | None] = {}
        self.left: dict[str, dict[int, int | None]] = {}  # partition -> records left (estimate)
        self.storing: dict[str, list[datetime]] = {}
        self.stored: dict[str, list[tuple[datetime, int]]] = {}  # pages stored by this process
        self.applied_at: dict[str, int] = {}  # settled count when last applied part-way

    @contextlib.contextmanager
    def storing_page(self, stream: str, count: int) -> Iterator[datetime]:
        """Yield the ``pulled_at`` of a page of ``count`` records being stored.

        The page counts towards :meth:`settled` once stored (the caller commits
        inside); a page that fails to store does not count.
        """
        with self.lock:
            moment = utcnow()
            self.storing.setdefault(stream, []).append(moment)
        stored = False
        try:
            yield moment
            stored = True
        finally:
            with self.lock:
                self.storing[stream].remove(moment)
                if stored:
                    self.stored.setdefault(stream, []).append((moment, count))

    def settled(self, stream: str) -> tuple[datetime, int]:
        """Return a time before which every page of ``stream`` is committed, and their records.

        Pages are stored side by side, so one stamped later may commit before
        an earlier one: only those stamped before the time count, which is
        what an apply of the rows pulled before it sees. Only this process
        stores the stream's pages (a stream belongs to one lane).
        """
        with self.lock:
            moments = self.storing.get(stream)
            upto = min(moments) if moments else utcnow()
            pages = self.stored.get(stream, [])
            return upto, sum(count for moment, count in pages if moment < upto)

    def pulling(self, stream: str) -> bool:
        """Whether this process is pulling ``stream`` right now."""
        with self.lock:
            return self.active.get(stream, 0) > 0

    def start(self, run_id: int, stream: str, partition: int) -> None:
        """Note a partition of ``stream`` starting (loading the stream's progress once)."""
        with self.lock:
            if stream not in self.totals:
                row = stream_run(run_id, stream)
                self.totals[stream], self.pulled[stream] = row.total, row.pulled
            if self.reserved.get(stream):
                self.reserved[stream] -= 1  # counted as active when it was split off
            else:
                self.active[stream] = self.active.get(stream, 0) + 1
            self.left.setdefault(stream, {})[partition] = None

    def reserve(self, stream: str, count: int) -> None:
        """Count ``count`` partitions just split off as active before their threads start."""
        with self.lock:
            self.active[stream] = self.active.get(stream, 0) + count
            self.reserved[stream] = self.reserved.get(stream, 0) + count

    def end(self, stream: str, partition: int) -> None:
        """Note a partition of ``stream`` ending."""
        with self.lock:
            self.active[stream] -= 1
            self.left.get(stream, {}).pop(partition, None)

    def _estimate(self, stream: str, partition: int) -> int:
        """Records left in ``partition``: its connector's estimate, or a share of the rest."""
        sizes = self.left.get(stream, {})
        known = sizes.get(partition)
        if known is not None:
            return known
        total = self.totals.get(stream) or 0
        rest = total - self.pulled.get(stream, 0) - sum(v for v in sizes.values() if v)
        unknown = sum(1 for v in sizes.values() if v is None) + self.reserved.get(stream, 0)
        return max(0, rest) // max(1, unknown)

    def split_wanted(
        self, stream: str, partition: int, page_size: int, count: int, left: int | None
    ) -> tuple[int, int] | None:
        """Count a page; return ``(records left here, parts)`` when this partition should split.

        Only the partition with the most left splits (another one that has more
        splits at its next page instead), and only into parts of several pages:
        every part ends on a part-filled page, one more call.
        """
        with self.lock:
            self.pulled[stream] = self.pulled.get(stream, 0) + count
            self.left.setdefault(stream, {})[partition] = left
            total, active = self.totals.get(stream), self.active.get(stream, 1)
            if total is None or active >= self.parallel or page_size == 0:
                return None
            mine = self._estimate(stream, partition)
            others = [self._estimate(stream, p) for p in self.left[stream] if p != partition]
            if others and max(others) > mine:
                return None
            parts = min(self.parallel - active + 1, mine // (SPLIT_MIN_PAGES * page_size))
            if parts < 2:
                return None
            self.left[stream][partition] = mine // parts
            return mine, parts


def pending_partitions(run_id: int, streams: list[str]) -> list[tuple[str, int]]:
    """Return ``(stream, cursor row id)`` of every partition of ``streams`` not yet done."""
    rows = db.session.execute(
        select(PullCursor.stream, PullCursor.id).where(
            PullCursor.run_id == run_id,
            PullCursor.stream.in_(streams),
            PullCursor.cursor.is_not(None),
        )
    )
    return [(stream, row_id) for stream, row_id in rows]


def pull_partition(
    ctx: SyncContext, spec: StreamSpec, cursor_id: int, stop: Any, lane: Lane | None = None
) -> None:
    """Pull one partition page by page until its cursor is exhausted (or ``stop()``).

    The next page is fetched while the current one is stored: a page's round
    trip and its write overlap instead of adding up. A crash loses at most
    the page in flight, which the checkpoint makes the resume fetch again.
    """
    checkpoint = db.session.get(PullCursor, cursor_id)
    assert checkpoint is not None
    first = checkpoint.cursor
    if lane is not None:
        lane.start(ctx.run_id, spec.name, cursor_id)
    db.session.commit()  # no transaction is held through the first fetch (each store commits)

    def fetch(cursor: Cursor) -> tuple[Page, int]:
        view = GateView(ctx.gate)
        with ctx.app.app_context():  # connectors may use the app's Redis (shared caches)
            return ctx.connector.pull_page(ctx.settings, spec.name, cursor, view), view.calls

    try:
        with ThreadPoolExecutor(max_workers=1) as fetcher:
            pending = None
            if first is not None and not stop():
                pending = fetcher.submit(fetch, first)
            while pending is not None:
                page, calls = pending.result()
                rest: Cursor | None = page.next_cursor
                shares: list[Cursor] = []
                if lane is not None:
                    rest, shares = _split(ctx, spec, rest, page, lane, cursor_id)
                pending = fetcher.submit(fetch, rest) if rest is not None and not stop() else None
                count = len(page.records)
                prepared = prepare_page(
                    page.records, primary_key=spec.primary_key, change_field=spec.change_field
                )
                del page  # not held through the next fetch: pages are most of a job's memory
                with writer_lock(), stored_at(lane, spec.name, count) as moment:
                    started = _store(ctx, spec, checkpoint, prepared, count, calls, rest, shares,
                                     moment)  # fmt: skip
                del prepared
                for new_id in started:
                    assert lane is not None
                    lane.submit(spec.name, new_id)
    finally:
        if lane is not None:
            lane.end(spec.name, cursor_id)


def stored_at(
    lane: Lane | None, stream: str, count: int
) -> contextlib.AbstractContextManager[datetime]:
    """The ``pulled_at`` of a page of ``count`` records about to be stored (tracked by the lane)."""
    if lane is None:
        return contextlib.nullcontext(utcnow())
    return lane.storing_page(stream, count)


def _split(
    ctx: SyncContext,
    spec: StreamSpec,
    rest: Cursor | None,
    page: Page,
    lane: Lane,
    partition: int,
) -> tuple[Cursor | None, list[Cursor]]:
    """Share out the rest of a long partition: ``(this partition's rest, new partitions)``."""
    count = len(page.records)
    left = page.remaining if rest is not None else 0
    wanted = lane.split_wanted(spec.name, partition, count, count, left)
    if wanted is None or rest is None:
        return rest, []
    remaining, parts = wanted
    cursors = ctx.connector.split_cursor(spec.name, rest, page.records, remaining, parts)
    if not cursors or len(cursors) < 2:
        return rest, []
    lane.reserve(spec.name, len(cursors) - 1)
    return cursors[0], cursors[1:]


def _store(
    ctx: SyncContext,
    spec: StreamSpec,
    checkpoint: PullCursor,
    page: PreparedPage,
    count: int,
    calls: int,
    rest: Cursor | None,
    shares: list[Cursor],
    pulled_at: datetime,
) -> list[int]:
    """Store one page of ``count`` records, its checkpoint, new partitions and counts at once.

    All in one transaction; return the checkpoint ids of the new partitions.
    """
    result = write_page(ctx, spec.name, page, pulled_at)
    for remote_id, message in result.errors:
        db.session.add(
            RecordError(run_id=ctx.run_id, stream=spec.name, remote_id=remote_id, message=message)
        )
    newest = checkpoint.max_changed
    if result.max_changed and (newest is None or result.max_changed > newest):
        checkpoint.max_changed = result.max_changed
    checkpoint.cursor = rest
    checkpoint.pages += 1
    rows: list[PullCursor] = []
    if shares:
        last = db.session.scalar(
            select(func.max(PullCursor.partition)).where(
                PullCursor.run_id == ctx.run_id, PullCursor.stream == spec.name
            )
        )
        rows = [
            PullCursor(run_id=ctx.run_id, stream=spec.name, partition=(last or 0) + i, cursor=c)
            for i, c in enumerate(shares, start=1)
        ]
        db.session.add_all(rows)
        db.session.flush()
    started = [row.id for row in rows]  # read before the commit expires them
    _bump(
        ctx.run_id,
        spec.name,
        pulled=count,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        errors=len(result.errors),
        api_calls=calls,
    )
    db.session.commit()
    return started


def finish_stream(ctx: SyncContext, spec: StreamSpec) -> None:
    """Detect deletes, move the watermark and close the stream's row.

    The remote calls happen before the writer lock is taken: on SQLite that
    lock serialises every page write of the process, and holding it through a
    round trip would stall the other streams.
    """
    row = stream_run(ctx.run_id, spec.name)
    since, total = row.since, row.total
    db.session.commit()  # no transaction, nor pooled connection, is held through remote calls
    view = GateView(ctx.gate)
    deletes = _find_deletes(ctx, spec, since, total, view)
    with writer_lock():
        _finish(ctx, spec, deletes, view.calls)


@dataclass
class Deletes:
    """What vanished remotely: logged deletes, ids gone from the id set, or a held mass delete."""

    logged: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    held: str | None = None


def _finish(ctx: SyncContext, spec: StreamSpec, deletes: Deletes, calls: int) -> None:
    row = stream_run(ctx.run_id, spec.name)
    removed = 0
    for ids in (deletes.logged, deletes.gone):
        if ids:
            removed += mark_deleted(ctx, spec.name, ids)
    row.deleted = (row.deleted or 0) + removed
    if deletes.held:
        row.message = deletes.held
    newest = db.session.scalar(
        select(func.max(PullCursor.max_changed)).where(
            PullCursor.run_id == ctx.run_id, PullCursor.stream == spec.name
        )
    )
    state = stream_state(ctx.integration_id, spec.name)
    if newest and (state.watermark is None or newest > state.watermark):
        state.watermark = newest
    now = utcnow()
    if row.since is None:
        state.last_full_at = now
    state.last_synced_at = now
    row.status = "held" if deletes.held else "succeeded"
    row.finished_at = now
    _bump(ctx.run_id, spec.name, api_calls=calls)
    db.session.commit()


def _live_count(ctx: SyncContext, stream: str) -> int:
    return int(
        db.session.scalar(
            select(func.count()).where(
                MirrorRecord.integration_id == ctx.integration_id,
                MirrorRecord.stream == stream,
                MirrorRecord.deleted_at.is_(None),
            )
        )
        or 0
    )


def _live_among(ctx: SyncContext, stream: str, remote_ids: list[str]) -> int:
    """Count the live mirror rows among ``remote_ids``."""
    found = 0
    for start in range(0, len(remote_ids), 500):
        found += int(
            db.session.scalar(
                select(func.count()).where(
                    MirrorRecord.integration_id == ctx.integration_id,
                    MirrorRecord.stream == stream,
                    MirrorRecord.deleted_at.is_(None),
                    MirrorRecord.remote_id.in_(remote_ids[start : start + 500]),
                )
            )
            or 0
        )
    return found


def _find_deletes(
    ctx: SyncContext, spec: StreamSpec, since: str | None, total: int | None, gate: GateView
) -> Deletes:
    """Find records that vanished remotely (no writes); a mass delete is held with a reason.

    A full pull's plan already counted the remote records; an incremental one
    costs one count. Only when the mirror holds more than the remote are ids
    swept to find which went.
    """
    found = Deletes()
    if since is not None:
        logged = ctx.connector.deleted_ids(ctx.settings, spec.name, since, gate) or []
        found.logged = [str(i) for i in logged]
    live = _live_count(ctx, spec.name) - _live_among(ctx, spec.name, found.logged)
    db.session.commit()  # end the read before the remote calls below
    if since is None and total is not None:
        remote_total: int | None = total
    else:
        remote_total = ctx.connector.count(ctx.settings, spec.name, gate)
    if remote_total is not None and remote_total >= live:
        return found
    id_plan = ctx.connector.plan_pull(ctx.settings, spec.name, None, gate, ids_only=True)
    remote: set[str] = set()
    for start in id_plan.cursors:
        cursor: dict[str, Any] | None = start
        while cursor is not None:
            page = ctx.connector.pull_page(ctx.settings, spec.name, cursor, gate)
            remote.update(str(r.get(spec.primary_key)) for r in page.records)
            cursor = page.next_cursor
    live_ids = set(
        db.session.scalars(
            select(MirrorRecord.remote_id).where(
                MirrorRecord.integration_id == ctx.integration_id,
                MirrorRecord.stream == spec.name,
                MirrorRecord.deleted_at.is_(None),
            )
        )
    ) - set(found.logged)
    db.session.commit()
    gone = sorted(live_ids - remote)
    if gone and live and len(gone) > ctx.max_delete_share * live:
        found.held = (
            f"{len(gone)} of {live} records ({len(gone) / live:.0%}) are no longer visible "
            f"remotely, more than the {ctx.max_delete_share:.0%} a sync may delete at once; "
            "nothing was deleted. If the remote user lost permissions, restore them; if the "
            "records really were deleted, raise HUB_MAX_DELETE_SHARE and sync again."
        )
    else:
        found.gone = gone
    return found


def streams_left(run: SyncRun) -> list[str]:
    """Return the run's streams that are not finished yet."""
    return [row.stream for row in run.streams if row.status not in DONE]
