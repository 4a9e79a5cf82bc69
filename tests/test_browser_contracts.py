"""Contracts, schedules and notices in a real browser (Playwright driving Debian's chromium).

The app is served over a real socket with a real ``hub worker`` process,
both pointed at an Autotask sandbox; the first sync runs before the browser
opens. Screenshots land in ``test-artifacts/``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from hub_autotask.sandbox import Sandbox
from sqlalchemy import select

from hub.extensions import db
from hub.integration_actions import save_settings
from hub.models import Company, SyncRun
from hub.tenancy import get_tenant
from tests.test_browser_admin import CHROMIUM, FLAGS, log_in, playwright_api, server, shot
from tests.test_contract_import import _company_with_contracts

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
__all__ = ["server"]  # the fixture, used by name


def _wait_for_runs(app: Flask, count: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with app.app_context():
            runs = list(db.session.scalars(select(SyncRun)))
            if len(runs) >= count and all(r.finished for r in runs):
                return
            db.session.remove()
        time.sleep(0.5)
    raise AssertionError("the sync did not finish")


@pytest.fixture
def page(server: str, app: Flask, sandbox: Sandbox) -> Iterator[Any]:
    with app.app_context():
        save_settings(get_tenant("acme"), "autotask", sandbox.credentials, enabled=True)
    _wait_for_runs(app, 1)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(base_url=server)
        context.set_default_timeout(20_000)
        tab = context.new_page()
        try:
            yield tab
        finally:
            context.close()
            browser.close()


def test_sync_contracts_from_the_psa(page: Any, app: Flask, sandbox: Sandbox) -> None:
    company_id, remote = _company_with_contracts(app, sandbox)
    with app.app_context():
        name = db.session.get(Company, company_id).name
    log_in(page)
    page.click("header a:has-text('Companies')")
    page.fill("input[name=search]", name)
    page.click("button:has-text('Filter')")
    page.click(f"#hub-companies tr[data-company='{company_id}'] a")
    page.click("#sync-from-psa")
    key = f"contract:{remote['id']}"
    row = page.locator(f"#remote-contracts tr[data-key='{key}']")
    assert row.get_attribute("data-mark") == "new"
    page.check("#show-services")
    page.wait_for_selector("#remote-contracts tr.service")
    service = page.locator("#remote-contracts tr.service").first
    assert service.get_attribute("data-mark") == "new"
    page.check(f"#remote-contracts tr[data-key='{key}'] input")
    service.locator("input").check()
    assert page.inner_text("#sync-selected") == "Sync 2 selected"
    shot(page, "10-sync-from-psa")
    page.click("#sync-selected")
    page.wait_for_selector("text=Synced 2 selected: 2 new contracts")
    assert page.locator("#contracts tr[data-imported='yes']").count() == 2
    assert page.locator(f"#remote-contracts tr[data-key='{key}']").get_attribute("data-mark") == (
        "imported"
    )
    assert "Contracts last synced from autotask" in page.inner_text("#psa-last-synced")

    # Changed in the PSA, then synced: marked "changed" with the per-field diff.
    sandbox.update("Contracts", remote["id"], {"contractName": "Renewed in the PSA"})
    page.goto("/integrations/autotask/sync")
    page.click("button:has-text('Sync now')")
    _wait_for_runs(app, 2)
    page.goto(f"/companies/{company_id}/contracts?psa=1")
    changed = page.locator(f"#remote-contracts tr[data-key='{key}']")
    assert changed.get_attribute("data-mark") == "changed"
    assert "Name" in (changed.get_attribute("title") or "")
    changed.locator("details summary").click()
    assert "Renewed in the PSA" in changed.locator("tr[data-field='name']").inner_text()
    shot(page, "11-changed-in-psa")

    # Imported: PSA fields read-only, CIs linked; the local copy is editable.
    page.goto(f"/companies/{company_id}/contracts")
    page.click(f"#contracts a:has-text('{remote['contractName']}')")
    assert page.locator("#c-name").is_disabled() and page.locator("#c-billing_cost").is_disabled()
    assert not page.locator("#c-vendor_name").is_disabled()
    assert page.input_value("#c-vendor_name") == "MSP Managed Services"
    assert page.locator("#contract-assets tr[data-asset]").count() > 0
    shot(page, "12-imported-contract")
    page.click("#copy-to-local")
    page.wait_for_selector("text=Copied to a local contract")
    assert not page.locator("#c-name").is_disabled()
    page.fill("#c-name", "Our own terms")
    page.fill("#c-status", "Draft")
    page.click("#save-contract")
    page.wait_for_selector("text=Contract saved.")
    assert page.inner_text("#contract-name") == "Our own terms"
    page.fill("#c-start_date", "not a date")
    page.click("#save-contract")
    page.wait_for_selector("text=start_date:")
    assert page.inner_text("#contract-name") == "Our own terms"
    shot(page, "13-local-copy")


def test_schedule_toggles_and_notices(page: Any, app: Flask) -> None:
    log_in(page)
    assert page.inner_text("#nav-notices") == "Notices (1)"
    page.click("#nav-notices")
    assert "first Datto Autotask PSA sync finished" in page.inner_text("#notices")
    page.click("#read-all")
    assert page.inner_text("#nav-notices") == "Notices"

    page.goto("/integrations/autotask/schedule")
    assert page.is_checked("#auto-sync") and page.input_value("#interval") == "24.0"
    assert (
        "UTC" in page.locator("#stream-schedule tr[data-stream='tickets'] .next-run").inner_text()
    )
    page.fill("input[name='every-tickets']", "1")
    page.fill("#window-start", "01:00")
    page.fill("#window-end", "05:00")
    page.check("#stream-schedule tr[data-stream='contracts'] input[type=checkbox]")
    page.uncheck("#contract-auto-sync")
    page.click("#save-schedule")
    page.wait_for_selector("text=Schedule saved.")
    assert page.input_value("input[name='every-tickets']") == "1.0"
    assert not page.is_checked("#contract-auto-sync")
    page.uncheck("#auto-sync")
    page.click("#save-schedule")
    page.wait_for_selector("text=Schedule saved.")
    assert page.locator("#stream-schedule .next-run").first.inner_text() == "off"
    page.fill("#window-end", "")
    page.click("#save-schedule")
    page.wait_for_selector("text=set both ends of the window")
    assert page.input_value("#window-end") == "05:00"  # nothing was stored
    shot(page, "14-schedule")
