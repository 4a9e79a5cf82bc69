"""RQ job functions: module-level, take ids, run inside an app context."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from flask import Flask

from hub.sqlite_checkpoints import background_checkpoints

log = logging.getLogger(__name__)
_app: Flask | None = None


def set_job_app(app: Flask) -> None:
    """Use ``app`` for every job of this process (the worker builds it once, before forking)."""
    global _app
    _app = app


def job_app() -> Flask:
    """Return the app jobs run in, building it on first use."""
    global _app
    if _app is None:
        from hub.app import create_app

        _app = create_app()
    return _app


def sync_job(run_id: int) -> str:
    """Coordinate or resume the sync run ``run_id``, spreading it over listening workers."""
    from hub.extensions import db
    from hub.jobs import workers_listening
    from hub.sync.runner import run_sync

    with job_app().app_context():
        # A forked work horse must not reuse its parent's database connections.
        db.engine.dispose(close=False)
        with _working_on(run_id), background_checkpoints():
            return run_sync(run_id, lanes=workers_listening())


def lane_job(run_id: int, streams: list[str]) -> str:
    """Pull one lane (a group of streams) of the sync run ``run_id``."""
    from hub.extensions import db
    from hub.sync.runner import run_lane

    with job_app().app_context():
        db.engine.dispose(close=False)
        with _working_on(run_id), background_checkpoints():
            return run_lane(run_id, streams)


@contextlib.contextmanager
def _working_on(run_id: int) -> Iterator[None]:
    """Beat the run's heartbeat; on an unexpected error, note it in the run's history.

    The error is re-raised so RQ retries the job, which resumes the run.
    Only the error's kind goes into the history: a database error's text
    carries SQL and record values.
    """
    from sqlalchemy.exc import DBAPIError

    from hub.extensions import db
    from hub.jobs import run_heartbeat
    from hub.sync.runner import add_event

    try:
        with run_heartbeat(run_id):
            yield
    except Exception as exc:
        if isinstance(exc, DBAPIError):
            first = str(exc.orig).strip().splitlines()[0][:200] if exc.orig else ""
            what = f"the database connection failed ({type(exc.orig).__name__}: {first})"
        else:
            what = f"an unexpected {type(exc).__module__}.{type(exc).__name__}"
        message = f"interrupted by {what}; the run resumes when RQ retries the job"
        for attempt in range(2):
            # A rollback on a dropped connection fails once, discarding it; the second
            # attempt writes on a fresh one.
            try:
                db.session.rollback()
                add_event(run_id, message, "warning")
                db.session.commit()
                break
            except Exception as again:  # the database itself may still be away
                if attempt:
                    log.warning("run %s: could not note the interruption: %s", run_id,
                                type(again).__name__)  # fmt: skip
        raise


def apply_job(integration_id: int) -> dict[str, dict[str, int]]:
    """Re-apply an integration's mirror to hub records (after a mapping change)."""
    from hub.apply.engine import apply_integration
    from hub.extensions import db
    from hub.jobs import apply_pending_key
    from hub.redis_conn import get_redis
    from hub.sync.applying import apply_lock

    with job_app().app_context():
        db.engine.dispose(close=False)
        get_redis().delete(apply_pending_key(integration_id))  # later changes queue a new apply
        with apply_lock(integration_id, wait=True), background_checkpoints():
            return apply_integration(integration_id)  # (not beside a sync's own apply)


def writeback_job(run_id: int) -> str:
    """Carry out (or resume) the write-back or rollback run ``run_id``."""
    from hub.extensions import db
    from hub.writeback.runs import execute

    with job_app().app_context():
        db.engine.dispose(close=False)
        return execute(run_id)


def webhook_job(delivery_id: int) -> str:
    """Read the record a webhook delivery names into the mirror and apply it."""
    from hub.extensions import db
    from hub.webhooks.intake import process

    with job_app().app_context():
        db.engine.dispose(close=False)
        return process(delivery_id)


def warranty_lookup_job(tenant_id: int, asset_ids: list[int] | None, overwrite: bool) -> int:
    """Ask the plugins for warranty dates of a tenant's assets; return how many were found."""
    from hub.extensions import db
    from hub.warranty.lookup import lookup_warranties

    with job_app().app_context():
        db.engine.dispose(close=False)
        return lookup_warranties(tenant_id, asset_ids, overwrite=overwrite).found
