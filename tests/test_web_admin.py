"""The admin pages: login (CSRF, wrong password), the integrations dashboard, error pages."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from hub.extensions import db
from hub.integrations import configure_integration
from hub.models import Tenant
from hub.tenancy import create_tenant


def _csrf(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def _setup(app: Flask) -> None:
    with app.app_context():
        tenant = create_tenant("acme", "Acme", "admin@acme.test", "password1")
        configure_integration(tenant, "itglue_stub", {"api_key": "ITG.k"}, primary=True)


def test_dashboard_requires_login(app: Flask, client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_login_with_csrf_then_dashboard_shows_connectors(app: Flask, client: FlaskClient) -> None:
    _setup(app)
    token = _csrf(client)
    response = client.post(
        "/login",
        data={"email": "Admin@Acme.test", "password": "password1", "csrf_token": token},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Integrations" in page and "IT Glue (stub)" in page
    assert 'data-connector="itglue_stub"' in page and "primary" in page
    cookie = response.request.headers.get("Cookie", "")
    assert "session=" in cookie


def test_wrong_password_says_so_without_saying_which_half(app: Flask, client: FlaskClient) -> None:
    _setup(app)
    for email in ("admin@acme.test", "nobody@acme.test"):
        token = _csrf(client)
        page = client.post(
            "/login", data={"email": email, "password": "wrong-pass", "csrf_token": token}
        ).get_data(as_text=True)
        assert "Wrong email or password." in page


def test_a_form_without_csrf_token_is_refused(app: Flask, client: FlaskClient) -> None:
    _setup(app)
    response = client.post("/login", data={"email": "admin@acme.test", "password": "password1"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_session_cookie_is_httponly_and_samesite(app: Flask, client: FlaskClient) -> None:
    _setup(app)
    token = _csrf(client)
    response = client.post(
        "/login", data={"email": "admin@acme.test", "password": "password1", "csrf_token": token}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_unknown_page_is_a_friendly_404(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Not Found" in response.get_data(as_text=True)


def test_other_tenants_integrations_are_not_shown(app: Flask, client: FlaskClient) -> None:
    _setup(app)
    with app.app_context():
        other = create_tenant("beta", "Beta", "admin@beta.test", "password1")
        configure_integration(other, "itglue_stub", {"api_key": "ITG.beta"}, primary=False)
        assert db.session.query(Tenant).count() == 2
    token = _csrf(client)
    client.post(
        "/login", data={"email": "admin@beta.test", "password": "password1", "csrf_token": token}
    )
    page = client.get("/").get_data(as_text=True)
    assert 'data-connector="itglue_stub"' in page
    assert "primary</td>" not in page  # acme's primary is not beta's
