"""The JSON API: tokens, connectors, settings (secrets write-only), tests, syncs and runs."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from hub.crypto import decrypt_settings
from hub.extensions import db
from hub.integrations import configure_integration
from hub.models import ApiToken, Integration, SyncRun
from hub.tenancy import create_tenant
from hub.worker import run_worker


def make_token(app: Flask, slug: str = "acme") -> str:
    """Create tenant ``slug`` (if needed) and return a plain API token of it."""
    with app.app_context():
        from hub.models import Tenant

        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
        if tenant is None:
            tenant = create_tenant(slug, slug.title(), f"admin@{slug}.test", "password1")
        row, plain = ApiToken.issue(tenant.id, "tests")
        db.session.add(row)
        db.session.commit()
        return plain


class Api:
    """A small client of the JSON API with a bearer token."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get("/api/v1" + path, headers=self.headers, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.client.post("/api/v1" + path, json=json, headers=self.headers, **kw)

    def put(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.client.put("/api/v1" + path, json=json, headers=self.headers, **kw)

    def delete(self, path: str) -> Any:
        return self.client.delete("/api/v1" + path, headers=self.headers)


@pytest.fixture
def api(app: Flask, client: FlaskClient) -> Api:
    return Api(client, make_token(app))


def test_no_token_or_a_bad_one_is_401(client: FlaskClient, app: Flask) -> None:
    make_token(app)
    assert client.get("/api/v1/connectors").status_code == 401
    answer = client.get("/api/v1/connectors", headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 401
    assert answer.json["message"] == "this API token is unknown or revoked"
    assert "Bearer" in answer.headers["WWW-Authenticate"]


def test_connectors_list_state(api: Api) -> None:
    answer = api.get("/connectors")
    assert answer.status_code == 200
    names = {c["name"]: c for c in answer.json}
    assert {"autotask", "itglue_stub"} <= set(names)
    assert names["itglue_stub"]["integration"] is None


def test_settings_secret_is_write_only(api: Api, app: Flask) -> None:
    answer = api.put(
        "/integrations/itglue_stub", {"settings": {"api_key": "ITG.demo"}, "enabled": False}
    )
    assert answer.status_code == 200, answer.json
    assert "ITG.demo" not in answer.get_data(as_text=True)
    shown = api.get("/integrations/itglue_stub").json
    assert shown["settings"]["api_key"] == {"set": True}
    assert "ITG.demo" not in str(shown)
    assert any(f["name"] == "api_key" and f["secret"] for f in shown["fields"])
    assert shown["guidance"]
    # A blank secret keeps the stored one.
    api.put("/integrations/itglue_stub", {"settings": {"api_key": ""}, "enabled": False})
    with app.app_context():
        row = db.session.scalar(select(Integration))
        assert decrypt_settings(row.settings_encrypted)["api_key"] == "ITG.demo"


def test_invalid_settings_list_every_bad_field_and_store_nothing(api: Api, app: Flask) -> None:
    answer = api.put("/integrations/autotask", {"settings": {"zone_url": "x" * 400}})
    assert answer.status_code == 422
    errors = answer.json["errors"]
    assert {"username", "secret", "zone_url"} <= set(errors)
    with app.app_context():
        assert db.session.scalar(select(Integration)) is None


@pytest.mark.parametrize(
    ("body", "status"),
    [("{not json", 400), ("[1, 2]", 422), ('{"settings": "x"}', 422), ('{"nope": 1}', 422)],
)
def test_bad_bodies_are_clear_4xx(api: Api, body: str, status: int) -> None:
    answer = api.client.put(
        "/api/v1/integrations/itglue_stub",
        data=body,
        headers={**api.headers, "Content-Type": "application/json"},
    )
    assert answer.status_code == status
    assert answer.is_json and "Traceback" not in answer.get_data(as_text=True)


def test_unknown_connector_is_404_json(api: Api) -> None:
    answer = api.get("/integrations/nope")
    assert answer.status_code == 404 and "unknown connector" in answer.json["message"]
    assert api.get("/integrations/itglue_stub/status").status_code == 404


def test_test_connection_reports_per_entity(api: Api) -> None:
    good = api.post("/integrations/itglue_stub/test", {"settings": {"api_key": "ITG.demo"}})
    assert good.status_code == 200, good.json
    assert good.json["ok"] is True and good.json["entities"]
    assert all(e["readable"] for e in good.json["entities"])
    bad = api.post("/integrations/itglue_stub/test", {"settings": {"api_key": "wrong-key"}})
    assert bad.status_code == 200 and bad.json["ok"] is False
    assert "wrong-key" not in bad.get_data(as_text=True)
    assert "rejected the API key" in bad.json["message"]


def test_first_enabled_save_starts_the_sync_and_runs_show_progress(api: Api, app: Flask) -> None:
    saved = api.put("/integrations/itglue_stub", {"settings": {"api_key": "ITG.demo"}})
    assert saved.status_code == 200, saved.json
    run_id = saved.json["started_run_id"]
    assert run_id and saved.json["integration"]["is_primary"] is True
    again = api.put("/integrations/itglue_stub", {"settings": {"api_key": ""}})
    assert again.json["started_run_id"] is None
    run_worker(app, burst=True)
    run = api.get(f"/runs/{run_id}").json
    assert run["status"] == "succeeded", run
    assert all(s["percent"] == 100 for s in run["streams"])
    history = api.get("/integrations/itglue_stub/runs").json
    assert history[0]["id"] == run_id and history[0]["streams"]
    status = api.get("/integrations/itglue_stub/status").json
    assert status["active_run"] is None and status["latest_run"]["id"] == run_id
    assert status["budget"]["used_this_hour"] >= 0
    one = api.post("/integrations/itglue_stub/sync", {"streams": ["organizations"]})
    assert one.status_code == 202 and one.json["created"] is True
    assert api.post("/integrations/itglue_stub/sync", {}).json["created"] is False
    bad = api.post("/integrations/itglue_stub/sync", {"streams": ["nope"]})
    assert bad.status_code == 409 and "nope" in bad.json["message"]


def test_another_tenants_ids_answer_404(api: Api, app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        other = create_tenant("beta", "Beta", "admin@beta.test", "password1")
        integration = configure_integration(other, "itglue_stub", {"api_key": "ITG.demo"})
        run = SyncRun(tenant_id=other.id, integration_id=integration.id)
        db.session.add(run)
        db.session.commit()
        run_id = run.id
    assert api.get(f"/runs/{run_id}").status_code == 404
    assert api.get("/integrations/itglue_stub/runs").status_code == 404
    beta = Api(client, make_token(app, "beta"))
    assert beta.get(f"/runs/{run_id}").status_code == 200


def test_tokens_create_list_revoke(api: Api, client: FlaskClient) -> None:
    created = api.post("/tokens", {"name": "script"})
    assert created.status_code == 201
    plain = created.json["token"]
    listed = api.get("/tokens").json
    assert all("token" not in t and "token_hash" not in t for t in listed)
    other = Api(client, plain)
    assert other.get("/connectors").status_code == 200
    assert api.delete(f"/tokens/{created.json['id']}").status_code == 200
    assert other.get("/connectors").status_code == 401
    assert api.delete("/tokens/99999").status_code == 404
    assert api.post("/tokens", {"name": ""}).status_code == 422


def test_plugins_listed(api: Api) -> None:
    plugins = api.get("/plugins").json
    assert any("hub_register_connectors" in p["hooks"] for p in plugins)


def test_openapi_document_is_served_and_valid(client: FlaskClient) -> None:
    from openapi_spec_validator import validate

    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    spec = answer.json
    validate(spec)
    assert "/api/v1/integrations/{connector}/companies" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_the_primary_switch(api: Api, app: Flask) -> None:
    itglue = api.put(
        "/integrations/itglue_stub", {"settings": {"api_key": "ITG.k"}, "enabled": False}
    )
    assert itglue.json["integration"]["is_primary"]  # the tenant's first possible primary
    autotask = {"username": "api@acme.test", "secret": "s3cret", "integration_code": "CODE"}

    taken = api.put(
        "/integrations/autotask", {"settings": autotask, "enabled": False, "primary": True}
    )
    assert taken.status_code == 409
    assert "IT Glue (stub) is already this tenant's primary integration" in taken.json["message"]
    assert "replace_primary" in taken.json["message"] and "s3cret" not in taken.json["message"]
    assert api.get("/integrations/autotask").json["integration"] is None  # nothing stored

    replaced = api.put(
        "/integrations/autotask",
        {"settings": autotask, "enabled": False, "primary": True, "replace_primary": True},
    )
    assert replaced.status_code == 200, replaced.json
    assert replaced.json["integration"]["is_primary"]
    assert not api.get("/integrations/itglue_stub").json["integration"]["is_primary"]
    listed = {c["name"]: c["integration"] for c in api.get("/connectors").json}
    assert listed["autotask"]["is_primary"] and not listed["itglue_stub"]["is_primary"]

    # Saving again without saying keeps the role; false makes it secondary.
    kept = api.put("/integrations/autotask", {"settings": {}, "enabled": False})
    assert kept.json["integration"]["is_primary"]
    off = api.put("/integrations/autotask", {"settings": {}, "enabled": False, "primary": False})
    assert not off.json["integration"]["is_primary"]
    with app.app_context():
        assert db.session.scalar(select(Integration).where(Integration.is_primary)) is None


def test_saving_rejected_credentials_stores_nothing(api: Api, app: Flask) -> None:
    answer = api.put("/integrations/itglue_stub", {"settings": {"api_key": "bad-key"}})
    assert answer.status_code == 409
    assert answer.json["message"].startswith("Nothing was stored:")
    assert "bad-key" not in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Integration)) is None
    # Switched off, they are stored untested.
    off = api.put(
        "/integrations/itglue_stub", {"settings": {"api_key": "bad-key"}, "enabled": False}
    )
    assert off.status_code == 200
