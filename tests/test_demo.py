"""``hub demo`` prepares a working demo tenant whose first sync is queued."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from hub.demo import DEMO_EMAIL, DEMO_PASSWORD, prepare_demo
from hub.extensions import db
from hub.models import Integration, SyncRun
from hub.worker import run_worker


def test_prepare_demo_is_idempotent_and_its_sync_runs(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # prepare_demo sets the operator variables the demo needs; restore them afterwards.
    monkeypatch.setenv("HUB_AUTOTASK_ZONE_LOOKUP_URL", "")
    with app.app_context():
        tenant = prepare_demo()
        again = prepare_demo()
        assert tenant.id == again.id
        integrations = db.session.scalars(select(Integration)).all()
        assert [i.connector for i in integrations if i.is_primary] == ["autotask"]
        assert {i.connector for i in integrations} == {"autotask", "itglue_stub"}
        runs = db.session.scalars(select(SyncRun)).all()
        assert len(runs) == len(integrations)  # one first sync each, not two
    run_worker(app, burst=True)
    with app.app_context():
        assert {r.status for r in db.session.scalars(select(SyncRun))} == {"succeeded"}


def test_login_page_tells_the_demo_login(app: Flask) -> None:
    app.config["DEMO_LOGIN"] = (DEMO_EMAIL, DEMO_PASSWORD)
    page = app.test_client().get("/login").get_data(as_text=True)
    assert DEMO_EMAIL in page and DEMO_PASSWORD in page
