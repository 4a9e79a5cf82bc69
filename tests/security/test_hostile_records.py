"""Hostile remote records: stored safely, reported where invalid, rendered escaped.

The Autotask sandbox's control surface plants records an attacker (or a
careless PSA user) could create: markup and script in names, a 100,000
character name, control characters and NUL, a missing name, invalid dates
and picklist values Autotask does not list. The sync must finish (never
"failed"), keep every record in the mirror, name the bad ones in the run's
record errors, and every page that shows them must show the text, escaped:
a real browser opens each page and no planted script runs. The pages include
the hub companies, a company's contracts with "Sync from PSA" (a contract
imported, then renamed in Autotask to more markup, so its per-field diff
shows both), the warranties list and the write-back preview.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hub_autotask import client as client_module
from hub_autotask.sandbox import Sandbox
from sqlalchemy import func, select
from werkzeug.serving import make_server

from hub.extensions import db
from hub.models import Asset, Company, MirrorRecord
from hub.worker import run_worker
from tests.sandbox_fixtures import point_at
from tests.security.conftest import PASSWORD, log_in
from tests.test_api_integrations import Api, make_token

SCRIPT = "<script>window.__pwned = 'script'</script>Evil & \"Sons\""
IMG = "<img src=x onerror=\"window.__pwned='img'\">Img Co"
SVG = "<svg onload=\"window.__pwned='svg'\"></svg>Router"
HUGE = "Huge " + "x" * 100_000
CONTROL = "Bell\x07 Esc\x1b[31m NUL\x00 RTL\u202eoc.evil"
CONTRACT = '<img src=x onerror="window.__pwned=\'contract\'">Managed & "Care"'
RENAMED = "<script>window.__pwned = 'diff'</script>Managed again"
PAGES = ["/", "/integrations/autotask/companies?limit=1000", "/integrations/autotask/types",
         "/integrations/autotask/asset-fields", "/integrations/autotask/sync", "/companies",
         "/warranties", "/integrations/autotask/writeback"]  # fmt: skip
PLANTED = ("<script>window.__pwned", "<img src=x onerror", "<svg onload")
CHROMIUM = shutil.which("chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def plant(sb: Sandbox) -> dict[str, int]:
    """Put hostile values into companies and configuration items; return their ids."""
    companies = sb.records("Companies")
    items = sb.records("ConfigurationItems")
    planted = {
        "script": companies[1]["id"], "img": companies[2]["id"], "huge": companies[3]["id"],
        "control": companies[4]["id"], "nameless": companies[5]["id"],
        "svg": items[0]["id"], "dates": items[1]["id"],
    }  # fmt: skip
    sb.update("Companies", planted["script"], {"companyName": SCRIPT})
    sb.update("Companies", planted["img"], {"companyName": IMG, "companyType": 987654})
    sb.update("Companies", planted["huge"], {"companyName": HUGE})
    sb.update("Companies", planted["control"], {"companyName": CONTROL, "address1": CONTROL})
    sb.update("Companies", planted["nameless"], {"companyName": None})
    svg = {"referenceTitle": SVG, "serialNumber": CONTROL, "configurationItemType": 99999}
    sb.update("ConfigurationItems", planted["svg"], svg)
    dates = {"installDate": "2024-13-45", "warrantyExpirationDate": "yesterday"}
    sb.update("ConfigurationItems", planted["dates"], dates)
    contract = sb.records("Contracts")[0]
    planted["contract"] = contract["id"]
    sb.update("Contracts", contract["id"], {"contractName": CONTRACT, "description": SCRIPT})
    return planted


def _with_contracts(app: Flask, sb: Sandbox, api: Api, planted: dict[str, int]) -> list[str]:
    """Import the hostile contract, rename it in Autotask and sync; enter the SVG asset's
    warranty date (so the write-back preview lists it); return the contract pages."""
    remote = sb.record("Contracts", planted["contract"])
    with app.app_context():
        company_id = db.session.scalar(
            select(Company.id).where(Company.remote_id == str(remote["companyID"]))
        )
        asset_id = db.session.scalar(select(Asset.id).where(Asset.remote_id == str(planted["svg"])))
    done = api.post(
        f"/companies/{company_id}/contracts/psa/import",
        {"selected": [f"contract:{planted['contract']}"]},
    )
    assert done.status_code == 200 and done.json["created"] == 1, done.json
    sb.update("Contracts", planted["contract"], {"contractName": RENAMED})
    assert api.post("/integrations/autotask/sync", {}).status_code == 202
    run_worker(app, burst=True)
    saved = api.put(f"/assets/{asset_id}/warranty", {"warranty_expiration_date": "2031-01-31"})
    assert saved.status_code == 200, saved.json
    return [f"/companies/{company_id}/contracts", f"/companies/{company_id}/contracts?psa=1",
            f"/companies/{company_id}/contracts?psa=1&services=1",
            f"/contracts/{done.json['contract_ids'][0]}"]  # fmt: skip


@pytest.fixture
def synced(app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A tenant synced from a sandbox full of hostile records; yields (sandbox, run, api, pages)."""
    with Sandbox(scale="small", seed=5, throttle_scale=0.0) as sb:
        point_at(monkeypatch, sb)
        planted = plant(sb)
        api = Api(client, make_token(app))
        saved = api.put("/integrations/autotask", {"settings": sb.credentials})
        assert saved.status_code == 200, saved.json
        run_worker(app, burst=True)
        # Map every remote company so the hub records (and their names) are on the pages too.
        created = api.post("/integrations/autotask/companies/create-unmapped", {})
        assert created.status_code == 200, created.json
        run_worker(app, burst=True)
        run = api.get(f"/runs/{saved.json['started_run_id']}").json
        yield sb, run, api, PAGES + _with_contracts(app, sb, api, planted)
    client_module.close_all()


def test_hostile_records_are_stored_and_reported_never_fail_the_sync(
    app: Flask, synced: Any
) -> None:
    sb, run, _, _ = synced
    assert run["status"] in ("succeeded", "partial"), run
    with app.app_context():
        mirrored = db.session.scalar(
            select(func.count()).where(
                MirrorRecord.stream == "companies", MirrorRecord.deleted_at.is_(None)
            )
        )
        names = set(db.session.scalars(select(Company.name)))
        unknown_type = db.session.scalar(select(Company.type_id).where(Company.name == IMG))
    assert mirrored == len(sb.records("Companies"))
    assert SCRIPT in names and IMG in names  # stored as sent, not "sanitised" away
    assert unknown_type is None  # a type Autotask does not list: the company stays, untyped
    assert any(n.startswith("Huge xxx") for n in names)
    assert any(n.startswith("Bell\x07 Esc") for n in names)  # kept, minus the NUL
    said = " ".join(e["message"] for e in run["record_errors"])
    for reported in ("NUL characters were removed", "more than 255: cut", "Name is missing",
                     "'2024-13-45' is not a date", "'yesterday' is not a date",
                     "Type (from configurationItemType) '99999' is not a known asset type "
                     "value: left empty"):  # fmt: skip
        assert reported in said, reported
    assert "Traceback" not in said


def test_pages_show_hostile_text_escaped(app: Flask, synced: Any) -> None:
    client = app.test_client()
    with app.app_context():
        from hub.models import User

        email = db.session.scalar(select(User.email))
    log_in(client, str(email), PASSWORD)
    pages = synced[3]
    for path in pages:
        answer = client.get(path)
        page = answer.get_data(as_text=True)
        assert answer.status_code == 200, path
        for raw in PLANTED:
            assert raw not in page, (path, raw)
    companies = client.get(PAGES[1]).get_data(as_text=True)
    assert "&lt;script&gt;window.__pwned = &#39;script&#39;&lt;/script&gt;Evil &amp; " in companies
    assert "&lt;img src=x onerror=" in companies
    hub_companies = client.get("/companies").get_data(as_text=True)
    assert "&lt;img src=x onerror=" in hub_companies
    for path in ("/warranties", "/integrations/autotask/writeback"):
        assert "&lt;svg onload=" in client.get(path).get_data(as_text=True), path
    listing = client.get(pages[-2]).get_data(as_text=True)  # Sync from PSA, with services
    assert 'data-mark="changed"' in listing
    assert "&lt;script&gt;window.__pwned = &#39;diff&#39;&lt;/script&gt;Managed again" in listing
    assert "&lt;img src=x onerror=&#34;window.__pwned=&#39;contract&#39;&#34;&gt;" in listing


@pytest.fixture
def server(app: Flask, synced: Any) -> Iterator[str]:
    http = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_no_planted_script_runs_in_a_real_browser(app: Flask, synced: Any, server: str) -> None:
    playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    with app.app_context():
        from hub.models import User

        email = str(db.session.scalar(select(User.email)))
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(base_url=server)
        context.set_default_timeout(20_000)
        tab = context.new_page()
        dialogs: list[str] = []
        tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        try:
            tab.goto("/login")
            tab.fill("#email", email)
            tab.fill("#password", PASSWORD)
            tab.click("button:has-text('Log in')")
            tab.wait_for_selector("h1:has-text('Integrations')")
            for path in synced[3]:
                tab.goto(path)
                tab.wait_for_load_state("load")
                assert tab.evaluate("window.__pwned") is None, path
            tab.goto(PAGES[1])
            text = tab.inner_text("body")
            assert "<script>window.__pwned = 'script'</script>Evil & \"Sons\"" in text
            assert "<img src=x onerror=" in text
            tab.goto(synced[3][-2])
            tab.click("details.diff summary")  # the expanded diff shows both names as text
            diff = tab.inner_text("details.diff")
            assert RENAMED in diff and CONTRACT in diff, diff
            assert tab.evaluate("window.__pwned") is None
        finally:
            context.close()
            browser.close()
    assert dialogs == []
