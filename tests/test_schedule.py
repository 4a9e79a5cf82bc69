"""Schedules: what is due, the dispatcher (once, whoever else dispatches), toggles, contracts.

The policy is checked as pure functions of the time; the dispatcher on a
synced Autotask sandbox on SQLite and PostgreSQL, with real RQ workers, and
as two real ``hub scheduler --once`` processes racing each other.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from hub_autotask.sandbox import Sandbox
from sqlalchemy import select, update

from hub.extensions import db
from hub.models import StreamState, SyncRun
from hub.models.base import utcnow
from hub.schedule.dispatcher import dispatch_due
from hub.schedule.policy import Window, is_due, next_due
from hub.worker import run_worker
from tests.test_api_integrations import Api
from tests.worker_process import hub_env

DAY = timedelta(days=1)
NIGHT = Window(time(1, 0), time(3, 0), ZoneInfo("UTC"))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 10 + day, hour, minute, tzinfo=UTC)


def test_interval_without_a_window() -> None:
    assert is_due(at(0, 12), None, DAY, None)
    assert not is_due(at(1, 11), at(0, 12), DAY, None)
    assert is_due(at(1, 12), at(0, 12), DAY, None)
    # Down for a week: due now, once; after that dispatch, not again.
    assert is_due(at(7, 9), at(0, 12), DAY, None)
    assert not is_due(at(7, 9, 1), at(7, 9), DAY, None)
    assert next_due(at(0, 13), at(0, 12), DAY, None) == at(1, 12)


def test_a_nightly_window_runs_once_per_night_and_a_missed_one_once() -> None:
    assert not is_due(at(0, 23), at(0, 1, 5), DAY, NIGHT)  # served tonight's window already
    assert is_due(at(1, 1, 0), at(0, 1, 5), DAY, NIGHT)  # the next window opens
    assert not is_due(at(1, 1, 30), at(1, 1, 0), DAY, NIGHT)
    # The hub was down for two nights: it runs once when it comes back, outside the window.
    assert is_due(at(3, 12), at(0, 1, 5), DAY, NIGHT)
    assert not is_due(at(3, 12, 5), at(3, 12), DAY, NIGHT)
    assert next_due(at(3, 12, 5), at(3, 12), DAY, NIGHT) == at(4, 1)
    # Hourly inside the window.
    assert is_due(at(1, 2, 1), at(1, 1, 0), timedelta(hours=1), NIGHT)
    wrap = Window(time(23, 0), time(2, 0), ZoneInfo("UTC"))
    assert wrap.is_open(at(1, 1)) and not wrap.is_open(at(1, 3))


def _patch(api: Api, body: dict[str, object]) -> object:
    answer = api.client.patch(
        "/api/v1/integrations/autotask/schedule", json=body, headers=api.headers
    )
    assert answer.status_code == 200, answer.json
    return answer.json


def _runs(app: Flask) -> list[SyncRun]:
    with app.app_context():
        rows = list(db.session.scalars(select(SyncRun).order_by(SyncRun.id)))
        db.session.expunge_all()
        return rows


def test_due_runs_happen_once_and_toggles_work(app: Flask, synced: Api) -> None:
    shown = synced.get("/integrations/autotask/schedule").json
    assert shown["auto_sync"] and shown["interval_minutes"] == 24 * 60
    assert all(s["last_synced_at"] for s in shown["streams"])
    with app.app_context():
        assert dispatch_due() == []  # just synced: nothing due
        later = utcnow() + timedelta(hours=25)
        first = dispatch_due(later)
        assert len(first) == 1 and first[0]["created"] and first[0]["trigger"] == "scheduled"
        assert dispatch_due(later) == []  # the same due sync is not queued twice
    run_worker(app, burst=True)
    assert [r.status for r in _runs(app)][-1] == "succeeded"
    assert _runs(app)[-1].streams_requested == []  # every stream

    # Tickets hourly: only tickets are due an hour after that dispatch.
    _patch(synced, {"stream_overrides": {"tickets": {"interval_minutes": 60}}})
    with app.app_context():
        hourly = dispatch_due(later + timedelta(minutes=61))
        assert [q["streams"] for q in hourly] == [["tickets"]]
    run_worker(app, burst=True)
    assert _runs(app)[-1].streams_requested == ["tickets"]

    # Auto-sync off: nothing is ever due.
    _patch(synced, {"auto_sync": False})
    with app.app_context():
        assert dispatch_due(later + timedelta(days=3)) == []
    bad = synced.client.patch(
        "/api/v1/integrations/autotask/schedule",
        json={"interval_minutes": 1, "window_start": "25:00", "stream_overrides": {"nope": {}}},
        headers=synced.headers,
    )
    assert bad.status_code == 422
    assert {"interval_minutes", "window_start"} <= set(bad.json["errors"]["json"])
    unknown = synced.client.patch(
        "/api/v1/integrations/autotask/schedule",
        json={"auto_sync": True, "stream_overrides": {"nope": {"interval_minutes": 60}}},
        headers=synced.headers,
    )
    assert unknown.status_code == 422 and "stream_overrides.nope" in unknown.json["errors"]
    assert synced.get("/integrations/autotask/schedule").json["auto_sync"] is False


def test_a_second_dispatcher_or_click_does_nothing(app: Flask, synced: Api) -> None:
    with app.app_context():
        later = utcnow() + timedelta(hours=25)
        # Another dispatcher holds the integration's lease: this one does nothing.
        from hub.models import Integration, SyncSchedule
        from hub.schedule.settings import schedule_of

        integration = db.session.scalar(select(Integration))
        schedule = schedule_of(integration)
        db.session.execute(
            update(SyncSchedule).where(SyncSchedule.id == schedule.id).values(claimed_at=utcnow())
        )
        db.session.commit()
        assert dispatch_due(later) == []
        db.session.execute(update(SyncSchedule).values(claimed_at=None))
        db.session.commit()
    # "Sync now" twice: one run.
    first = synced.post("/integrations/autotask/sync", {})
    second = synced.post("/integrations/autotask/sync", {})
    assert first.json["created"] and not second.json["created"]
    assert first.json["run"]["id"] == second.json["run"]["id"]
    with app.app_context():
        queued = dispatch_due(later)  # due, but a sync is already queued: collapses into it
        assert queued and not queued[0]["created"]
        assert queued[0]["run_id"] == first.json["run"]["id"]
    run_worker(app, burst=True)
    assert len(_runs(app)) == 2


def test_two_scheduler_processes_queue_one_sync(app: Flask, synced: Api) -> None:
    with app.app_context():
        db.session.execute(update(StreamState).values(last_synced_at=utcnow() - timedelta(days=2)))
        db.session.commit()
    env = hub_env(app)
    command = [sys.executable, "-m", "hub", "scheduler", "--once", "--json"]
    procs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    scheduled = [r for r in _runs(app) if r.trigger == "scheduled"]
    assert len(scheduled) == 1, outputs
    assert sum('"created": true' in out for out in outputs) == 1


def test_contract_auto_sync_reimports_and_can_be_switched_off(
    app: Flask, synced: Api, sandbox: Sandbox
) -> None:
    from tests.test_contract_import import _company_with_contracts

    company_id, remote = _company_with_contracts(app, sandbox)
    done = synced.post(
        f"/companies/{company_id}/contracts/psa/import",
        {"selected": [f"contract:{remote['id']}"]},
    )
    contract_id = done.json["contract_ids"][0]
    sandbox.update("Contracts", remote["id"], {"contractName": "Renamed in the PSA"})
    _patch(synced, {"auto_sync": False, "contract_auto_sync": False})
    with app.app_context():
        assert dispatch_due(utcnow() + timedelta(hours=25)) == []
    _patch(synced, {"contract_auto_sync": True})
    with app.app_context():
        queued = dispatch_due(utcnow() + timedelta(hours=25))
        assert len(queued) == 1 and queued[0]["trigger"] == "contracts"
        assert "contracts" in queued[0]["streams"] and "tickets" not in queued[0]["streams"]
    run_worker(app, burst=True)
    assert synced.get(f"/contracts/{contract_id}").json["name"] == "Renamed in the PSA"
    shown = synced.get("/integrations/autotask/schedule").json
    assert shown["contracts_synced_at"]
