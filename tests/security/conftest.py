"""Two tenants synced from one Autotask sandbox: the world the security tests attack.

Tenant ``acme`` (A, the attacker) syncs first. Then the sandbox changes:
a company is renamed and another created, both carrying ``MARKER``; tenant
``beta`` (B, the victim) syncs after that and also sets up the IT Glue stub
with a secret key. So B's mirror and hub records hold text that A's never
do, B alone has remote company ids and a connector that A lacks, and every
answer A gets can be searched for B's data. B also owns what the later
features make: an imported contract and a local copy named with ``MARKER``,
its first-sync notice, an asset with a written-back warranty date (a
finished write-back run with its audit entry) and registered webhooks; A has
write-back and webhooks on too, so A's own secrets can be tried on B.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hub_autotask import client as client_module
from hub_autotask.sandbox import Sandbox
from sqlalchemy import func, select

from hub.extensions import db
from hub.jobs import get_queue
from hub.models import (
    ApiToken,
    Asset,
    Company,
    CompanyType,
    Contract,
    Integration,
    Notice,
    SyncRun,
    Tenant,
    WritebackRun,
)
from hub.tenancy import create_tenant
from hub.webhooks.subscriptions import registrations_of
from hub.worker import run_worker
from tests.sandbox_fixtures import point_at

MARKER = "Zq7BetaOnly"
B_SECRET = f"ITG.{MARKER}-secret-key"
PASSWORD = "password1"
#: Columns left out of snapshots: a token's last use changes on every API call; a mirror
#: row's data is covered by its content hash.
SKIPPED = {("api_tokens", "last_used_at"), ("mirror_records", "data")}
#: Tables of synced records and run logs: counted by light snapshots.
BIG = {"mirror_records", "assets", "contacts", "tickets", "opportunities", "projects",
       "contracts", "contract_services", "record_errors", "run_events"}  # fmt: skip


def csrf_of(page: str) -> str:
    """Return the CSRF token of a rendered form."""
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1)


def log_in(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    """Log ``client`` in through the login form."""
    token = csrf_of(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert answer.status_code == 302, answer.get_data(as_text=True)


@dataclass
class Side:
    """One tenant: its id, admin email, API token and a logged-in browser session."""

    slug: str
    tenant_id: int
    email: str
    token: str
    token_id: int
    session: FlaskClient

    @property
    def bearer(self) -> dict[str, str]:
        """The Authorization header of the tenant's API token."""
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class World:
    """Both tenants, the sandbox and the ids of B's data that A will try."""

    app: Flask
    sandbox: Sandbox
    a: Side
    b: Side
    b_run_id: int = 0
    b_company_id: int = 0
    b_type_id: int = 0
    b_only_remote_company: str = ""
    a_remote_company: str = ""
    a_remote_type: str = ""
    b_contract_id: int = 0
    a_company_id: int = 0
    b_notice_id: int = 0
    b_asset_id: int = 0
    b_writeback_run_id: int = 0
    b_integration_id: int = 0
    a_integration_id: int = 0
    leaks: list[str] = field(default_factory=list)


def _side(app: Flask, slug: str) -> Side:
    email = f"admin@{slug}.test"
    with app.app_context():
        tenant = create_tenant(slug, slug.title(), email, PASSWORD)
        row, plain = ApiToken.issue(tenant.id, f"{slug}-script-{MARKER if slug == 'beta' else ''}")
        db.session.add(row)
        db.session.commit()
        ids = (tenant.id, row.id)
    client = app.test_client()
    log_in(client, email)
    return Side(slug, ids[0], email, plain, ids[1], client)


def _put_settings(side: Side, connector: str, settings: dict[str, Any]) -> int:
    answer = side.session.put(
        f"/api/v1/integrations/{connector}",
        json={"settings": settings, "enabled": True},
        headers=side.bearer,
    )
    assert answer.status_code == 200, answer.json
    return int(answer.json["started_run_id"])


def _api(side: Side, method: str, path: str, body: Any = None) -> Any:
    """Call the API as ``side``; return the JSON answer of a success."""
    answer = side.session.open(f"/api/v1{path}", method=method, json=body, headers=side.bearer)
    assert answer.status_code in (200, 201, 202), (path, answer.json)
    return answer.json


def _b_contract(w: World) -> None:
    """B imports a remote contract of one of its companies and makes a local copy of it."""
    with w.app.app_context():
        hub = {
            (c.tenant_id, c.remote_id): c.id
            for c in db.session.scalars(select(Company).where(Company.remote_id.is_not(None)))
        }
    remote = next(
        c
        for c in w.sandbox.records("Contracts")
        if all((side.tenant_id, str(c["companyID"])) in hub for side in (w.a, w.b))
    )
    company_id = hub[(w.b.tenant_id, str(remote["companyID"]))]
    w.a_company_id = hub[(w.a.tenant_id, str(remote["companyID"]))]
    path = f"/companies/{company_id}/contracts/psa/import"
    done = _api(w.b, "POST", path, {"selected": [f"contract:{remote['id']}"]})
    copy = _api(w.b, "POST", f"/contracts/{done['contract_ids'][0]}/copy")
    _api(w.b, "PATCH", f"/contracts/{copy['id']}", {"name": f"{MARKER} managed services"})
    w.b_contract_id = copy["id"]


def _b_writeback(w: World) -> None:
    """B enters a warranty date and writes it back to the PSA (one finished run)."""
    with w.app.app_context():
        w.b_asset_id = db.session.scalar(
            select(Asset.id)
            .where(Asset.tenant_id == w.b.tenant_id, Asset.mirror_id.is_not(None))
            .order_by(Asset.id)
        )
    _api(w.b, "PUT", f"/assets/{w.b_asset_id}/warranty", {"warranty_expiration_date": "2031-03-31"})
    for side in (w.a, w.b):
        _api(side, "PUT", "/integrations/autotask/writeback", {"enabled": True})
    run = _api(w.b, "POST", "/integrations/autotask/writeback/runs", {"asset_ids": [w.b_asset_id]})
    run_worker(w.app, burst=True)
    with w.app.app_context():
        finished = db.session.get(WritebackRun, run["id"])
        assert finished is not None and finished.written == 1, finished and finished.status
    w.b_writeback_run_id = run["id"]


def _webhooks(w: World) -> None:
    """A and B register webhooks (the address is never called: the sandbox changes no more)."""
    w.app.config["PUBLIC_URL"] = "http://127.0.0.1:9"
    for side in (w.a, w.b):
        _api(side, "PUT", "/integrations/autotask/webhooks", {"enabled": True})
    with w.app.app_context():
        ids = {
            tenant_id: integration_id
            for tenant_id, integration_id in db.session.execute(
                select(Integration.tenant_id, Integration.id).where(
                    Integration.connector == "autotask"
                )
            )
        }
        w.a_integration_id, w.b_integration_id = ids[w.a.tenant_id], ids[w.b.tenant_id]
        b_integration = db.session.get(Integration, w.b_integration_id)
        assert b_integration is not None
        w.leaks += [r.secret for r in registrations_of(b_integration)]


def _finished(app: Flask, run_id: int) -> None:
    run_worker(app, burst=True)
    with app.app_context():
        run = db.session.get(SyncRun, run_id)
        assert run is not None and run.status == "succeeded", run and run.message


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """A small Autotask sandbox the client may reach."""
    with Sandbox(scale="small", seed=5, throttle_scale=0.0) as sb:
        point_at(monkeypatch, sb)
        yield sb
    client_module.close_all()


@pytest.fixture
def world(app: Flask, sandbox: Sandbox) -> World:
    """A and B, both synced; B with data and a connector A has not got."""
    a, b = _side(app, "acme"), _side(app, "beta")
    _finished(app, _put_settings(a, "autotask", sandbox.credentials))
    first = sandbox.records("Companies")[0]
    sandbox.update("Companies", first["id"], {"companyName": f"Renamed {MARKER} Ltd"})
    template = {k: v for k, v in first.items() if k not in ("id", "userDefinedFields")}
    b_only = sandbox.create("Companies", {**template, "companyName": f"{MARKER} Holdings"})
    _finished(app, _put_settings(b, "autotask", sandbox.credentials))
    _finished(app, _put_settings(b, "itglue_stub", {"api_key": B_SECRET, "region": "eu"}))
    w = World(app, sandbox, a, b, leaks=[MARKER, B_SECRET, b.email, b.token, b.token[:12]])
    w.b_only_remote_company = str(b_only)
    w.a_remote_company = str(first["id"])
    with app.app_context():
        w.b_run_id = db.session.scalar(
            select(SyncRun.id).where(SyncRun.tenant_id == b.tenant_id).order_by(SyncRun.id)
        )
        w.b_company_id = db.session.scalar(
            select(Company.id).where(Company.tenant_id == b.tenant_id).order_by(Company.id)
        )
        w.b_type_id = db.session.scalar(
            select(CompanyType.id).where(CompanyType.tenant_id == b.tenant_id)
        )
        w.a_remote_type = db.session.scalar(
            select(CompanyType.remote_id).where(CompanyType.tenant_id == a.tenant_id)
        )
        assert db.session.scalar(select(Tenant.id).where(Tenant.slug == "beta")) == b.tenant_id
        w.b_notice_id = db.session.scalar(
            select(Notice.id).where(Notice.tenant_id == b.tenant_id).order_by(Notice.id)
        )
    _b_contract(w)
    _b_writeback(w)
    _webhooks(w)
    with app.app_context():
        assert db.session.get(Contract, w.b_contract_id) is not None and w.b_notice_id
    return w


def snapshot(app: Flask, tenant_id: int | None = None, *, light: bool = False) -> dict[str, Any]:
    """Return a digest of every table (or of one tenant's rows) and the job queue length.

    ``light`` only counts the rows of the big tables (synced records), for
    checks after every request; a full snapshot before and after catches the rest.
    """
    found: dict[str, Any] = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if tenant_id is not None and "tenant_id" not in table.c:
                continue
            columns: list[Any] = [c for c in table.c if (table.name, c.name) not in SKIPPED]
            if light and table.name in BIG:
                columns = [func.count()]
            query = select(*columns).select_from(table)
            if tenant_id is not None:
                query = query.where(table.c.tenant_id == tenant_id)
            if len(columns) > 1:
                query = query.order_by(*table.primary_key.columns)
            rows = db.session.execute(query).fetchall()
            found[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
        found["queued jobs"] = len(get_queue())
        db.session.remove()
    return found
