"""A long stream's records reach the hub while it still pulls, each applied exactly once.

A stream applied part-way before the streams it optionally refers to are
complete (tickets before all assets) gets those references filled in when
they are.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from hub_autotask.sandbox import Sandbox
from hub_autotask.sandbox import api as sandbox_api
from redis.lock import Lock
from sqlalchemy import func, select, update

from hub.apply.engine import Applier
from hub.apply.locks import model_lock
from hub.extensions import db
from hub.models import Asset, Integration, StreamRun, SyncRun, Ticket
from hub.redis_conn import get_redis
from hub.sync import applying
from hub.worker import run_worker
from tests.test_api_integrations import Api, make_token


def _gate_pages(monkeypatch: pytest.MonkeyPatch, entity: str, gates: list[threading.Event]) -> None:
    """Serve ``entity``'s data page n+2 only once ``gates[n]`` is set (30 s at most).

    Data pages are those of whole records, not the id probes a split makes.
    The order of pages and applies is then the test's, not the machine's
    speed: a slow database cannot let the stream end before an apply is seen.
    """
    handle = sandbox_api.handle
    served = itertools.count()

    def gated(ctx: Any, match: Any, params: Any, body: Any, person: int) -> Any:
        data = match.route.kind in ("query", "next") and "IncludeFields" not in (body or {})
        if match.route.entity == entity and data:
            page = next(served)
            if 0 < page <= len(gates):
                gates[page - 1].wait(30)
        return handle(ctx, match, params, body, person)

    monkeypatch.setattr(sandbox_api, "handle", gated)


def _sync_watching(
    app: Flask,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    look: Callable[[str, int], None],
    gates: list[threading.Event],
) -> None:
    """Sync with a burst worker while ``look`` sees, every 50 ms, how far it got.

    ``look`` gets the ``configuration_items`` stream's status and the number
    of hub assets, in an app context. Long streams are applied part-way
    every 400 records (a page is 500); configuration item page n+2 waits
    for ``gates[n]``, which ``look`` sets.
    """
    monkeypatch.setattr(applying, "PARTIAL_MIN_RECORDS", 400)  # inherited by the work horse
    monkeypatch.setattr(applying, "PARTIAL_EVERY_SECONDS", 0.05)
    _gate_pages(monkeypatch, "ConfigurationItems", gates)
    api = Api(app.test_client(), make_token(app))
    saved = api.put("/integrations/autotask", {"settings": sandbox.credentials})
    assert saved.status_code == 200, saved.json
    done = threading.Event()

    def watch() -> None:
        with app.app_context():
            while not done.is_set():
                status = db.session.scalar(
                    select(StreamRun.status).where(StreamRun.stream == "configuration_items")
                )
                assets = db.session.scalar(select(func.count()).select_from(Asset)) or 0
                db.session.rollback()
                look(status or "", assets)
                time.sleep(0.05)
            db.session.remove()

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        run_worker(app, burst=True)
    finally:
        done.set()
        for gate in gates:
            gate.set()
        watcher.join()


def test_assets_appear_while_configuration_items_still_pull(
    app: Flask, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, int]] = []
    applied_part_way = threading.Event()

    def look(status: str, assets: int) -> None:
        seen.append((status, assets))
        if status == "running" and assets > 0:
            applied_part_way.set()

    _sync_watching(app, sandbox, monkeypatch, look, [applied_part_way])

    assert any(status == "running" and assets > 0 for status, assets in seen), seen[-5:]
    with app.app_context():
        run = db.session.scalar(select(SyncRun))
        assert run is not None and run.status == "succeeded"
        applied = run.applied["asset"]
        assert "partial_upto" not in applied
        hub_assets = db.session.scalar(select(func.count()).select_from(Asset))
        # Each configuration item was applied once: made into an asset or left out.
        assert applied["created"] == hub_assets
        assert applied["created"] + applied["skipped"] == len(sandbox.records("ConfigurationItems"))
        assert applied["updated"] == applied["unchanged"] == 0
        # However the parts fell, every ticket points at the asset its CI became.
        assert _ticket_assets(app) == _expected_ticket_assets(app, sandbox)


def test_part_way_applies_go_on_while_the_integration_apply_lock_is_held(
    app: Flask, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Part-way applies hold only their model's lock: another applier does not stall them.

    The second page is served once the test holds the integration's apply
    lock, the third once assets grew past what they were when it took it.
    """
    while_held: list[tuple[str, int]] = []
    held: list[Lock] = []  # the integration's apply lock, once taken
    locked, grown, released = threading.Event(), threading.Event(), threading.Event()

    def hold_the_lock_once_assets_appear(status: str, assets: int) -> None:
        if not held and status == "running" and assets > 0:
            integration = db.session.scalar(select(Integration))
            assert integration is not None
            lock = get_redis().lock(f"hub:apply:{integration.id}", timeout=120)
            if lock.acquire(blocking=False):
                held.append(lock)
                locked.set()
        if held and not released.is_set():
            while_held.append((status, assets))
            if status == "running" and assets > while_held[0][1]:
                grown.set()
            if status != "running":
                held[0].release()
                released.set()

    try:
        _sync_watching(app, sandbox, monkeypatch, hold_the_lock_once_assets_appear, [locked, grown])
    finally:
        if held and not released.is_set():
            held[0].release()

    running = [assets for status, assets in while_held if status == "running"]
    assert len(running) > 1 and running[-1] > running[0], while_held[:3] + while_held[-3:]
    with app.app_context():
        run = db.session.scalar(select(SyncRun))
        assert run is not None and run.status == "succeeded"
        hub_assets = db.session.scalar(select(func.count()).select_from(Asset))
        assert run.applied["asset"]["created"] == hub_assets
        assert "partial_upto" not in run.applied["asset"]


def test_an_apply_waits_while_another_applies_the_same_model(app: Flask, synced: Api) -> None:
    with app.app_context():
        integration = db.session.scalar(select(Integration))
        assert integration is not None
        integration_id = integration.id
    holding, release = threading.Event(), threading.Event()
    finished: list[str] = []

    def hold(model: str) -> None:
        with app.app_context(), model_lock(integration_id, model):
            holding.set()
            release.wait(30)

    def apply(model: str) -> None:
        with app.app_context():
            found = db.session.get(Integration, integration_id)
            assert found is not None
            Applier(found).run([model])
            finished.append(model)
            db.session.remove()

    holder = threading.Thread(target=hold, args=("asset",))
    holder.start()
    assert holding.wait(10)
    waiting = threading.Thread(target=apply, args=("asset",))
    waiting.start()
    other = threading.Thread(target=apply, args=("company",))
    other.start()
    other.join(30)
    waiting.join(0.5)
    assert finished == ["company"]  # another model is not held up; this one waits
    release.set()
    waiting.join(30)
    holder.join(30)
    assert finished == ["company", "asset"]


def _ticket_assets(app: Flask) -> dict[str, int | None]:
    with app.app_context():
        rows = db.session.execute(select(Ticket.remote_id, Ticket.asset_id))
        return {str(remote_id): asset_id for remote_id, asset_id in rows}


def _expected_ticket_assets(app: Flask, sandbox: Sandbox) -> dict[str, int | None]:
    with app.app_context():
        assets = {str(r): i for r, i in db.session.execute(select(Asset.remote_id, Asset.id))}
        hub_tickets = set(db.session.scalars(select(Ticket.remote_id)))
    return {
        str(t["id"]): assets.get(str(t["configurationItemID"]))
        if t.get("configurationItemID")
        else None
        for t in sandbox.records("Tickets")
        if str(t["id"]) in hub_tickets
    }


def test_references_left_empty_part_way_are_filled_from_the_mirror(app: Flask, synced: Api) -> None:
    expected = _ticket_assets(app)
    linked = sum(1 for asset_id in expected.values() if asset_id is not None)
    assert linked > 0
    with app.app_context():
        # As after a part-way apply that ran before the assets were complete.
        db.session.execute(update(Ticket).values(asset_id=None))
        db.session.commit()
        integration = db.session.scalar(select(Integration))
        assert integration is not None
        applier = Applier(integration)
        filled = applier.fill_references(applier.config.mapping("ticket"), ["asset_id"])
        db.session.commit()
    assert filled == linked
    assert _ticket_assets(app) == expected
