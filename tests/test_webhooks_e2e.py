"""Webhooks end to end: the sandbox calls the hub over HTTP, a real worker applies the change.

The hub is served on a real socket (its ``HUB_PUBLIC_URL``) with a ``hub
worker`` process beside it. Saving the integration with webhooks on
registers them in the sandbox; a change there reaches the hub record within
seconds; forged, replayed and out-of-order deliveries change nothing; a
Deactivated notice shows on the sync page; disabling removes the webhooks.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from hub_autotask.sandbox import Sandbox
from sqlalchemy import func, select
from werkzeug.serving import make_server

from hub.extensions import db
from hub.models import Asset, Contact, Integration, WebhookDelivery
from hub.webhooks.subscriptions import registrations_of
from tests.sandbox_fixtures import point_at
from tests.test_api_integrations import Api, make_token
from tests.worker_process import hub_worker

HOOKS = ("CompanyWebhooks", "ContactWebhooks", "ConfigurationItemWebhooks")


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    with Sandbox(scale="small", seed=5, throttle_scale=0.0, webhook_retry_seconds=0.2) as sb:
        point_at(monkeypatch, sb)
        yield sb


@pytest.fixture
def hub_url(app: Flask, sandbox: Sandbox) -> Iterator[str]:
    """Serve ``app`` on a real socket with a ``hub worker`` process; return its public URL."""
    http = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{http.server_port}"
    app.config["PUBLIC_URL"] = url
    with hub_worker(app):
        thread = threading.Thread(target=http.serve_forever, daemon=True)
        thread.start()
        try:
            yield url
        finally:
            http.shutdown()


def eventually(check: Callable[[], Any], seconds: float = 15.0) -> Any:
    """Return ``check()`` once it is truthy, polling for up to ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def _sign(secret: str, body: bytes) -> str:
    return (
        "sha1=" + base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha1).digest()).decode()
    )


def _deliveries(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(WebhookDelivery)) or 0)


def _asset(app: Flask, remote_id: str) -> Asset | None:
    with app.app_context():
        db.session.expire_all()
        return db.session.scalar(select(Asset).where(Asset.remote_id == remote_id))


@pytest.fixture
def connected(app: Flask, client: FlaskClient, sandbox: Sandbox, hub_url: str) -> Api:
    """A tenant whose Autotask integration was saved with webhooks on and synced once."""
    api = Api(client, make_token(app))
    saved = api.put("/integrations/autotask", {"settings": sandbox.credentials, "webhooks": True})
    assert saved.status_code == 200, saved.json
    assert "Webhooks registered" in saved.json["webhooks_message"]
    run = f"/runs/{saved.json['started_run_id']}"
    # "finished: <status>" is the run's last event, written after the apply.
    done = eventually(
        lambda: any(e["message"].startswith("finished") for e in api.get(run).json["events"]), 120
    )
    assert done and api.get(run).json["status"] == "succeeded"
    return api


def test_webhooks_need_the_public_url(app: Flask, client: FlaskClient, sandbox: Sandbox) -> None:
    api = Api(client, make_token(app))
    refused = api.put("/integrations/autotask", {"settings": sandbox.credentials, "webhooks": True})
    assert refused.status_code == 409
    assert "set HUB_PUBLIC_URL" in refused.json["message"]
    assert api.get("/integrations/autotask").json["integration"] is None  # nothing stored
    assert all(not sandbox.records(h) for h in HOOKS)


def test_a_change_in_autotask_reaches_the_hub_within_seconds(
    app: Flask, connected: Api, sandbox: Sandbox, hub_url: str
) -> None:
    hooks = {h: sandbox.records(h) for h in HOOKS}
    assert all(
        len(rows) == 1 and rows[0]["webhookUrl"].startswith(hub_url) for rows in hooks.values()
    )
    assert not sandbox.records("TicketWebhooks")
    with app.app_context():
        integration = db.session.scalar(select(Integration))
        assert integration is not None
        registrations = registrations_of(integration)
    assert len({r.secret for r in registrations}) == 3  # a fresh secret each

    with app.app_context():
        remote_id = db.session.scalar(select(Asset.remote_id).where(Asset.mirror_id.is_not(None)))
    assert remote_id is not None
    changed_at = time.monotonic()
    sandbox.update("ConfigurationItems", int(remote_id), {"referenceTitle": "Renamed in Autotask"})
    renamed = eventually(lambda: (a := _asset(app, remote_id)) and a.name == "Renamed in Autotask")
    assert renamed, "the hub record did not change within 15 seconds"
    assert time.monotonic() - changed_at < 15
    status = connected.get("/integrations/autotask/status").json
    by_stream = {s["stream"]: s for s in status["streams"]}
    assert by_stream["configuration_items"]["last_webhook_at"] is not None
    assert by_stream["tickets"]["last_webhook_at"] is None

    # A contact deleted in Autotask leaves the hub.
    with app.app_context():
        contact_remote = db.session.scalar(
            select(Contact.remote_id).where(Contact.mirror_id.is_not(None))
        )
    assert contact_remote is not None
    sandbox.delete("Contacts", ids=[int(contact_remote)])

    def contact_gone() -> bool:
        with app.app_context():
            return (
                db.session.scalar(select(Contact).where(Contact.remote_id == contact_remote))
                is None
            )

    assert eventually(contact_gone), "the deleted contact is still in the hub"

    # Forged (wrong secret) and unsigned deliveries: 401, nothing recorded or changed.
    delivered = [d for d in sandbox.webhook_deliveries() if d["payload"]["Id"] == int(remote_id)]
    real = delivered[-1]
    endpoint = f"{hub_url}/webhooks/autotask/{registrations and integration.id}"
    count = _deliveries(app)
    forged_body = json.dumps(
        {**real["payload"], "Action": "Delete", "SequenceNumber": 999}
    ).encode()
    forged = httpx.post(
        endpoint, content=forged_body, headers={"X-Hook-Signature": _sign("guess", forged_body)}
    )
    unsigned = httpx.post(endpoint, content=forged_body)
    assert (forged.status_code, unsigned.status_code) == (401, 401)
    assert _deliveries(app) == count

    # Replayed: the exact delivery again is a duplicate.
    replayed = httpx.post(
        endpoint, content=real["body"].encode(), headers={"X-Hook-Signature": real["signature"]}
    )
    assert replayed.status_code == 200 and replayed.json()["status"] == "duplicate"
    assert _deliveries(app) == count

    # Out of order: a validly signed Delete older than what the hub already received.
    secret = next(r.secret for r in registrations if r.stream == "configuration_items")
    older = datetime.now(UTC) - timedelta(hours=1)
    when = older.isoformat().replace("+00:00", "Z")
    stale = json.dumps({**real["payload"], "Action": "Delete", "SequenceNumber": 10_000,
                        "EventTime": when}).encode()  # fmt: skip
    late = httpx.post(endpoint, content=stale, headers={"X-Hook-Signature": _sign(secret, stale)})
    assert late.status_code == 200 and late.json()["status"] == "out_of_order"
    time.sleep(1.0)
    still = _asset(app, remote_id)
    assert still is not None and still.name == "Renamed in Autotask"

    # Deactivated (Autotask gave up calling): verified, then shown to the admin.
    hook_id = hooks["ConfigurationItemWebhooks"][0]["id"]
    notice = json.dumps({"Action": "Deactivated", "EntityType": "ConfigurationItemWebhook",
                         "Id": hook_id, "Fields": {}, "SequenceNumber": 10_001,
                         "EventTime": datetime.now(UTC).isoformat()}).encode()  # fmt: skip
    told = httpx.post(endpoint, content=notice, headers={"X-Hook-Signature": _sign(secret, notice)})
    assert told.status_code == 200 and told.json()["status"] == "deactivated"
    webhooks = connected.get("/integrations/autotask/webhooks").json
    gone = [s for s in webhooks["subscriptions"] if s["deactivated_at"]]
    assert [s["stream"] for s in gone] == ["configuration_items"] and webhooks["deactivated"]

    # Disabling the integration removes the webhooks in Autotask.
    off = connected.put("/integrations/autotask", {"settings": {}, "enabled": False})
    assert off.status_code == 200 and off.json["webhooks_message"] == "Webhooks removed."
    assert all(not sandbox.records(h) for h in HOOKS)
    assert connected.get("/integrations/autotask/webhooks").json["subscriptions"] == []
