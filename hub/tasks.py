"""RQ job functions: module-level, take ids, run inside an app context."""

from __future__ import annotations

from flask import Flask

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
        return run_sync(run_id, lanes=workers_listening())


def lane_job(run_id: int, streams: list[str]) -> str:
    """Pull one lane (a group of streams) of the sync run ``run_id``."""
    from hub.extensions import db
    from hub.sync.runner import run_lane

    with job_app().app_context():
        db.engine.dispose(close=False)
        return run_lane(run_id, streams)


def apply_job(integration_id: int) -> dict[str, dict[str, int]]:
    """Re-apply an integration's mirror to hub records (after a mapping change)."""
    from hub.apply.engine import apply_integration
    from hub.extensions import db
    from hub.jobs import apply_pending_key
    from hub.redis_conn import get_redis

    with job_app().app_context():
        db.engine.dispose(close=False)
        get_redis().delete(apply_pending_key(integration_id))  # later changes queue a new apply
        return apply_integration(integration_id)
