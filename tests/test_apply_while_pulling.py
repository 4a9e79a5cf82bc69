"""A long stream's records reach the hub while it still pulls, each applied exactly once.

A stream applied part-way before the streams it optionally refers to are
complete (tickets before all assets) gets those references filled in when
they are.
"""

from __future__ import annotations

import threading
import time

import pytest
from flask import Flask
from hub_autotask.sandbox import Sandbox
from sqlalchemy import func, select, update

from hub.apply.engine import Applier
from hub.extensions import db
from hub.models import Asset, Integration, StreamRun, SyncRun, Ticket
from hub.sync import applying
from hub.worker import run_worker
from tests.test_api_integrations import Api, make_token


def test_assets_appear_while_configuration_items_still_pull(
    app: Flask, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(applying, "PARTIAL_MIN_RECORDS", 400)  # inherited by the work horse
    monkeypatch.setattr(applying, "PARTIAL_EVERY_SECONDS", 0.05)
    sandbox.set_latency(400)
    api = Api(app.test_client(), make_token(app))
    saved = api.put("/integrations/autotask", {"settings": sandbox.credentials})
    assert saved.status_code == 200, saved.json
    seen: list[tuple[str, int]] = []
    done = threading.Event()

    def watch() -> None:
        with app.app_context():
            while not done.is_set():
                status = db.session.scalar(
                    select(StreamRun.status).where(StreamRun.stream == "configuration_items")
                )
                assets = db.session.scalar(select(func.count()).select_from(Asset)) or 0
                seen.append((status or "", assets))
                db.session.rollback()
                time.sleep(0.05)
            db.session.remove()

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        run_worker(app, burst=True)
    finally:
        done.set()
        watcher.join()

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
