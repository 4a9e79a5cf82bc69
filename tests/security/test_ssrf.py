"""SSRF: a tenant admin cannot make the hub send Autotask credentials (or anything) elsewhere.

An "attacker" HTTP server records every request it gets; it must get none.
The admin's own lever is the ``zone_url`` setting (API and settings page);
the remote's levers are the ``url`` of a zone lookup and every
``nextPageUrl``, forged here by a proxy in front of the sandbox that the
operator opened with ``HUB_AUTOTASK_ZONE_LOOKUP_URL``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from hub_autotask import client as client_module
from hub_autotask import zones
from hub_autotask.sandbox import Sandbox
from sqlalchemy import func, select

from hub.extensions import db
from hub.jobs import request_sync
from hub.models import Integration, MirrorRecord, SyncRun
from hub.worker import run_worker
from tests.sandbox_fixtures import point_at
from tests.security.conftest import csrf_of, log_in
from tests.test_api_integrations import Api, make_token


class Recorder(ThreadingHTTPServer):
    """An HTTP server that remembers every request line and header set it receives."""

    seen: list[str]
    forward_to: str = ""
    rewrite: dict[str, str]
    rewrites: int = 0


class _AttackerHandler(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        assert isinstance(self.server, Recorder)
        self.server.seen.append(f"{self.command} {self.path} {dict(self.headers)}")
        body = b'{"items": [], "pageDetails": {"count": 0}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _answer  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""


class _ProxyHandler(BaseHTTPRequestHandler):
    """Forwards to the sandbox; forges zone URLs and nextPageUrls as ``rewrite`` says."""

    def _forward(self) -> None:
        assert isinstance(self.server, Recorder)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host",)}
        answer = httpx.request(
            self.command, self.server.forward_to + self.path, headers=headers, content=body
        )
        content = answer.content
        if answer.headers.get("content-type", "").startswith("application/json"):
            data = answer.json()
            if isinstance(data, dict) and "url" in data and "zone" in self.server.rewrite:
                data["url"] = self.server.rewrite["zone"]
                self.server.rewrites += 1
            details = data.get("pageDetails") if isinstance(data, dict) else None
            if (
                isinstance(details, dict)
                and details.get("nextPageUrl")
                and "next" in (self.server.rewrite)
            ):
                details["nextPageUrl"] = self.server.rewrite["next"]
                self.server.rewrites += 1
            content = json.dumps(data).encode()
        self.send_response(answer.status_code)
        self.send_header("Content-Type", answer.headers.get("content-type", "application/json"))
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _forward  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""


def _serve(handler: type[BaseHTTPRequestHandler]) -> Recorder:
    server = Recorder(("127.0.0.1", 0), handler)
    server.seen, server.rewrite = [], {}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _url(server: Recorder, path: str = "/") -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


@pytest.fixture
def attacker() -> Iterator[Recorder]:
    server = _serve(_AttackerHandler)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    with Sandbox(scale="small", seed=5, throttle_scale=0.0) as sb:
        point_at(monkeypatch, sb)
        yield sb
    client_module.close_all()
    zones.forget_all()


@pytest.fixture
def proxy(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    """A forging proxy in front of the sandbox, opened by the operator instead of it."""
    server = _serve(_ProxyHandler)
    origin = urlsplit(sandbox.zone_lookup_url)
    server.forward_to = f"{origin.scheme}://{origin.netloc}"
    monkeypatch.setenv("HUB_AUTOTASK_ZONE_LOOKUP_URL", _url(server, "/atservicesrest/"))
    server.rewrite["zone"] = _url(server, urlsplit(sandbox.zone_url).path)
    yield server
    server.shutdown()
    server.server_close()


def hostile_zone_urls(attacker_url: str) -> list[str]:
    """Zone URLs a tenant admin might try: other hosts, tricks on autotask.net, other schemes."""
    return [
        attacker_url,
        "https://evil.example/ATServicesRest/",
        "http://webservices5.autotask.net/ATServicesRest/",  # credentials in clear text
        "https://webservices5.autotask.net.evil.example/",
        "https://webservices5.autotask.net@evil.example/",
        "https://evil.example\\.autotask.net/",
        "https://evil.example#.autotask.net",
        "https://ev\til.autotask.net/",
        "https://evil.example\x00.autotask.net/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        "//evil.example/",
    ]


def test_zone_url_setting_cannot_point_elsewhere(
    app: Flask, client: FlaskClient, sandbox: Sandbox, attacker: Recorder
) -> None:
    """Saving or testing a foreign zone URL: 422 naming the field, nothing stored, no request."""
    api = Api(client, make_token(app))
    log_in(client, "admin@acme.test")
    for url in hostile_zone_urls(_url(attacker, "/zone15/ATServicesRest/")):
        settings = {**sandbox.credentials, "zone_url": url}
        saved = api.put("/integrations/autotask", {"settings": settings})
        tested = api.post("/integrations/autotask/test", {"settings": settings})
        page = client.get("/integrations/autotask/settings").get_data(as_text=True)
        form = {**settings, "action": "save", "enabled": "on", "csrf_token": csrf_of(page)}
        answer = client.post("/integrations/autotask/settings", data=form)
        if "\x00" in url:  # refused before any view reads it (tests/security/test_api_fuzz.py)
            assert saved.status_code == tested.status_code == answer.status_code == 400
            continue
        assert saved.status_code == 422, (url, saved.json)
        assert "zone_url" in saved.json["errors"], (url, saved.json)
        assert tested.status_code == 422 and "zone_url" in tested.json["errors"], url
        assert answer.status_code == 422 and "Nothing was stored" in answer.get_data(as_text=True)
        assert sandbox.credentials["secret"] not in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Integration)) == 0
    assert attacker.seen == []


def test_credentials_that_cannot_travel_in_headers_are_refused(
    app: Flask, client: FlaskClient, sandbox: Sandbox
) -> None:
    """Control characters or non-ASCII in header-borne settings: 422, never a crash."""
    api = Api(client, make_token(app))
    for field, value in [
        ("secret", "s3cr\u00e9t\u2603"),
        ("secret", "a\r\nX-Injected: 1"),
        ("username", "user\r\n@example.com"),
        ("integration_code", "CODE\x7f"),
    ]:
        settings = {**sandbox.credentials, field: value}
        for answer in (
            api.post("/integrations/autotask/test", {"settings": settings}),
            api.put("/integrations/autotask", {"settings": settings}),
        ):
            assert answer.status_code == 422, (field, answer.status_code, answer.json)
            assert field in answer.json["errors"] and value not in json.dumps(answer.json)


def test_a_forged_zone_lookup_answer_is_refused(
    app: Flask, client: FlaskClient, proxy: Recorder, sandbox: Sandbox, attacker: Recorder
) -> None:
    """The lookup says "your zone is on the attacker's host": Test, Save and Sync refuse."""
    proxy.rewrite["zone"] = _url(attacker, "/zone15/ATServicesRest/")
    api = Api(client, make_token(app))
    tested = api.post("/integrations/autotask/test", {"settings": sandbox.credentials})
    assert tested.status_code == 200 and tested.json["ok"] is False
    assert "refused" in tested.json["message"], tested.json
    refused = api.put("/integrations/autotask", {"settings": sandbox.credentials})
    assert refused.status_code == 409 and "refused" in refused.json["message"], refused.json
    assert "Nothing was stored" in refused.json["message"]
    # Stored untested (switched off), then switched on behind the form's back: the sync's
    # own zone lookup gets the forged answer and refuses it too.
    stored = api.put("/integrations/autotask", {"settings": sandbox.credentials, "enabled": False})
    assert stored.status_code == 200, stored.json
    with app.app_context():
        integration = db.session.scalar(select(Integration))
        assert integration is not None
        integration.enabled = True
        db.session.commit()
        run_id = request_sync(integration, trigger="manual")[0].id
    run_worker(app, burst=True)
    run = api.get(f"/runs/{run_id}").json
    said = " ".join([run["message"], *(e["message"] for e in run["events"])])
    assert run["status"] == "failed" and "refused" in said, run
    assert proxy.rewrites > 0 and attacker.seen == []


def test_a_forged_next_page_url_is_never_followed(
    app: Flask, client: FlaskClient, proxy: Recorder, sandbox: Sandbox, attacker: Recorder
) -> None:
    """Every nextPageUrl names the attacker's host: the sync completes without calling it."""
    proxy.rewrite["next"] = _url(attacker, "/zone15/ATServicesRest/V1.0/Companies/query/next")
    api = Api(client, make_token(app))
    saved = api.put("/integrations/autotask", {"settings": sandbox.credentials})
    assert saved.status_code == 200, saved.json
    run_worker(app, burst=True)
    run = api.get(f"/runs/{saved.json['started_run_id']}").json
    assert run["status"] == "succeeded", run
    with app.app_context():
        tickets = db.session.scalar(
            select(func.count()).where(
                MirrorRecord.stream == "tickets", MirrorRecord.deleted_at.is_(None)
            )
        )
        assert db.session.scalar(select(SyncRun.status)) == "succeeded"
    assert tickets == len(sandbox.records("Tickets")) > 500  # more than one page
    assert proxy.rewrites > 1 and attacker.seen == []
