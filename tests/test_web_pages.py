"""The admin pages with the test client: settings, sync, mappings, plugins, tokens, throttling."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hub_autotask.sandbox import Sandbox
from sqlalchemy import select

from hub.extensions import db
from hub.models import ApiToken, Company, Integration
from hub.tenancy import create_tenant
from hub.worker import run_worker
from tests.sandbox_fixtures import point_at


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def login(client: FlaskClient, email: str = "admin@acme.test", password: str = "password1") -> str:  # noqa: S107
    token = _csrf(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    return answer.get_data(as_text=True) if answer.status_code != 302 else ""


@pytest.fixture
def admin(app: Flask, client: FlaskClient) -> FlaskClient:
    with app.app_context():
        create_tenant("acme", "Acme", "admin@acme.test", "password1")
    login(client)
    return client


def _post(client: FlaskClient, path: str, data: dict[str, object], **kw: object) -> object:
    token = _csrf(client.get(path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token}, **kw)


def test_settings_page_draws_the_schema_and_never_echoes_the_secret(
    app: Flask, admin: FlaskClient
) -> None:
    page = admin.get("/integrations/itglue_stub/settings").get_data(as_text=True)
    assert "Integration active" in page and "API key" in page and "not set" in page
    assert "Account &gt; Settings &gt; API Keys" in page  # the guidance
    answer = _post(
        admin,
        "/integrations/itglue_stub/settings",
        {"api_key": "ITG.demo", "enabled": "", "action": "save"},
        follow_redirects=True,
    )
    page = answer.get_data(as_text=True)
    assert "Settings saved." in page and "ITG.demo" not in page
    assert 'id="f-api_key-state">set<' in page


def test_bad_settings_show_every_problem_and_store_nothing(app: Flask, admin: FlaskClient) -> None:
    answer = _post(
        admin, "/integrations/autotask/settings", {"username": "", "secret": "", "action": "save"}
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'data-error="username"' in page and 'data-error="secret"' in page
    with app.app_context():
        assert db.session.scalar(select(Integration)) is None


def test_test_settings_fragment_shows_the_problem(app: Flask, admin: FlaskClient) -> None:
    answer = _post(
        admin,
        "/integrations/itglue_stub/settings",
        {"api_key": "bad-key", "action": "test"},
        headers={"X-Requested-With": "fetch"},
    )
    page = answer.get_data(as_text=True)
    assert "Connection failed" in page and "rejected the API key" in page
    assert "bad-key" not in page
    good = _post(
        admin,
        "/integrations/itglue_stub/settings",
        {"api_key": "ITG.demo", "action": "test"},
    ).get_data(as_text=True)
    assert "Connection successful" in good and 'id="entities"' in good
    assert "ITG.demo" not in good
    with app.app_context():
        assert db.session.scalar(select(Integration)) is None


def test_mapping_pages_on_a_synced_sandbox(
    app: Flask, admin: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Sandbox(scale="small", seed=5, throttle_scale=0.0) as sb:
        point_at(monkeypatch, sb)
        answer = _post(
            admin,
            "/integrations/autotask/settings",
            {**sb.credentials, "enabled": "on", "action": "save"},
        )
        assert answer.status_code == 302 and answer.headers["Location"].endswith("/sync")
        run_worker(app, burst=True)
        sync = admin.get("/integrations/autotask/sync").get_data(as_text=True)
        assert "succeeded" in sync and "API budget used this hour" in sync
        assert 'data-stream="companies"' in sync
        # The page's poll reads the JSON status with the session cookie; writes need a token.
        assert admin.get("/api/v1/integrations/autotask/status").status_code == 200
        assert admin.post("/api/v1/integrations/autotask/sync", json={}).status_code == 401

        page = admin.get("/integrations/autotask/companies?mapped=unmapped").get_data(as_text=True)
        assert 'data-mapped="yes"' not in page and 'data-mapped="no"' in page
        answer = _post(
            admin, "/integrations/autotask/companies?mapped=unmapped", {"action": "create"}
        )
        assert answer.status_code == 302
        page = admin.get("/integrations/autotask/companies?mapped=unmapped").get_data(as_text=True)
        assert 'data-mapped="no"' not in page
        with app.app_context():
            linked = db.session.scalar(select(Company).where(Company.mirror_id.is_not(None)))
            assert linked is not None

        types = admin.get("/integrations/autotask/types").get_data(as_text=True)
        assert "Company types" in types and "provides no asset statuses" in types

        fields = admin.get("/integrations/autotask/asset-fields").get_data(as_text=True)
        assert "Fields to download" in fields and "protected custom field" in fields
        answer = _post(
            admin,
            "/integrations/autotask/asset-fields",
            {"action": "fields", "name_0": "serialNumber"},
        )
        assert answer.status_code == 302
        live = {"X-Requested-With": "fetch"}
        pending = admin.get("/integrations/autotask/asset-fields", headers=live)
        assert 'data-pending="yes"' in pending.get_data(as_text=True)  # the page keeps watching
        run_worker(app, burst=True)
        done = admin.get("/integrations/autotask/asset-fields", headers=live).get_data(as_text=True)
        assert 'data-pending="no"' in done and "<html" not in done
        fields = admin.get("/integrations/autotask/asset-fields").get_data(as_text=True)
        changed = fields.split('data-attribute="name"')[1].split("</tr>")[0]
        assert "use the default" in changed
        # Only the attributes posted change: the others keep their defaults.
        assert "use the default" not in fields.split('data-attribute="is_active"')[1]
        _post(admin, "/integrations/autotask/asset-fields", {"reset": "name"})
        fields = admin.get("/integrations/autotask/asset-fields").get_data(as_text=True)
        assert "use the default" not in fields.split('data-attribute="name"')[1].split("</tr>")[0]


def test_plugins_and_tokens_pages(app: Flask, admin: FlaskClient) -> None:
    page = admin.get("/plugins").get_data(as_text=True)
    assert "hub_register_connectors" in page and "Datto Autotask PSA" in page
    created = _post(admin, "/tokens", {"name": "script"}).get_data(as_text=True)
    plain = re.search(r'id="token-value">([^<]+)<', created).group(1)  # type: ignore[union-attr]
    assert (
        admin.get("/api/v1/connectors", headers={"Authorization": f"Bearer {plain}"}).status_code
        == 200
    )
    listed = admin.get("/tokens").get_data(as_text=True)
    assert plain not in listed and plain[:12] in listed
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    _post(admin, "/tokens", {"revoke": str(token_id)})
    answer = admin.get("/api/v1/connectors", headers={"Authorization": f"Bearer {plain}"})
    assert answer.status_code == 401


def test_pages_of_an_integration_not_set_up_say_so(admin: FlaskClient) -> None:
    answer = admin.get("/integrations/autotask/companies")
    assert answer.status_code == 404 and "not set up yet" in answer.get_data(as_text=True)
    assert admin.get("/integrations/nope/settings").status_code == 404


def test_repeated_login_failures_slow_down(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        create_tenant("acme", "Acme", "admin@acme.test", "password1")
    for _ in range(5):
        assert "Wrong email or password." in login(client, password="wrong-pass")
    page = login(client, password="wrong-pass")
    assert "Too many failed attempts" in page
    # Even the right password waits now, and the message never says which half was wrong.
    page = login(client)
    assert "Too many failed attempts" in page and "password1" not in page


def test_login_starts_a_new_session_and_honours_a_safe_next(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        create_tenant("acme", "Acme", "admin@acme.test", "password1")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    token = _csrf(client.get("/login").get_data(as_text=True))
    answer = client.post(
        "/login?next=//evil.example/",
        data={"email": "admin@acme.test", "password": "password1", "csrf_token": token},
    )
    assert answer.headers["Location"] == "/"
    with client.session_transaction() as session:
        assert "planted" not in session


def test_the_primary_switch_on_the_settings_page(app: Flask, admin: FlaskClient) -> None:
    path = "/integrations/autotask/settings"
    creds = {"username": "api@acme.test", "secret": "s3cret", "integration_code": "CODE"}
    _post(admin, "/integrations/itglue_stub/settings", {"api_key": "ITG.k", "action": "save"})
    page = admin.get(path).get_data(as_text=True)
    assert 'id="primary"' in page and "IT Glue (stub) is the primary integration now" in page
    assert 'id="primary" checked' not in page  # another one is primary: off by default

    answer = _post(admin, path, {**creds, "primary_shown": "1", "primary": "on", "action": "save"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "IT Glue (stub) is already the primary integration" in page
    assert "nothing was stored" in page and "s3cret" not in page
    with app.app_context():
        assert (
            db.session.scalar(select(Integration).where(Integration.connector == "autotask"))
            is None
        )

    answer = _post(
        admin,
        path,
        {**creds, "primary_shown": "1", "primary": "on", "replace_primary": "on", "action": "save"},
        follow_redirects=True,
    )
    assert answer.status_code == 200
    with app.app_context():
        primary = db.session.scalar(select(Integration).where(Integration.is_primary))
        assert primary is not None and primary.connector == "autotask"
    listing = admin.get("/").get_data(as_text=True)
    row = listing.split('data-connector="autotask"')[1].split("</tr>")[0]
    assert "primary" in row
