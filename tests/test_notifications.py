"""Notifications against a real local SMTP server (aiosmtpd) on SQLite and PostgreSQL.

The first sync of a new integration emails the tenant's admins and leaves an
in-app notice, once; an integration whose credentials are rejected, or that
fails three runs in a row, notifies too (once per streak).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hub_autotask.sandbox import Sandbox
from sqlalchemy import select

from hub.extensions import db
from hub.integrations import configure_integration
from hub.models import Tenant
from hub.notify.mailer import send_mail
from hub.worker import run_worker
from tests.sandbox_fixtures import point_at
from tests.test_api_integrations import Api, make_token

smtp_controller = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is not installed")


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.original_content)
        message["X-Rcpt"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def inbox(app: Flask) -> Iterator[Inbox]:
    handler = Inbox()
    controller = smtp_controller.Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_FROM="hub@msp.test")
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    monkeypatch.setenv("HUB_AUTOTASK_MAX_ATTEMPTS", "1")
    with Sandbox(scale="small", seed=5, throttle_scale=0.0) as sb:
        point_at(monkeypatch, sb)
        yield sb


@pytest.fixture
def api(app: Flask, client: FlaskClient) -> Api:
    return Api(client, make_token(app))


def _sync(app: Flask, api: Api) -> None:
    """Request a sync and work until it finished (a crashed job is retried by RQ a bit later)."""
    run_id = api.post("/integrations/autotask/sync", {}).json["run"]["id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run_worker(app, burst=True)
        if api.get(f"/runs/{run_id}").json["finished"]:
            return
        time.sleep(0.5)
    raise AssertionError(f"sync {run_id} did not finish")


def _body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    return payload.decode() if isinstance(payload, bytes) else str(message.get_payload())


def test_first_sync_emails_the_admins_once(
    app: Flask, api: Api, sandbox: Sandbox, inbox: Inbox
) -> None:
    saved = api.put("/integrations/autotask", {"settings": sandbox.credentials})
    assert saved.status_code == 200
    run_worker(app, burst=True)
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail["To"] == "admin@acme.test" and mail["From"] == "hub@msp.test"
    assert "first Datto Autotask PSA sync finished: succeeded" in mail["Subject"]
    assert "companies: succeeded" in _body(mail)
    assert sandbox.credentials["secret"] not in _body(mail)
    notices = api.get("/notices?unread=true").json
    assert [n["kind"] for n in notices] == ["first_sync"] and notices[0]["emailed_to"] == 1

    api.post("/integrations/autotask/sync", {})
    run_worker(app, burst=True)
    assert len(inbox.messages) == 1  # later syncs do not notify
    assert api.post(f"/notices/{notices[0]['id']}/read").json["marked"] == 1
    assert api.get("/notices?unread=true").json == []
    other = Api(api.client, make_token(app, "other"))
    assert other.post(f"/notices/{notices[0]['id']}/read").status_code == 404


def test_rejected_credentials_and_three_failures_notify(
    app: Flask, api: Api, sandbox: Sandbox, inbox: Inbox
) -> None:
    api.put("/integrations/autotask", {"settings": sandbox.credentials})
    run_worker(app, burst=True)
    inbox.messages.clear()

    # The secret changes in Autotask after it was saved (a save tests it and refuses it).
    wrong = {**sandbox.credentials, "secret": "definitely-wrong-secret"}
    assert api.put("/integrations/autotask", {"settings": wrong}).status_code == 409
    with app.app_context():
        acme = db.session.scalars(select(Tenant).where(Tenant.slug == "acme")).one()
        configure_integration(acme, "autotask", wrong)
        db.session.commit()
    _sync(app, api)
    assert len(inbox.messages) == 1
    assert "rejected the hub's credentials" in inbox.messages[0]["Subject"]
    assert "definitely-wrong-secret" not in _body(inbox.messages[0])

    # Back to good credentials, then three failed runs in a row: one "failing" email.
    api.put("/integrations/autotask", {"settings": sandbox.credentials})
    sandbox.set_faults(rate=1.0, kinds=["500"])
    for _ in range(4):
        _sync(app, api)
    sandbox.set_faults(rate=0.0)
    subjects = [m["Subject"] for m in inbox.messages]
    assert len(subjects) == 2 and "is failing" in subjects[1], subjects
    kinds = [n["kind"] for n in api.get("/notices").json]
    assert kinds == ["failing", "credentials_rejected", "first_sync"]


def test_an_unreachable_smtp_server_is_reported_not_raised(app: Flask) -> None:
    config = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": _free_port(), "SMTP_PASSWORD": "hunter22"}
    error = send_mail(config, ["a@b.test"], "subject", "body")
    assert "could not be sent through 127.0.0.1" in error and "hunter22" not in error
    assert send_mail({}, ["a@b.test"], "subject", "body") == ""  # email off without a host
