"""Queueing work for RQ workers: one active sync per integration, deterministic job ids."""

from __future__ import annotations

import contextlib

from flask import current_app
from rq import Queue, Retry, Worker
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub.connectors import get_connector
from hub.errors import ConfigurationError
from hub.extensions import db
from hub.models import Integration, SyncRun
from hub.models.base import utcnow
from hub.redis_conn import get_redis

QUEUE_NAME = "hub"
SYNC_TIMEOUT = 6 * 3600
ALIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED}


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
    if run is None or run.job_id is None or _run_alive(run):
        return run
    run.status = "failed"
    run.message = "the worker running this sync stopped and its job was lost"
    run.finished_at = utcnow()
    db.session.commit()
    return None


def _run_alive(run: SyncRun) -> bool:
    """Whether the run's coordinating job or any of its lanes is queued or running."""
    if run.job_id and _job_alive(run.job_id):
        return True
    lane = 0
    while _job_exists(lane_job_id(run.id, lane)):
        if _job_alive(lane_job_id(run.id, lane)):
            return True
        lane += 1
    return False


def _job_exists(job_id: str) -> bool:
    return bool(Job.exists(job_id, connection=get_redis()))


def _job_alive(job_id: str) -> bool:
    try:
        job = Job.fetch(job_id, connection=get_redis())
    except NoSuchJobError:
        return False
    return job.get_status() in ALIVE


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
    except IntegrityError:
        db.session.rollback()
        existing = active_run(integration)
        if existing is None:
            raise
        return existing, False
    run.job_id = sync_job_id(run.id)
    db.session.commit()
    if enqueue:
        intervals = list(current_app.config["SYNC_RETRY_INTERVALS"])
        get_queue().enqueue_call(
            "hub.tasks.sync_job",
            args=(run.id,),
            job_id=run.job_id,
            timeout=SYNC_TIMEOUT,
            retry=Retry(max=len(intervals), interval=intervals),
            result_ttl=86400,
            failure_ttl=7 * 86400,
            description=f"sync {integration.connector} for tenant {integration.tenant_id}",
        )
    return run, True


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
