"""Queueing work for RQ workers: one active sync per integration, deterministic job ids.

A run whose job vanished from Redis (a Redis restart or flush loses RQ's
queue) is queued again, once nobody works on it: a job beats a heartbeat
key while it runs, and a run is only resumed after it was seen without job
and heartbeat for :data:`LOST_GRACE_SECONDS`. A job that RQ gave up on
(retries spent) fails its run instead.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import redis
from flask import current_app
from rq import Queue, Retry, Worker
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub.background import in_background
from hub.connectors import get_connector
from hub.errors import ConfigurationError
from hub.extensions import db
from hub.models import Integration, SyncRun
from hub.models.base import utcnow
from hub.redis_conn import get_redis

QUEUE_NAME = "hub"
SYNC_TIMEOUT = 6 * 3600
ALIVE = {
    JobStatus.CREATED,
    JobStatus.QUEUED,
    JobStatus.STARTED,
    JobStatus.DEFERRED,
    JobStatus.SCHEDULED,
}
HEARTBEAT_SECONDS = 5.0
LOST_GRACE_SECONDS = 15.0  # > the heartbeat period: a live job re-beats after a Redis restart


def get_queue() -> Queue:
    """Return the hub's RQ queue on the app's Redis."""
    return Queue(QUEUE_NAME, connection=get_redis())


def sync_job_id(run_id: int) -> str:
    """Return the RQ job id of a sync run (the same run is never queued twice)."""
    return f"hub-sync-{run_id}"


def active_run(integration: Integration) -> SyncRun | None:
    """Return the integration's queued or running sync, clearing one whose job was lost."""
    run = db.session.scalar(
        select(SyncRun).where(
            SyncRun.integration_id == integration.id,
            SyncRun.status.in_(("queued", "running")),
        )
    )
    if run is None or run.job_id is None:
        return run
    # One read of the coordinating job's status decides: reading "alive" and
    # "exists" apart let a job queued in between look ended, failing a new run.
    status = _job_status(run.job_id)
    if status in ALIVE or _lanes_or_heartbeat_alive(run):
        return run
    if status is None:
        _resume_lost(run)
        return run
    run.status = "failed"
    run.message = "the worker running this sync stopped and its job was lost"
    run.finished_at = utcnow()
    db.session.commit()
    return None


def _lanes_or_heartbeat_alive(run: SyncRun) -> bool:
    """Whether a job beats for the run, or one of its lanes is queued or running."""
    if get_redis().exists(heartbeat_key(run.id)):
        return True
    lane = 0
    while (status := _job_status(lane_job_id(run.id, lane))) is not None:
        if status in ALIVE:
            return True
        lane += 1
    return False


def heartbeat_key(run_id: int) -> str:
    """The Redis key a job working on run ``run_id`` keeps alive."""
    return f"hub:run-alive:{run_id}"


@contextlib.contextmanager
def run_heartbeat(run_id: int) -> Iterator[None]:
    """Say in Redis, every few seconds, that this process works on run ``run_id``.

    The key outlives a Redis restart by at most one beat, so a run whose job
    record was lost but whose work goes on is not queued a second time.
    """
    client = get_redis()

    def beat(stop: threading.Event) -> None:
        while True:
            with contextlib.suppress(redis.RedisError):
                client.set(heartbeat_key(run_id), "1", ex=int(3 * HEARTBEAT_SECONDS))
            if stop.wait(HEARTBEAT_SECONDS):
                return

    with in_background(beat, f"heartbeat-{run_id}"):
        yield


def _resume_lost(run: SyncRun) -> None:
    """Queue a run whose job vanished again, once it has stayed without one for a while."""
    client = get_redis()
    key = f"hub:run-lost:{run.id}"
    now = time.time()
    if client.set(key, str(now), nx=True, ex=int(10 * LOST_GRACE_SECONDS)):
        return  # first sighting: a job being queued right now, or a beat due, looks the same
    seen = float(client.get(key) or now)
    if now - seen < LOST_GRACE_SECONDS or not client.delete(key):
        return  # not long enough yet, or another process is resuming it
    from hub.sync.runner import add_event

    add_event(run.id, "the run's job was lost (Redis restarted or lost its data); "
              "queued again to resume where it stopped", "warning")  # fmt: skip
    db.session.commit()
    _enqueue_sync(run)


def _job_status(job_id: str) -> JobStatus | None:
    """Return an RQ job's status, ``None`` when Redis holds no such job."""
    try:
        return Job.fetch(job_id, connection=get_redis()).get_status()
    except NoSuchJobError:
        return None


def request_sync(
    integration: Integration,
    *,
    streams: list[str] | None = None,
    full: bool = False,
    trigger: str = "manual",
    enqueue: bool = True,
) -> tuple[SyncRun, bool]:
    """Queue a sync; return the run and whether it is new (``False``: one was already active)."""
    if not integration.enabled:
        raise ConfigurationError(f"the {integration.connector} integration is not enabled")
    connector = get_connector(integration.connector)
    for name in streams or []:
        connector.stream(name)
    existing = active_run(integration)
    if existing is not None:
        return existing, False
    run = SyncRun(
        tenant_id=integration.tenant_id,
        integration_id=integration.id,
        status="queued",
        trigger=trigger,
        full=full,
        streams_requested=list(streams or []),
    )
    db.session.add(run)
    try:
        db.session.flush()
        run.job_id = sync_job_id(run.id)
        db.session.commit()  # where SQLite may report the other requester's run
    except IntegrityError:
        db.session.rollback()
        existing = active_run(integration)
        if existing is None:
            raise
        return existing, False
    if enqueue:
        _enqueue_sync(run)
    return run, True


def _enqueue_sync(run: SyncRun) -> None:
    """Queue the run's coordinating job, unless a job of that id already exists."""
    assert run.job_id is not None
    intervals = list(current_app.config["SYNC_RETRY_INTERVALS"])
    with contextlib.suppress(DuplicateJobError):
        get_queue().enqueue_call(
            "hub.tasks.sync_job",
            args=(run.id,),
            job_id=run.job_id,
            unique=True,
            timeout=SYNC_TIMEOUT,
            retry=Retry(max=len(intervals), interval=intervals),
            result_ttl=86400,
            failure_ttl=7 * 86400,
            description=f"sync integration {run.integration_id} for tenant {run.tenant_id}",
        )


def workers_listening() -> int:
    """Return how many RQ workers listen on the hub's queue."""
    return len(Worker.all(queue=get_queue()))


def lane_job_id(run_id: int, lane: int) -> str:
    """Return the RQ job id of one lane of a run."""
    return f"hub-sync-{run_id}-lane-{lane}"


def enqueue_lane(run_id: int, lane: int, streams: list[str]) -> None:
    """Queue one lane of a run (once: a retried coordinator does not queue it again)."""
    intervals = list(current_app.config["SYNC_RETRY_INTERVALS"])
    with contextlib.suppress(DuplicateJobError):
        get_queue().enqueue_call(
            "hub.tasks.lane_job",
            args=(run_id, streams),
            job_id=lane_job_id(run_id, lane),
            unique=True,
            timeout=SYNC_TIMEOUT,
            retry=Retry(max=len(intervals), interval=intervals),
            result_ttl=86400,
            failure_ttl=7 * 86400,
            description=f"sync run {run_id}, lane {lane}: {', '.join(streams)}",
        )


def apply_pending_key(integration_id: int) -> str:
    """The Redis key that says an apply of the integration is queued and not yet started."""
    return f"hub:apply-pending:{integration_id}"


def request_apply(integration: Integration) -> bool:
    """Queue a re-apply of the integration's mirror; ``False`` when one is already queued.

    A change made while an apply runs queues another one, which sees the change.
    """
    if not get_redis().set(apply_pending_key(integration.id), "1", nx=True, ex=SYNC_TIMEOUT):
        return False
    get_queue().enqueue_call(
        "hub.tasks.apply_job",
        args=(integration.id,),
        timeout=SYNC_TIMEOUT,
        result_ttl=3600,
        description=f"apply {integration.connector} for tenant {integration.tenant_id}",
    )
    return True
