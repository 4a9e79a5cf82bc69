"""Applying a sync run to hub records stream by stream, as soon as each is ready.

A mapping is ready once its stream is pulled (or is not part of the run) and
every stream it refers to has been applied in this run. Whoever finishes a
stream applies what became ready, so apply runs beside the pulls still in
flight instead of after all of them; the run's end applies what is left.
One Redis lock per integration orders these whole applies (and keeps a
mapping change's re-apply or a webhook's apply from running beside them).
``SyncRun.applied`` records what was applied, per hub model, so a resumed
run does not apply it twice; each entry is written on its own, so appliers
of different models never undo each other's.

A long stream whose references are applied is applied part-way while it
still pulls, by a thread beside the pulls in the process pulling it (see
:func:`apply_while_pulling`): the records stored so far, then only those
stored after that. Its ``applied`` entry carries ``partial_upto`` until the
stream is done, so the run's end applies only the last stretch. A part-way
apply holds only its model's lock (:mod:`hub.apply.locks`), so two long
streams pulled by two workers are applied at the same time.
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
from sqlalchemy import select, update

from hub.apply.engine import Applier, ModelResult
from hub.apply.locks import LOCK_SECONDS, model_lock
from hub.connector import ModelMapping
from hub.extensions import db
from hub.models import HUB_MODELS, Integration, RecordError, StreamRun, SyncRun
from hub.models.records import Picklist
from hub.redis_conn import get_redis
from hub.sync.pull import Lane, writer_lock

log = logging.getLogger(__name__)
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


def apply_ready(run_id: int) -> bool:
    """Apply the run's mappings that are ready; return ``False`` when another process is.

    Gives up at once when the lock is held: its holder checks again for
    newly ready streams before letting go.
    """
    run = db.session.get(SyncRun, run_id)
    if run is None:
        return False
    integration_id = run.integration_id
    while True:
        with apply_lock(integration_id, wait=False) as lock:
            if lock is None:
                return False
            _apply_pass(run_id, lock, final=False)
        db.session.commit()
        if not _pending(run_id):
            return True


def apply_while_pulling(run_id: int, lane: Lane, stop: threading.Event) -> None:
    """Every half second until ``stop`` is set: apply what is ready, and long streams part-way.

    Applying part-way only saves time later: a failure here is logged and
    the run's end applies everything anyway.
    """
    while not stop.wait(PARTIAL_EVERY_SECONDS):
        try:
            apply_ready(run_id)
            _apply_parts(run_id, lane)
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


def _load(run_id: int) -> tuple[SyncRun, Integration]:
    db.session.expire_all()
    run = db.session.get(SyncRun, run_id)
    assert run is not None
    integration = db.session.get(Integration, run.integration_id)
    assert integration is not None
    return run, integration


def _ledger(run_id: int) -> dict[str, Any]:
    """The run's ``applied`` entries as committed now (another process may have added one)."""
    return dict(db.session.scalar(select(SyncRun.applied).where(SyncRun.id == run_id)) or {})


def _record(run_id: int, mapping: ModelMapping, counts: dict[str, Any], errors: list[Any]) -> None:
    """Commit one model's ``applied`` entry and its record errors; other entries stay."""
    db.session.add_all(
        RecordError(run_id=run_id, stream=mapping.stream, remote_id=remote_id, message=message)
        for remote_id, message in errors[:MAX_ERRORS_PER_MODEL]
    )
    with writer_lock(priority=True):
        applied = db.session.scalar(
            select(SyncRun.applied).where(SyncRun.id == run_id).with_for_update()
        )
        db.session.execute(
            update(SyncRun)
            .where(SyncRun.id == run_id)
            .values(applied={**(applied or {}), mapping.model: counts})
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


def _run_since(run: SyncRun, integration: Integration, applier: Applier) -> datetime | None:
    """Rows pulled since the run began suffice, unless the mapping changed since the last apply."""
    applied_config = (integration.options or {}).get("applied_config")
    return run.created_at if applied_config == applier.config.fingerprint() else None


def _step_since(
    mapping: ModelMapping,
    entry: dict[str, Any],
    done: dict[str, Any],
    model_of: dict[str, str],
    since: datetime | None,
) -> datetime | None:
    """Where a step of ``mapping`` starts: after its last part-way mark, or ``since``.

    From the start when a stream it refers to gained or lost hub records in
    this run: references of unchanged rows may resolve differently now.
    """
    if "partial_upto" in entry:
        return datetime.fromisoformat(entry["partial_upto"])
    refers = {s for s, _ in mapping.references.values() if s != mapping.stream}
    moved = any(
        (done.get(model_of.get(s, ""), {}).get("created") or 0)
        + (done.get(model_of.get(s, ""), {}).get("deleted") or 0)
        for s in refers
    )
    return None if moved else since


def _added(entry: dict[str, Any], result: ModelResult) -> dict[str, Any]:
    return {k: v + int(entry.get(k) or 0) for k, v in result.counts().items()}


def _apply_parts(run_id: int, lane: Lane) -> None:
    """Apply the streams ``lane`` still pulls part-way, each under its model's lock only."""
    run, integration = _load(run_id)

    @contextlib.contextmanager
    def priority_writer() -> Iterator[None]:
        with writer_lock(priority=True):
            yield

    applier = Applier(integration, write_guard=priority_writer)
    since = _run_since(run, integration, applier)
    model_of = {m.stream: m.model for m in applier.config.mappings}
    for mapping in _part_ready(run, applier, lane):
        with model_lock(integration.id, mapping.model, wait=False) as lock:
            if lock is None:
                continue
            done = _ledger(run_id)
            entry = done.get(mapping.model) or {}
            if entry and "partial_upto" not in entry:
                continue  # applied whole meanwhile
            upto, settled = lane.settled(mapping.stream)
            step_since = _step_since(mapping, entry, done, model_of, since)
            result = applier.apply(mapping, step_since, upto)  # rows before upto are committed
            counts = _added(entry, result)
            counts["partial_upto"] = upto.isoformat()
            late = set(entry.get("late") or []) | _late(run, mapping, model_of)
            if late:
                counts["late"] = sorted(late)
            _record(run_id, mapping, counts, result.errors)
            lane.applied_at[mapping.stream] = settled


def _apply_pass(run_id: int, lock: Lock, *, final: bool) -> None:
    """Apply the mappings ready now (all left, if ``final``) whole; the caller holds ``lock``."""
    run, integration = _load(run_id)

    @contextlib.contextmanager
    def renewing_writer() -> Iterator[None]:
        lock.extend(LOCK_SECONDS, replace_ttl=True)
        with writer_lock(priority=True):
            yield

    applier = Applier(integration, write_guard=renewing_writer)
    since = _run_since(run, integration, applier)
    options = dict(integration.options or {})
    started = time.monotonic()
    names = []
    model_of = {m.stream: m.model for m in applier.config.mappings}
    for mapping in _ready(run, applier, final=final):
        # Waits for a part-way apply of this model in flight, then goes on from its mark.
        with model_lock(integration.id, mapping.model):
            done = _ledger(run_id)
            entry = done.get(mapping.model) or {}
            if entry and "partial_upto" not in entry:
                continue
            result = applier.apply(mapping, _step_since(mapping, entry, done, model_of, since))
            counts = _added(entry, result)
            if entry.get("late"):
                counts["updated"] += applier.fill_references(mapping, sorted(entry["late"]))
            _record(run_id, mapping, counts, result.errors)
        lock.extend(LOCK_SECONDS, replace_ttl=True)
        names.append(mapping.model)
    if final:
        integration.options = {**options, "applied_config": applier.config.fingerprint()}
    if names:
        from hub.sync.runner import add_event

        add_event(
            run.id,
            f"applied {', '.join(names)} to hub records in {time.monotonic() - started:.1f} s",
        )
    with writer_lock(priority=True):
        db.session.commit()
