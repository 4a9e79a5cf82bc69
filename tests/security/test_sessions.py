"""Logins and forms: CSRF on every form, session fixation, logout, throttling, cookie flags.

The CSRF test walks ``app.url_map``: every POST route outside the JSON API
must refuse a missing, a forged and another session's token without
changing anything, and must act with the right one (so the refusal is
CSRF's, not the form's). A new POST route fails until it has an example
form in ``FORMS`` (or a reason in ``CSRF_FREE``); ``{company}``,
``{contract}``, ``{asset}`` and ``{notice}`` in a form stand for the tenant's own.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hub.extensions import db
from hub.integrations import configure_integration
from hub.models import ApiToken, Asset, Company, Contract, Notice, Tenant
from hub.tenancy import create_tenant
from hub.worker import run_worker
from tests.security.conftest import PASSWORD, csrf_of, log_in, snapshot

EMAIL = "admin@acme.test"
#: A form each POST route acts on when its CSRF token is right.
FORMS: dict[str, tuple[str, dict[str, Any]]] = {
    "admin.login": ("/login", {"email": EMAIL, "password": PASSWORD}),
    "admin.logout": ("/logout", {}),
    "admin.tokens": ("/tokens", {"name": "script"}),
    "admin.settings": (
        "/integrations/itglue_stub/settings",
        {"action": "save", "api_key": "ITG.2"},
    ),
    "admin.sync": ("/integrations/itglue_stub/sync", {}),
    "admin.companies": ("/integrations/itglue_stub/companies", {"action": "create"}),
    "admin.picklists": (
        "/integrations/itglue_stub/types",
        {"kind": "company_type", "action": "create"},
    ),
    "admin.asset_fields": (
        "/integrations/itglue_stub/asset-fields",
        {"action": "fields", "name_0": "serial-number"},
    ),
    "admin.company_contracts": ("/companies/{company}/contracts", {"selected": "contract:1"}),
    "admin.contract": ("/contracts/{contract}", {"name": "Support plus"}),
    "admin.schedule": (
        "/integrations/itglue_stub/schedule",
        {"auto_sync": "on", "interval_hours": "12"},
    ),
    "admin.notices": ("/notices", {"notice": "{notice}"}),
    "admin.writeback": ("/integrations/itglue_stub/writeback", {"action": "enable"}),
    "admin.warranties": (
        "/warranties",
        {"action": "set", "asset_id": "{asset}", "date": "2030-01-31"},
    ),
}
#: POST routes that take no CSRF token, and why that is safe.
CSRF_FREE: dict[str, str] = {
    "/api/v1/": "bearer tokens only: a session cookie never authorises a write (checked below)",
    "/webhooks/": "no cookie is read: each delivery is signed with the webhook's secret "
    "(test_tenant_isolation.py, test_webhook_signatures.py)",
}


@pytest.fixture
def tenant(app: Flask) -> int:
    """A tenant whose IT Glue stub integration has synced, with a local contract and an asset."""
    with app.app_context():
        tenant = create_tenant("acme", "Acme", EMAIL, PASSWORD)
        configure_integration(tenant, "itglue_stub", {"api_key": "ITG.1"}, primary=True)
        tenant_id = tenant.id
    from hub.integrations import find_integration
    from hub.jobs import request_sync

    with app.app_context():
        integration = find_integration(db.session.get(Tenant, tenant_id), "itglue_stub")  # type: ignore[arg-type]
        assert integration is not None
        request_sync(integration, trigger="manual")
        company = Company(tenant_id=tenant_id, name="Acme Client")
        db.session.add(company)
        db.session.flush()
        db.session.add(Contract(tenant_id=tenant_id, company_id=company.id, name="Support"))
        db.session.add(Asset(tenant_id=tenant_id, name="Laptop"))
        db.session.commit()
    run_worker(app, burst=True)
    return tenant_id


def _own_ids(app: Flask, tenant_id: int) -> dict[str, int]:
    """The tenant's own company, contract, asset and (first-sync) notice."""
    ids = {}
    with app.app_context():
        for name, model in (("company", Company), ("contract", Contract), ("asset", Asset),
                            ("notice", Notice)):  # fmt: skip
            found = db.session.scalar(select(model.id).where(model.tenant_id == tenant_id))
            assert found is not None, name
            ids[name] = found
    return ids


def _post_routes(app: Flask) -> dict[str, str]:
    return {
        rule.endpoint: rule.rule
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or ()) and not any(rule.rule.startswith(p) for p in CSRF_FREE)
    }


def test_every_form_refuses_a_missing_or_forged_csrf_token(
    app: Flask, client: FlaskClient, tenant: int
) -> None:
    routes = _post_routes(app)
    assert not set(routes) - set(FORMS), f"add an example form to FORMS: {set(routes) - set(FORMS)}"
    other = app.test_client()
    log_in(other, EMAIL)
    other_token = csrf_of(other.get("/tokens").get_data(as_text=True))
    own = _own_ids(app, tenant)
    for endpoint in sorted(routes, key=lambda e: e in ("admin.logout", "admin.login")):
        path, example = FORMS[endpoint]
        path = path.format(**own)
        form = {key: value.format(**own) for key, value in example.items()}
        if endpoint != "admin.login":
            log_in(client, EMAIL)
        page = client.get("/login" if endpoint == "admin.login" else "/tokens")
        good = csrf_of(page.get_data(as_text=True))
        before = snapshot(app)
        for token in (None, "", "forged-" + good[8:], good[:-4] + "AAAA", other_token):
            data = form if token is None else {**form, "csrf_token": token}
            answer = client.post(path, data=data)
            body = answer.get_data(as_text=True)
            assert answer.status_code == 400, (endpoint, token, answer.status_code)
            assert "CSRF" in body and "Traceback" not in body
            assert snapshot(app) == before, f"{endpoint} acted without a valid CSRF token"
        if endpoint == "admin.logout":
            assert client.get("/tokens").status_code == 200  # still logged in
        answer = client.post(path, data={**form, "csrf_token": good})
        assert answer.status_code in (200, 302), (endpoint, answer.get_data(as_text=True)[:300])


def test_a_session_cookie_alone_cannot_write_through_the_api(
    app: Flask, client: FlaskClient, tenant: int
) -> None:
    """The API takes no CSRF token because a cookie never authorises its writes."""
    log_in(client, EMAIL)
    own = _own_ids(app, tenant)
    before = snapshot(app)
    for method, path, body in [
        ("POST", "/api/v1/tokens", {"name": "x"}),
        ("POST", "/api/v1/integrations/itglue_stub/sync", {}),
        ("PUT", "/api/v1/integrations/itglue_stub", {"settings": {}, "enabled": False}),
        ("POST", "/api/v1/integrations/itglue_stub/companies/create-unmapped", {}),
        ("PATCH", "/api/v1/integrations/itglue_stub/schedule", {"auto_sync": True}),
        ("PUT", "/api/v1/integrations/itglue_stub/writeback", {"enabled": True}),
        ("POST", "/api/v1/integrations/itglue_stub/writeback/runs", {}),
        ("POST", "/api/v1/notices/read", {}),
        ("POST", "/api/v1/warranties/lookup", {}),
        ("POST", "/api/v1/warranties/import", {"csv": "asset_id,warranty_expiration_date\n"}),
        ("PUT", f"/api/v1/assets/{own['asset']}/warranty", {"warranty_expiration_date": None}),
        ("PATCH", f"/api/v1/contracts/{own['contract']}", {"name": "Taken over"}),
        ("POST", f"/api/v1/contracts/{own['contract']}/copy", {}),
        ("POST", f"/api/v1/notices/{own['notice']}/read", {}),
    ]:
        answer = client.open(path, method=method, json=body)
        assert answer.status_code == 401, (path, answer.json)
    assert snapshot(app) == before
    assert client.get("/api/v1/integrations/itglue_stub/status").status_code == 200


def _cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _replay(app: Flask, cookie: str) -> int:
    """Return the status of the tokens page for a fresh browser holding ``cookie``."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/tokens").status_code


def test_login_issues_a_new_session_and_logout_ends_it(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        create_tenant("acme", "Acme", EMAIL, PASSWORD)
    client.get("/login")
    planted = _cookie(client)  # what an attacker could have fixed in the victim's browser
    log_in(client, EMAIL)
    logged_in = _cookie(client)
    assert logged_in != planted
    assert _replay(app, planted) == 302  # the planted session did not become logged in
    assert _replay(app, logged_in) == 200  # (the replay works while the session lives)
    token = csrf_of(client.get("/tokens").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/tokens").status_code == 302
    # A copy of the cookie taken before logout is dead too: logout ends the session itself.
    assert _replay(app, logged_in) == 302
    # Logging in again gives yet another session; the old one stays dead.
    log_in(client, EMAIL)
    assert _cookie(client) not in (planted, logged_in)
    assert _replay(app, logged_in) == 302


def test_session_cookie_flags(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        create_tenant("acme", "Acme", EMAIL, PASSWORD)
    token = csrf_of(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    cookies = [c for c in answer.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies
    for cookie in cookies:
        flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert {"httponly", "samesite"} <= flags, cookie
        assert "samesite=lax" in cookie.lower() or "samesite=strict" in cookie.lower()


def test_login_throttling_survives_new_sessions_and_email_case(
    app: Flask, client: FlaskClient
) -> None:
    """Failures count per email and address, whatever the cookie or the email's case."""
    with app.app_context():
        create_tenant("acme", "Acme", EMAIL, PASSWORD)
    for attempt in range(5):
        fresh = app.test_client()  # a new cookie jar each time: no help to the attacker
        token = csrf_of(fresh.get("/login").get_data(as_text=True))
        email = EMAIL.upper() if attempt % 2 else EMAIL
        data = {"email": email, "password": "wrong-pass", "csrf_token": token}
        assert fresh.post("/login", data=data).status_code == 200
    fresh = app.test_client()
    token = csrf_of(fresh.get("/login").get_data(as_text=True))
    answer = fresh.post(
        "/login", data={"email": " Admin@ACME.test ", "password": PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 429 and "Too many failed attempts" in answer.get_data(as_text=True)
    assert fresh.get("/tokens").status_code == 302  # not logged in
    # Another address is not locked out by someone else's failures.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    log_in(other, EMAIL)
    assert other.get("/tokens").status_code == 200


def test_revoked_tokens_are_refused_at_once(app: Flask, client: FlaskClient) -> None:
    """A token revoked on the page or through the API fails on its very next request."""
    with app.app_context():
        tenant = create_tenant("acme", "Acme", EMAIL, PASSWORD)
        plain = []
        for name in ("page", "api", "live"):
            row, token = ApiToken.issue(tenant.id, name)
            db.session.add(row)
            plain.append(token)
        db.session.commit()
        ids = list(db.session.scalars(select(ApiToken.id).order_by(ApiToken.id)))
    page_token, api_token, live = plain
    for token in plain:
        assert client.get("/api/v1/tokens", headers={"Authorization": f"Bearer {token}"}).json
    log_in(client, EMAIL)
    csrf = csrf_of(client.get("/tokens").get_data(as_text=True))
    client.post("/tokens", data={"revoke": str(ids[0]), "csrf_token": csrf})
    headers = {"Authorization": f"Bearer {page_token}"}
    assert client.get("/api/v1/connectors", headers=headers).status_code == 401
    headers = {"Authorization": f"Bearer {api_token}"}
    assert client.delete(f"/api/v1/tokens/{ids[1]}", headers=headers).status_code == 200
    answer = client.get("/api/v1/connectors", headers=headers)
    assert answer.status_code == 401 and answer.json["message"] == (
        "this API token is unknown or revoked"
    )
    # A token's prefix or its hash is no token.
    with app.app_context():
        stored = db.session.scalar(select(ApiToken.token_hash).where(ApiToken.id == ids[2]))
    assert client.get("/api/v1/connectors", headers={"Authorization": f"Bearer {live}"}).json
    for fake in (live[:12], stored, live + "x", live.upper(), f"{live} {live}"):
        headers = {"Authorization": f"Bearer {fake}"}
        assert client.get("/api/v1/connectors", headers=headers).status_code == 401
