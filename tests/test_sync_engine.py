"""The generic sync engine: pull into the mirror, checkpoints, resume, increments, deletes."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from rq.job import Job
from sqlalchemy import func, select

from hub import plugins
from hub.config import SYNC_PULL_THREADS
from hub.extensions import db
from hub.integrations import configure_integration
from hub.jobs import get_queue, request_sync
from hub.models import Integration, MirrorRecord, PullCursor, RunEvent, SyncRun
from hub.sync.mirror import field_names, whole
from hub.sync.runner import run_summary
from hub.tenancy import create_tenant
from hub.worker import run_worker
from tests import memory_connector as memory
from tests.memory_connector import State


@pytest.fixture
def memory_plugin() -> Iterator[None]:
    memory.reset()
    plugins.register_plugin(memory, "memory")
    yield
    plugins.unregister_plugin("memory")


@pytest.fixture
def integration(app: Flask, memory_plugin: None) -> Iterator[Integration]:
    with app.app_context():
        tenant = create_tenant("acme", "Acme", "admin@acme.test", "password1")
        yield configure_integration(tenant, "memory", {"token": "tok-SECRET-1234"})


def _mirror(integration: Integration, stream: str, deleted: bool = False) -> dict[str, dict]:
    query = select(MirrorRecord.remote_id, MirrorRecord.data).where(
        MirrorRecord.integration_id == integration.id, MirrorRecord.stream == stream
    )
    query = query.where(
        MirrorRecord.deleted_at.is_not(None) if deleted else MirrorRecord.deleted_at.is_(None)
    )
    fields = field_names(integration.id, stream)
    return {rid: whole(data, fields) for rid, data in db.session.execute(query)}


def _sync(app: Flask, integration: Integration, **kwargs: object) -> SyncRun:
    run, created = request_sync(integration, **kwargs)  # type: ignore[arg-type]
    assert created
    run_worker(app, burst=True)
    db.session.expire_all()
    return db.session.get(SyncRun, run.id)  # type: ignore[return-value]


def test_first_sync_pulls_every_partition_into_the_mirror(
    app: Flask, integration: Integration
) -> None:
    run = _sync(app, integration)
    assert run.status == "succeeded"
    widgets = _mirror(integration, "widgets")
    assert sorted(int(k) for k in widgets) == sorted(r["id"] for r in State.records["widgets"])
    assert widgets["1001"]["name"] == "widget 1001"
    summary = run_summary(run)
    assert summary["streams"]["widgets"]["pulled"] == 35
    assert summary["streams"]["widgets"]["created"] == 35
    assert summary["streams"]["gadgets"]["total"] == 12
    # 2 plans + pages (widgets: 2 ranges of 17/18 = 2+2 pages; gadgets 2 pages); a first
    # full pull needs no count to look for deletes: the plan counted already.
    assert summary["api_calls"] == 2 + 4 + 2
    assert db.session.get(Integration, integration.id).last_synced_at is not None


def test_second_sync_is_incremental_and_changes_nothing_unchanged(
    app: Flask, integration: Integration
) -> None:
    _sync(app, integration)
    State.records["widgets"][0].update(name="renamed", modified="2026-06-01T00:00:00Z")
    run = _sync(app, integration)
    widgets = run_summary(run)["streams"]["widgets"]
    assert widgets["mode"] == "incremental"
    # The changed record, plus the newest one again (the overlap), which is unchanged.
    assert (widgets["pulled"], widgets["updated"], widgets["unchanged"]) == (2, 1, 1)
    gadgets = run_summary(run)["streams"]["gadgets"]
    assert (gadgets["mode"], gadgets["unchanged"], gadgets["updated"]) == ("full", 12, 0)
    assert _mirror(integration, "widgets")["1"]["name"] == "renamed"


def test_null_fields_are_not_stored_but_every_record_reads_back_whole(
    app: Flask, integration: Integration
) -> None:
    for widget in State.records["widgets"]:
        widget.update(notes=None, colour="red" if widget["id"] % 2 else None)
    _sync(app, integration)
    stored = db.session.scalars(
        select(MirrorRecord.data).where(MirrorRecord.stream == "widgets")
    ).all()
    assert stored and all("notes" not in data for data in stored)
    assert {"colour" in data for data in stored} == {True, False}

    printed = app.test_cli_runner().invoke(args=["mirror", "acme", "memory", "widgets"])
    assert printed.exit_code == 0, printed.output
    lines = [json.loads(line)["data"] for line in printed.output.splitlines()]
    assert sorted(lines, key=lambda r: r["id"]) == sorted(
        State.records["widgets"], key=lambda r: r["id"]
    )

    State.records["widgets"][0].update(colour=None, modified="2026-06-01T00:00:00Z")
    _sync(app, integration)
    assert _mirror(integration, "widgets")["1"]["colour"] is None


def test_deleted_records_are_marked_and_mass_deletes_are_held(
    app: Flask, integration: Integration, tmp_path: Path
) -> None:
    _sync(app, integration)
    State.records["widgets"] = State.records["widgets"][1:]  # one of 35 gone: 3%
    State.request_log = tmp_path / "requests.log"
    run = _sync(app, integration)
    assert "ids-only" in State.request_log.read_text()  # found by sweeping ids
    assert run_summary(run)["streams"]["widgets"]["deleted"] == 1
    assert list(_mirror(integration, "widgets", deleted=True)) == ["1"]

    State.records["gadgets"] = State.records["gadgets"][:6]  # half gone: held
    run = _sync(app, integration)
    gadgets = run_summary(run)["streams"]["gadgets"]
    assert (gadgets["status"], gadgets["deleted"]) == ("held", 0)
    assert "6 of 12 records" in gadgets["message"]
    assert run.status == "partial"
    assert len(_mirror(integration, "gadgets")) == 12


def test_no_remote_call_is_made_with_a_transaction_open(
    app: Flask, integration: Integration, tmp_path: Path
) -> None:
    """Plans, counts, deletion logs and id sweeps wait on the network, not on a connection.

    A thread holding a transaction through a remote call keeps a pooled connection
    (on SQLite, maybe the writer turn) that the other threads of the job need.
    """
    _sync(app, integration)
    State.records["widgets"] = State.records["widgets"][1:]  # swept for
    gone = State.records["widgets"].pop(3)
    State.deletion_log = [("2099-01-01T00:00:00Z", gone["id"])]  # logged
    State.request_log = tmp_path / "requests.log"
    run = _sync(app, integration)
    assert run_summary(run)["streams"]["widgets"]["deleted"] == 2
    calls = State.request_log.read_text().splitlines()
    assert {"widgets plan", "widgets deletion-log", "gadgets plan"} <= set(calls)
    assert any("ids-only" in call for call in calls)
    assert [call for call in calls if "open-transaction" in call] == []


def test_a_killed_worker_resumes_from_the_last_checkpoint(
    app: Flask, integration: Integration, tmp_path: Path
) -> None:
    memory.reset(widgets=100)  # two ranges of 50: 5 + 5 pages (+1 empty each)
    app.config["SYNC_RETRY_INTERVALS"] = [0, 0]
    State.crash_marker = tmp_path / "crashed"
    State.crash_after_pages = 6
    State.request_log = tmp_path / "requests.log"
    run = _sync(app, integration, streams=["widgets"])
    assert State.crash_marker.exists(), "the worker process was not killed"
    assert run.status == "succeeded"
    widgets = _mirror(integration, "widgets")
    assert sorted(int(k) for k in widgets) == sorted(r["id"] for r in State.records["widgets"])
    count = db.session.scalar(select(func.count()).where(MirrorRecord.stream == "widgets"))
    assert count == 100  # no duplicates
    pages = [line for line in State.request_log.read_text().splitlines() if "after=" in line]
    # 12 pages are needed; starting over after the kill would have taken 6 + 12. Resuming
    # re-reads at most the pages that were in flight when it died: per partition, the one
    # being stored and the next one, fetched meanwhile.
    assert 12 <= len(pages) <= 12 + 2 * 2
    events = [
        e.message for e in db.session.scalars(select(RunEvent).where(RunEvent.run_id == run.id))
    ]
    assert "resumed after an interruption" in events


def test_a_run_split_into_lanes_finishes_once(app: Flask, integration: Integration) -> None:
    from hub.sync.runner import run_sync

    run, _ = request_sync(integration, enqueue=False)
    assert run_sync(run.id, lanes=2) == "running"  # lanes were handed to the queue
    assert get_queue().count == 2
    run_worker(app, burst=True)
    db.session.expire_all()
    run = db.session.get(SyncRun, run.id)
    assert run.status == "succeeded"
    assert run_summary(run)["streams"]["widgets"]["pulled"] == 35
    finished = [e for e in run.events if e.message.startswith("finished")]
    assert len(finished) == 1


def test_the_same_sync_is_never_queued_twice(app: Flask, integration: Integration) -> None:
    first, created = request_sync(integration, trigger="cli")
    second, created_again = request_sync(integration, trigger="api")
    assert created and not created_again
    assert first.id == second.id
    run_worker(app, burst=True)
    db.session.expire_all()
    assert db.session.get(SyncRun, first.id).status == "succeeded"
    third, created = request_sync(integration)
    assert created and third.id != first.id


def test_bad_records_are_reported_and_do_not_fail_the_run(
    app: Flask, integration: Integration
) -> None:
    State.broken["gadgets"] = [{"name": "no id"}]
    State.records["gadgets"][0]["name"] = "nul\x00byte"
    run = _sync(app, integration, streams=["gadgets"])
    gadgets = run_summary(run)["streams"]["gadgets"]
    assert run.status == "succeeded"
    assert gadgets["errors"] == 2
    assert _mirror(integration, "gadgets")["1"]["name"] == "nulbyte"
    assert json.dumps(run_summary(run))


def test_hook_hub_deleted_ids_marks_logged_deletes_without_a_sweep(
    app: Flask, integration: Integration, tmp_path: Path
) -> None:
    _sync(app, integration, streams=["widgets"])
    gone = State.records["widgets"].pop(3)
    State.deletion_log = [("2099-01-01T00:00:00Z", gone["id"])]
    State.request_log = tmp_path / "requests.log"
    run = _sync(app, integration, streams=["widgets"])
    assert run_summary(run)["streams"]["widgets"]["deleted"] == 1
    assert list(_mirror(integration, "widgets", deleted=True)) == [str(gone["id"])]
    # The log told which record went: no ids-only sweep was needed.
    assert "ids-only" not in State.request_log.read_text()


def test_a_run_handed_to_lanes_is_not_taken_for_lost(app: Flask, integration: Integration) -> None:
    from hub.jobs import active_run
    from hub.sync.runner import run_sync

    run, _ = request_sync(integration, enqueue=False)
    run.job_id = "hub-sync-coordinator-that-finished"  # its coordinator returned after handing out
    db.session.commit()
    run_sync(run.id, lanes=2)
    assert active_run(integration) is not None  # the lanes are queued: the run is alive
    run_worker(app, burst=True)
    db.session.expire_all()
    assert db.session.get(SyncRun, run.id).status == "succeeded"


def test_a_run_whose_job_vanished_from_redis_is_queued_again(
    app: Flask, integration: Integration, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hub import jobs
    from hub.redis_conn import get_redis

    monkeypatch.setattr(jobs, "LOST_GRACE_SECONDS", 0.2)
    run, _ = request_sync(integration)
    get_redis().flushdb()  # Redis restarted without its data: RQ's queue and job are gone
    assert jobs.active_run(integration) is run  # first sighting: maybe a job being queued
    assert jobs._job_status(run.job_id or "") is None
    time.sleep(0.3)
    assert jobs.active_run(integration) is run  # still without a job: queued again
    assert jobs._job_status(run.job_id or "") is not None
    run_worker(app, burst=True)
    db.session.expire_all()
    assert db.session.get(SyncRun, run.id).status == "succeeded"
    messages = [e.message for e in db.session.get(SyncRun, run.id).events]
    assert any("job was lost (Redis restarted" in m for m in messages), messages


def test_a_run_whose_job_is_queued_while_another_requester_looks_stays_active(
    app: Flask, integration: Integration, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The requester that made the run queues its job while another looks at the run.

    The other requester must not take the run for one whose job ended: that
    failed a healthy run and let a second one start.
    """
    from hub import jobs

    run, _ = request_sync(integration, enqueue=False)  # made and committed, job not yet queued
    real_fetch = Job.fetch
    looks: list[str] = []

    def fetch_then_queue(job_id: str, *args: Any, **kwargs: Any) -> Job:
        try:
            return real_fetch(job_id, *args, **kwargs)
        finally:
            if not looks:  # the requester's enqueue lands right after this first look
                looks.append(job_id)
                jobs._enqueue_sync(run)

    monkeypatch.setattr(Job, "fetch", staticmethod(fetch_then_queue))
    assert jobs.active_run(integration) is run
    assert looks == [run.job_id]
    db.session.expire_all()
    assert db.session.get(SyncRun, run.id).status == "queued"
    assert jobs.active_run(integration) is run  # its job is queued: alive
    assert request_sync(integration) == (run, False)


def test_a_job_working_on_a_run_keeps_it_alive_without_its_job_record(
    app: Flask, integration: Integration
) -> None:
    from hub import jobs
    from hub.redis_conn import get_redis

    run, _ = request_sync(integration, enqueue=False)
    with jobs.run_heartbeat(run.id):  # a work horse still busy when Redis lost the job
        time.sleep(0.1)
        assert jobs.active_run(integration) is run
        assert not get_redis().exists(f"hub:run-lost:{run.id}")  # not even suspected
    assert db.session.get(SyncRun, run.id).status == "queued"


def test_hook_hub_split_cursor_shares_out_a_long_partition(
    app: Flask, integration: Integration, tmp_path: Path
) -> None:
    memory.reset(gadgets=100)  # one range of 10 pages
    State.request_log = tmp_path / "requests.log"
    run = _sync(app, integration, streams=["gadgets"])
    assert run.status == "succeeded"
    assert sorted(int(k) for k in _mirror(integration, "gadgets")) == list(range(1, 101))
    partitions = db.session.scalars(
        select(PullCursor.partition).where(PullCursor.run_id == run.id)
    ).all()
    assert len(partitions) == 2  # split once: the connector allows two at a time
    pages = [line for line in State.request_log.read_text().splitlines() if "after=" in line]
    assert len(pages) == len(set(pages))  # no page fetched twice
    assert run_summary(run)["streams"]["gadgets"]["pulled"] == 100


def test_every_thread_of_a_sync_job_gets_a_connection_without_waiting(app: Flask) -> None:
    """The pull threads, the apply thread and the main thread may all hold one at once.

    A smaller pool makes one of them wait, on SQLite perhaps while it holds the
    writer turn the others wait for: the job stalls until the pool times out.
    """
    holders = SYNC_PULL_THREADS + 2
    got: list[float] = []
    release = threading.Event()

    def hold() -> None:
        with app.app_context():
            started = time.monotonic()
            db.session.execute(select(1))  # the session's transaction keeps the connection
            got.append(time.monotonic() - started)
            release.wait(30)
            db.session.remove()

    threads = [threading.Thread(target=hold, daemon=True) for _ in range(holders)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while len(got) < holders and time.monotonic() < deadline:
        time.sleep(0.05)
    release.set()
    for thread in threads:
        thread.join(5)
    assert len(got) == holders
    assert max(got) < 5
