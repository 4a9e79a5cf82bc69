"""The admin path in a real browser: Playwright driving Debian's chromium.

The app is served over a real socket (werkzeug, threaded) and a real
``hub worker`` process runs the jobs, both pointed at an Autotask sandbox.
Screenshots land in ``test-artifacts/<test name>/`` (one folder per test
and database backend). Skipped, saying why, when Playwright or chromium is
missing.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hub_autotask.sandbox import Sandbox
from sqlalchemy import func, select
from werkzeug.serving import make_server

from hub.extensions import db
from hub.integrations import configure_integration
from hub.models import Integration, Tenant
from hub.tenancy import create_tenant
from tests.worker_process import hub_worker

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (pip install playwright)"
)
CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EMAIL, PASSWORD = "admin@acme.test", "password1"


@pytest.fixture
def server(app: Flask, sandbox: Sandbox) -> Iterator[str]:
    """Serve ``app`` on a real socket with a ``hub worker`` process beside it."""
    with app.app_context():
        create_tenant("acme", "Acme", EMAIL, PASSWORD)
    http = make_server("127.0.0.1", 0, app, threaded=True)
    with hub_worker(app):
        thread = threading.Thread(target=http.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{http.server_port}"
        finally:
            http.shutdown()


@pytest.fixture
def page(server: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(base_url=server)
        context.set_default_timeout(20_000)
        tab = context.new_page()
        tab.artifacts = folder
        try:
            yield tab
        finally:
            context.close()
            browser.close()


def shot(page: Any, name: str) -> None:
    """Keep a screenshot as a test artifact (in the test's folder when its fixture made one)."""
    folder = getattr(page, "artifacts", ARTIFACTS)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def log_in(page: Any) -> None:
    page.goto("/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_selector("h1:has-text('Integrations')")


def _asset_names(page: Any) -> list[str]:
    return [str(n) for n in page.locator("#assets .asset-name").all_inner_texts()]


def test_a_new_admin_connects_syncs_and_maps(page: Any, sandbox: Sandbox, app: Flask) -> None:
    log_in(page)
    page.click("a:has-text('Datto Autotask PSA')")
    page.wait_for_selector("#guidance li:has-text('API User')")  # the steps, numbered
    assert page.is_checked("#primary")  # the tenant's first: primary unless switched off
    for name, value in sandbox.credentials.items():
        page.fill(f"#f-{name}", value)
    page.click("#test-settings")
    page.wait_for_selector("#report-message:has-text('Connection successful')")
    assert page.locator("#entities tr[data-stream]").count() > 5
    shot(page, "01-test-settings")

    page.click("#save-settings")
    page.wait_for_selector("text=The first sync has started")
    page.wait_for_selector("#run-status:has-text('succeeded')", timeout=90_000)
    bars = page.locator("#streams progress")
    assert bars.count() > 5
    for i in range(bars.count()):
        bar = bars.nth(i)
        assert bar.get_attribute("value") == bar.get_attribute("max")
    assert int(page.inner_text("#budget").split()[0]) > 0  # the calls it took, this hour
    shot(page, "02-sync-done")

    # One stream alone, again.
    page.click("#streams tr[data-stream='companies'] button:has-text('Sync now')")
    page.wait_for_selector("text=started")
    page.wait_for_selector("#history tr[data-run] >> nth=1")
    page.wait_for_selector("#run-status:has-text('succeeded')", timeout=60_000)
    assert "manual" in page.inner_text("#history tr[data-run] >> nth=0")
    shot(page, "03-sync-one-stream")

    page.click(".tabs a:has-text('Companies')")
    page.evaluate("window.notReloaded = true")
    page.select_option("#filter-mapped", "unmapped")
    page.wait_for_function("!document.querySelector(\"#companies tr[data-mapped='yes']\")")
    assert page.evaluate("window.notReloaded === true")  # the list changed in place
    assert "mapped=unmapped" in page.url
    unmapped = page.locator("#companies tr[data-mapped='no']").count()
    assert unmapped > 0
    shot(page, "04-companies-unmapped")
    page.click("#create-unmapped")
    page.wait_for_selector("text=hub companies")
    assert page.locator("#companies tr[data-mapped='no']").count() == 0
    shot(page, "05-companies-mapped")

    page.click(".tabs a:has-text('Asset fields')")
    page.wait_for_selector("#assets .asset-name")
    page.wait_for_selector("#asset-list[data-pending='no']", timeout=30_000)
    before = _asset_names(page)
    assert before
    page.select_option("#map-name-0", "serialNumber")
    page.click("#save-fields")
    page.wait_for_selector("text=The assets are being re-applied")
    # No reload: the page refreshes the list itself once the re-apply has landed.
    page.wait_for_selector("#asset-list[data-pending='no']", timeout=30_000)
    after = _asset_names(page)
    assert after != before
    assert page.locator("tr[data-attribute='name'] button:has-text('use the default')").count()
    shot(page, "06-asset-fields")


def test_making_autotask_primary_replaces_the_current_one(
    page: Any, sandbox: Sandbox, app: Flask
) -> None:
    with app.app_context():
        tenant = db.session.scalar(select(Tenant))
        configure_integration(tenant, "itglue_stub", {"api_key": "ITG.k"}, primary=True)
    log_in(page)
    page.goto("/integrations/autotask/settings")
    assert not page.is_checked("#primary")
    page.wait_for_selector("#primary-other:has-text('IT Glue (stub) is the primary')")
    page.uncheck("#enabled")
    for name, value in sandbox.credentials.items():
        page.fill(f"#f-{name}", value)
    page.check("#primary")
    page.click("#save-settings")
    page.wait_for_selector(".flash:has-text('IT Glue (stub) is already the primary integration')")
    shot(page, "01-primary-taken")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Integration)) == 1
    for name, value in sandbox.credentials.items():
        page.fill(f"#f-{name}", value)  # secrets are never put back into a page
    page.check("#primary")
    page.check("#replace-primary")
    page.click("#save-settings")
    page.wait_for_selector("text=Settings saved.")
    page.goto("/")
    row = page.locator("#integrations tr[data-connector='autotask']")
    assert "primary" in row.inner_text()
    assert (
        "primary" not in page.locator("#integrations tr[data-connector='itglue_stub']").inner_text()
    )
    shot(page, "02-primary-replaced")


def test_bad_credentials_show_a_clear_message_and_store_nothing(
    page: Any, sandbox: Sandbox, app: Flask
) -> None:
    log_in(page)
    page.goto("/integrations/autotask/settings")
    page.fill("#f-username", sandbox.credentials["username"])
    page.fill("#f-secret", "not-the-secret")
    page.fill("#f-integration_code", sandbox.credentials["integration_code"])
    page.click("#test-settings")
    message = page.locator("#report-message:has-text('Connection failed')")
    message.wait_for()
    text = message.inner_text()
    assert "not-the-secret" not in page.content()
    shot(page, "01-bad-credentials-tested")

    page.fill("#f-secret", "not-the-secret")
    page.click("#save-settings")
    stored = page.locator(".flash:has-text('Nothing was stored')")
    stored.wait_for()
    assert "not-the-secret" not in page.content()
    shot(page, "02-bad-credentials-saved")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Integration)) == 0

    page.fill("#f-username", "")
    page.click("#save-settings")
    page.wait_for_selector("[data-error='username']")
    shot(page, "03-bad-settings")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Integration)) == 0
    assert "secret" in text.lower() or "rejected" in text.lower() or "login" in text.lower()
