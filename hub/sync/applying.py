"""Applying a sync run to hub records stream by stream, as soon as each is ready.

A mapping is ready once its stream is pulled (or is not part of the run) and
every stream it refers to has been applied in this run. Whoever finishes a
stream applies what became ready, so apply runs beside the pulls still in
flight instead of after all of them; the run's end applies what is left.
One Redis lock per integration keeps two processes (or a mapping change's
re-apply) from applying at once. ``SyncRun.applied`` records what was
applied, per hub model, so a resumed run does not apply it twice.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

from redis.lock import Lock

from hub.apply.engine import Applier
from hub.extensions import db
from hub.models import Integration, RecordError, StreamRun, SyncRun
from hub.redis_conn import get_redis
from hub.sync.pull import writer_lock

LOCK_SECONDS = 20  # renewed with every chunk written; a killed holder's lock lapses soon
MAX_ERRORS_PER_MODEL = 1000
FINISHED = ("succeeded", "held", "failed", "skipped")


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


def _ready(run: SyncRun, applier: Applier, *, final: bool) -> list[Any]:
    """Return the mappings to apply now, in apply order."""
    statuses = _statuses(run)
    applied = set((run.applied or {}).keys())
    model_of = {m.stream: m.model for m in applier.config.mappings}
    ready = []
    for mapping in applier.mappings():
        if mapping.model in applied:
            continue
        if not final and statuses.get(mapping.stream, "succeeded") not in FINISHED:
            continue
        refers = {stream for stream, _ in mapping.references.values()}
        waiting = {
            model_of[s] for s in refers if s in model_of and s in statuses and s != mapping.stream
        }
        if not final and not waiting <= applied:
            continue
        ready.append(mapping)
        applied.add(mapping.model)
    return ready


def _apply_pass(run_id: int, lock: Lock, *, final: bool) -> None:
    db.session.expire_all()
    run = db.session.get(SyncRun, run_id)
    assert run is not None
    integration = db.session.get(Integration, run.integration_id)
    assert integration is not None

    @contextlib.contextmanager
    def renewing_writer() -> Iterator[None]:
        lock.extend(LOCK_SECONDS, replace_ttl=True)
        with writer_lock():
            yield

    applier = Applier(integration, write_guard=renewing_writer)
    fingerprint = applier.config.fingerprint()
    options = dict(integration.options or {})
    since = run.created_at if options.get("applied_config") == fingerprint else None
    done: dict[str, Any] = dict(run.applied or {})
    started = time.monotonic()
    names = []
    for mapping in _ready(run, applier, final=final):
        model_of = {m.stream: m.model for m in applier.config.mappings}
        refers = {s for s, _ in mapping.references.values() if s != mapping.stream}
        moved = any(
            (done.get(model_of.get(s, ""), {}).get("created") or 0)
            + (done.get(model_of.get(s, ""), {}).get("deleted") or 0)
            for s in refers
        )
        result = applier.apply(mapping, None if moved else since)
        done[mapping.model] = result.counts()
        db.session.add_all(
            RecordError(run_id=run.id, stream=mapping.stream, remote_id=remote_id, message=message)
            for remote_id, message in result.errors[:MAX_ERRORS_PER_MODEL]
        )
        run.applied = dict(done)
        db.session.commit()
        lock.extend(LOCK_SECONDS, replace_ttl=True)
        names.append(mapping.model)
    if final:
        integration.options = {**options, "applied_config": fingerprint}
    if names:
        from hub.sync.runner import add_event

        add_event(
            run.id,
            f"applied {', '.join(names)} to hub records in {time.monotonic() - started:.1f} s",
        )
    db.session.commit()
