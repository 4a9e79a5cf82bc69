"""A long stream's records reach the hub while it still pulls, each applied exactly once."""

from __future__ import annotations

import threading
import time

import pytest
from flask import Flask
from hub_autotask.sandbox import Sandbox
from sqlalchemy import func, select

from hub.extensions import db
from hub.models import Asset, StreamRun, SyncRun
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
