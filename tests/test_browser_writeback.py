"""The write-back page in a real browser: preview, select an asset, write, see the audit entry.

Uses the served app, ``hub worker`` process and Autotask sandbox of
``tests/test_browser_admin.py``.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from flask import Flask
from hub_autotask.sandbox import Sandbox
from sqlalchemy import select

from hub.extensions import db
from hub.integration_actions import save_settings
from hub.models import Asset, Integration, SyncRun, Tenant
from hub.warranty.sources import ADMIN, set_warranty
from tests.test_browser_admin import (  # noqa: F401  (fixtures)
    CHROMIUM,
    log_in,
    page,
    pytestmark,
    server,
    shot,
)


def _synced_with_two_overrides(app: Flask, sb: Sandbox) -> list[tuple[int, str, str]]:
    with app.app_context():
        tenant = db.session.scalar(select(Tenant))
        assert tenant is not None
        _, run = save_settings(tenant, "autotask", sb.credentials, enabled=True)
        assert run is not None
        run_id = run.id
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with app.app_context():
            current = db.session.get(SyncRun, run_id)
            assert current is not None
            if current.finished and any(e.message.startswith("finished") for e in current.events):
                break
        time.sleep(0.3)
    with app.app_context():
        assets = db.session.scalars(
            select(Asset).where(Asset.mirror_id.is_not(None)).order_by(Asset.id).limit(2)
        ).all()
        for asset, day in zip(assets, (date(2033, 6, 30), date(2033, 7, 31)), strict=True):
            set_warranty(asset, day, ADMIN)
        integration = db.session.scalar(select(Integration))
        assert integration is not None
        integration.writeback_enabled = True
        db.session.commit()
        return [(a.id, str(a.remote_id), a.name or "") for a in assets]


def test_preview_select_and_write_one_asset(page: Any, sandbox: Sandbox, app: Flask) -> None:  # noqa: F811
    (first, first_remote, _), (second, _, _) = _synced_with_two_overrides(app, sandbox)
    log_in(page)
    page.goto("/integrations/autotask/writeback")
    page.wait_for_selector(f'#preview tr[data-asset="{first}"]')
    row = page.locator(f'#preview tr[data-asset="{first}"]')
    assert row.locator(".new-value").inner_text() == "2033-06-30"
    assert page.locator(f'#preview tr[data-asset="{second}"]').count() == 1
    assert not [w for w in sandbox.received_writes() if w["method"] == "PATCH"]
    shot(page, "writeback-preview")

    row.locator('input[name="asset"]').check()
    page.click("#write-selected")
    page.wait_for_selector("text=Write-back run #")
    page.wait_for_selector("#runs .run-status:has-text('succeeded')", timeout=30_000)
    assert "1 written" in page.locator("#runs tr[data-run]").first.inner_text()
    shot(page, "writeback-written")
    patches = [w["body"] for w in sandbox.received_writes() if w["method"] == "PATCH"]
    assert patches == [{"id": int(first_remote), "warrantyExpirationDate": "2033-06-30T00:00:00"}]
    page.goto("/integrations/autotask/writeback")
    assert page.locator(f'#preview tr[data-asset="{first}"]').count() == 0
    assert page.locator(f'#preview tr[data-asset="{second}"]').count() == 1
