"""The ``hub worker`` entry: builds the app and loads plugins once, then forks per job."""

from __future__ import annotations

import ctypes
import gc
import os
import sys
import time

from flask import Flask
from rq import Queue, Worker
from rq.utils import now

from hub.jobs import get_queue
from hub.redis_conn import get_redis
from hub.tasks import set_job_app

BURST_RETRY_HORIZON = 120.0  # seconds: a burst waits for retries due this soon
MALLOC_ARENAS = 2
PUBSUB_POLL = 1.0  # seconds: the longest a stopping worker waits for its command listener
SWITCH_INTERVAL = 0.001  # seconds a thread runs before it offers the GIL (Python: 0.005)
GC_YOUNG_THRESHOLD = 20_000  # allocations between young collections (Python's default: 700)
_M_ARENA_MAX = -8  # glibc's mallopt parameter number


def run_worker(app: Flask, *, burst: bool = False) -> bool:
    """Process jobs from the hub queue until stopped (or, with ``burst``, until it is empty).

    A burst also waits for the retries its jobs scheduled (a job that failed
    part-way is retried after a short interval and resumes): RQ's own burst
    stops at an empty queue and would leave such a run unfinished.
    """
    set_job_app(app)
    limit_malloc_arenas()
    worked = False
    with app.app_context():
        queue = get_queue()
        while True:
            worker = HubWorker([queue], connection=get_redis())
            worked = (
                bool(worker.work(burst=burst, with_scheduler=True, logging_level="WARNING"))
                or worked
            )
            wait = next_retry_in(queue) if burst else None
            if wait is None or wait > BURST_RETRY_HORIZON:
                return worked
            time.sleep(wait)


class HubWorker(Worker):
    """RQ's forking worker, whose command listener lets it stop within a second.

    RQ listens for commands (stop a job, shut down) on a thread that polls
    with a 60 s timeout, and on shutdown redis-py (8.2 on) waits for that
    thread to finish. When the thread has already read the reply to the
    worker's unsubscribe, it sleeps out the whole poll: SIGTERM then took up
    to a minute to stop an idle worker. Commands still arrive at once; only
    the idle poll is shorter.
    """

    def subscribe(self) -> None:
        """Subscribe to this worker's command channel, polling every :data:`PUBSUB_POLL` s."""
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(  # type: ignore[assignment]
            sleep_time=PUBSUB_POLL, daemon=True, exception_handler=self._pubsub_exception_handler
        )


def next_retry_in(queue: Queue) -> float | None:
    """Seconds until the queue's next scheduled job is due (``None`` when none is)."""
    registry = queue.scheduled_job_registry
    first = registry.get_job_ids(0, 0)
    if not first:
        return None
    due = registry.get_scheduled_time(first[0])
    return max(0.0, (due - now()).total_seconds()) + 0.05


def tune_interpreter() -> None:
    """Tune the collector and the GIL for a sync's many threads (see below)."""
    tune_garbage_collector()
    # A fetch thread whose answer arrived waits for the GIL while other threads store
    # and apply pages, after every socket read of the body: up to the switch interval
    # each time. At 1 ms instead of 5, pages at 300 ms latency came about 3% faster.
    sys.setswitchinterval(SWITCH_INTERVAL)


def tune_garbage_collector() -> None:
    """Keep the cyclic garbage collector off the objects that live as long as the worker.

    A sync allocates millions of short-lived, acyclic objects (decoded
    records): with the default thresholds the collector ran over a thousand
    times per medium sync and, scanning the app and its modules each time a
    full collection came round, took about 15% of the work horses' CPU.
    Frozen objects are never scanned (nor touched in the forked work horses,
    which keeps their pages shared), and young collections come rarer.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def limit_malloc_arenas() -> None:
    """Cap glibc's malloc arenas for the work horses forked from here (unless set already).

    A sync runs a few dozen threads, and glibc gives threads arenas of their
    own up to eight per core, which keeps the memory of freed pages: the peak
    work-horse RSS of a medium sync drops from about 460 MB to under 300 MB
    with two arenas, at the same speed (``benchmarks/sync_bench.py``).
    """
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: nothing to tune
        return
    libc.mallopt(_M_ARENA_MAX, MALLOC_ARENAS)
