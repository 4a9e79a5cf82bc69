"""``hub worker``: a burst finishes what its jobs scheduled, and a stop is prompt."""

from __future__ import annotations

import threading
import time

from flask import Flask
from rq import Retry
from rq.job import Job

from hub.jobs import get_queue
from hub.redis_conn import get_redis
from hub.worker import HubWorker, run_worker


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


def test_a_stopping_worker_does_not_sit_out_its_command_listener(app: Flask) -> None:
    """The listener read the unsubscribe reply before it was told to stop (a race on SIGTERM)."""
    with app.app_context():
        worker = HubWorker([get_queue()], connection=get_redis())
    worker.subscribe()
    assert worker.pubsub is not None
    deadline = time.monotonic() + 10
    while not worker.pubsub.subscribed and time.monotonic() < deadline:
        time.sleep(0.01)  # the listener thread confirms the subscription
    worker.pubsub.unsubscribe()
    while worker.pubsub.subscribed and time.monotonic() < deadline:
        time.sleep(0.01)  # ...and now the unsubscription: it waits for a new one
    stopping = threading.Thread(target=worker.unsubscribe, daemon=True)
    stopping.start()
    stopping.join(timeout=10)
    assert not stopping.is_alive(), "the worker waited out its listener's poll"
