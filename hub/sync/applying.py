"""Applying a sync run to hub records stream by stream, as soon as each is ready.

A mapping is ready once its stream is pulled (or is not part of the run) and
every stream it refers to has been applied in this run. Whoever finishes a
stream applies what became ready, so apply runs beside the pulls still in
flight instead of after all of them; the run's end applies what is left.
One Redis lock per integration keeps two processes (or a mapping change's
re-apply) from applying at once. ``SyncRun.applied`` records what was
applied, per hub model, so a resumed run does not apply it twice.

A long stream whose references are applied is applied part-way while it
still pulls (by a thread beside the pulls, see :func:`apply_while_pulling`):
the records stored so far, then only those stored after that. Its
``applied`` entry carries ``partial_upto`` until the stream is done, so the
run's end applies only the last stretch instead of the whole stream.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from redis.lock import Lock

from hub.apply.engine import Applier
from hub.extensions import db
from hub.models import HUB_MODELS, Integration, RecordError, StreamRun, SyncRun
from hub.models.records import Picklist
from hub.redis_conn import get_redis
from hub.sync.pull import Lane, writer_lock

log = logging.getLogger(__name__)
LOCK_SECONDS = 20  # renewed with every chunk written; a killed holder's lock lapses soon
MAX_ERRORS_PER_MODEL = 1000
FINISHED = ("succeeded", "held", "failed", "skipped")
PARTIAL_MIN_RECORDS = 5000  # a stream still pulling is applied in steps at least this big
PARTIAL_EVERY_SECONDS = 0.5


@contextlib.contextmanager
def apply_lock(integration_id: int, *, wait: bool) -> Iterator[Lock | None]:
    """Hold the integration's apply lock; yield ``None`` when busy and not ``wait``-ing."""
    lock = get_redis().lock(f"hub:apply:{integration_id}", timeout=LOCK_SECONDS)
    if not lock.acquire(blocking=wait, blocking_timeout=None if wait else 0):
        yield None
        return
    try:
        yield lock
    finally:
        with contextlib.suppress(Exception):  # lapsed already: nothing to release
            lock.release()


def apply_ready(run_id: int, lane: Lane | None = None) -> bool:
    """Apply the run's mappings that are ready; return ``False`` when another process is.

    With ``lane``, the streams that lane is still pulling are applied
    part-way too, when enough new records arrived. Gives up at once when the
    lock is held: its holder checks again for newly ready streams before
    letting go.
    """
    run = db.session.get(SyncRun, run_id)
    if run is None:
        return False
    integration_id = run.integration_id
    while True:
        with apply_lock(integration_id, wait=False) as lock:
            if lock is None:
                return False
            _apply_pass(run_id, lock, final=False, lane=lane)
        db.session.commit()
        if not _pending(run_id):
            return True


def apply_while_pulling(run_id: int, lane: Lane, stop: threading.Event) -> None:
    """Apply what is ready (long streams part-way) every half second until ``stop`` is set.

    Applying part-way only saves time later: a failure here is logged and
    the run's end applies everything anyway.
    """
    while not stop.wait(PARTIAL_EVERY_SECONDS):
        try:
            apply_ready(run_id, lane)
        except Exception as exc:  # see above: the pulls report real failures
            db.session.rollback()
            log.warning("run %s: applying part-way failed (%s)", run_id, type(exc).__name__)
            return


def apply_left(run_id: int, lock: Lock) -> None:
    """Apply every mapping of the run not applied yet (the caller holds the apply lock)."""
    _apply_pass(run_id, lock, final=True)


def _pending(run_id: int) -> bool:
    """Whether some mapping became ready while another pass held the lock."""
    db.session.expire_all()
    run = db.session.get(SyncRun, run_id)
    integration = db.session.get(Integration, run.integration_id) if run else None
    if run is None or integration is None:
        return False
    applier = Applier(integration)
    return bool(_ready(run, applier, final=False))


def _statuses(run: SyncRun) -> dict[str, str]:
    rows = db.session.query(StreamRun.stream, StreamRun.status).filter(StreamRun.run_id == run.id)
    return {stream: status for stream, status in rows}


def _applied(run: SyncRun) -> set[str]:
    """The models applied completely in this run (not those applied part-way)."""
    return {model for model, entry in (run.applied or {}).items() if "partial_upto" not in entry}


def _ready(run: SyncRun, applier: Applier, *, final: bool) -> list[Any]:
    """Return the mappings to apply now, in apply order."""
    statuses = _statuses(run)
    applied = _applied(run)
    model_of = {m.stream: m.model for m in applier.config.mappings}
    ready = []
    for mapping in applier.mappings():
        if mapping.model in applied:
            continue
        if not final and statuses.get(mapping.stream, "succeeded") not in FINISHED:
            continue
        if not final and not _waiting_for(mapping, model_of, statuses) <= applied:
            continue
        ready.append(mapping)
        applied.add(mapping.model)
    return ready


def _waiting_for(mapping: Any, model_of: dict[str, str], statuses: dict[str, str]) -> set[str]:
    """The models of this run that ``mapping`` refers to (to be applied before it)."""
    refers = {stream for stream, _ in mapping.references.values()}
    return {model_of[s] for s in refers if s in model_of and s in statuses and s != mapping.stream}


def _fillable_later(mapping: Any, attr: str, model_of: dict[str, str]) -> bool:
    """Whether reference ``attr`` can be left empty now and filled from the mirror later.

    Not a required one, and not a picklist: an admin may map picklist values
    to other hub values, which only apply itself knows.
    """
    stream = mapping.references[attr][0]
    return (
        attr not in mapping.requires
        and stream != mapping.stream
        and stream in model_of
        and not issubclass(HUB_MODELS[model_of[stream]], Picklist)
    )


def _required(mapping: Any, model_of: dict[str, str], statuses: dict[str, str]) -> set[str]:
    """The models of this run a record of ``mapping`` cannot be applied part-way without."""
    streams = {
        stream
        for attr, (stream, _) in mapping.references.items()
        if not _fillable_later(mapping, attr, model_of)
    }
    return {model_of[s] for s in streams if s in model_of and s in statuses and s != mapping.stream}


def _late(run: SyncRun, mapping: Any, model_of: dict[str, str]) -> set[str]:
    """The references a part-way apply leaves empty: their streams of this run are not in yet."""
    statuses, applied = _statuses(run), _applied(run)
    return {
        attr
        for attr, (stream, _) in mapping.references.items()
        if _fillable_later(mapping, attr, model_of)
        and stream in statuses
        and model_of[stream] not in applied
    }


def _part_ready(run: SyncRun, applier: Applier, lane: Lane) -> list[Any]:
    """Return the mappings of streams ``lane`` still pulls that are worth applying part-way.

    Only required references must be complete: optional ones still pulling
    (a ticket's asset) are left empty and filled when the stream ends.
    """
    statuses = _statuses(run)
    applied = _applied(run)
    model_of = {m.stream: m.model for m in applier.config.mappings}
    return [
        mapping
        for mapping in applier.mappings()
        if mapping.model not in applied
        and statuses.get(mapping.stream) not in FINISHED
        and lane.pulling(mapping.stream)
        and lane.settled(mapping.stream)[1] - lane.applied_at.get(mapping.stream, 0)
        >= PARTIAL_MIN_RECORDS
        and _required(mapping, model_of, statuses) <= applied
    ]


def _apply_pass(run_id: int, lock: Lock, *, final: bool, lane: Lane | None = None) -> None:
    db.session.expire_all()
    run = db.session.get(SyncRun, run_id)
    assert run is not None
    integration = db.session.get(Integration, run.integration_id)
    assert integration is not None

    @contextlib.contextmanager
    def renewing_writer() -> Iterator[None]:
        lock.extend(LOCK_SECONDS, replace_ttl=True)
        with writer_lock(priority=True):
            yield

    applier = Applier(integration, write_guard=renewing_writer)
    fingerprint = applier.config.fingerprint()
    options = dict(integration.options or {})
    since = run.created_at if options.get("applied_config") == fingerprint else None
    done: dict[str, Any] = dict(run.applied or {})
    started = time.monotonic()
    names = []
    model_of = {m.stream: m.model for m in applier.config.mappings}
    steps: list[tuple[Any, Lane | None]] = [(m, None) for m in _ready(run, applier, final=final)]
    if lane is not None and not final:
        steps += [(mapping, lane) for mapping in _part_ready(run, applier, lane)]
    for mapping, part_of in steps:
        entry = done.get(mapping.model) or {}
        if "partial_upto" in entry:
            step_since: datetime | None = datetime.fromisoformat(entry["partial_upto"])
        else:
            refers = {s for s, _ in mapping.references.values() if s != mapping.stream}
            moved = any(
                (done.get(model_of.get(s, ""), {}).get("created") or 0)
                + (done.get(model_of.get(s, ""), {}).get("deleted") or 0)
                for s in refers
            )
            step_since = None if moved else since
        upto, pulled = part_of.settled(mapping.stream) if part_of else (None, 0)
        result = applier.apply(mapping, step_since, upto)  # rows before upto are committed
        counts: dict[str, Any] = {k: v + int(entry.get(k) or 0) for k, v in result.counts().items()}
        late = set(entry.get("late") or [])
        if part_of is not None:
            late |= _late(run, mapping, model_of)
        if part_of is not None and upto is not None:
            counts["partial_upto"] = upto.isoformat()
            if late:
                counts["late"] = sorted(late)
            part_of.applied_at[mapping.stream] = pulled
        elif late:
            counts["updated"] += applier.fill_references(mapping, sorted(late))
        done[mapping.model] = counts
        db.session.add_all(
            RecordError(run_id=run.id, stream=mapping.stream, remote_id=remote_id, message=message)
            for remote_id, message in result.errors[:MAX_ERRORS_PER_MODEL]
        )
        run.applied = dict(done)
        with writer_lock(priority=True):
            db.session.commit()
        lock.extend(LOCK_SECONDS, replace_ttl=True)
        if upto is None:
            names.append(mapping.model)
    if final:
        integration.options = {**options, "applied_config": fingerprint}
    if names:
        from hub.sync.runner import add_event

        add_event(
            run.id,
            f"applied {', '.join(names)} to hub records in {time.monotonic() - started:.1f} s",
        )
    with writer_lock(priority=True):
        db.session.commit()
