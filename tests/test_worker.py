"""``hub worker --burst`` finishes what its jobs scheduled: a failed job's retry runs too."""

from __future__ import annotations

from flask import Flask
from rq import Retry
from rq.job import Job

from hub.jobs import get_queue
from hub.redis_conn import get_redis
from hub.worker import run_worker


def fails_once(key: str) -> str:
    """Fail on the first attempt, succeed on the retry (the attempt count lives in Redis)."""
    from hub.tasks import job_app

    with job_app().app_context():
        if get_redis().incr(key) == 1:
            raise RuntimeError("first attempt fails")
    return "done"


def test_a_burst_worker_runs_the_retry_it_scheduled(app: Flask) -> None:
    with app.app_context():
        job = get_queue().enqueue(
            "tests.test_worker.fails_once", "attempts", retry=Retry(max=1, interval=1)
        )
    run_worker(app, burst=True)
    with app.app_context():
        job = Job.fetch(job.id, connection=get_redis())
        assert job.get_status() == "finished"
        assert job.return_value() == "done"
        assert int(get_redis().get("attempts") or 0) == 2
