"""The ``hub worker`` entry: builds the app and loads plugins once, then forks per job."""

from __future__ import annotations

from flask import Flask
from rq import Worker

from hub.jobs import get_queue
from hub.redis_conn import get_redis
from hub.tasks import set_job_app


def run_worker(app: Flask, *, burst: bool = False) -> bool:
    """Process jobs from the hub queue until stopped (or, with ``burst``, until it is empty)."""
    set_job_app(app)
    with app.app_context():
        queue = get_queue()
        worker = Worker([queue], connection=get_redis())
        return bool(worker.work(burst=burst, with_scheduler=True, logging_level="WARNING"))
