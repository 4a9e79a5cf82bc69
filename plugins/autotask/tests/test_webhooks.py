"""Webhooks: registered with fresh secrets and fields, verified over the raw body, removed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from hub_autotask import webhooks
from hub_autotask.sandbox import Sandbox

from hub.connector import WebhookRegistration
from hub.connectors import get_connector
from hub.errors import AuthenticationFailed, ConfigurationError, DataError
from hub.testing import CountingGate

STREAMS = ["companies", "contacts", "configuration_items", "tickets"]


class Receiver(ThreadingHTTPServer):
    """The hub's webhook endpoint, stood in for: records every delivery, answers 200."""

    received: list[tuple[dict[str, str], bytes]]


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        assert isinstance(self.server, Receiver)
        self.server.received.append((dict(self.headers.items()), body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A local HTTP server standing in for the hub's callback URL."""
    server = Receiver(("127.0.0.1", 0), _Handler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def url_of(server: Receiver) -> str:
    """Return the receiver's URL."""
    return f"http://127.0.0.1:{server.server_address[1]}/webhooks/autotask/1"


def register(settings: dict[str, Any], url: str, streams: list[str]) -> list[WebhookRegistration]:
    """Register through the hook."""
    found = get_connector("autotask").register_webhooks(settings, url, streams, CountingGate())
    assert found is not None
    return found


def wait_for(server: Receiver, count: int) -> list[tuple[dict[str, str], bytes]]:
    """Wait up to five seconds for ``count`` deliveries."""
    deadline = time.monotonic() + 5
    while len(server.received) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return server.received


def test_register_creates_webhooks_with_fields_and_fresh_secrets(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any], receiver: Receiver
) -> None:
    """One active webhook per stream, each with its own secret and subscribed fields."""
    found = register(fresh_settings, url_of(receiver), STREAMS)
    assert [r.stream for r in found] == STREAMS
    assert len({r.secret for r in found}) == 4 and all(8 < len(r.secret) <= 64 for r in found)
    hooks = fresh_sandbox.records("CompanyWebhooks")
    assert len(hooks) == 1 and hooks[0]["isActive"] and hooks[0]["webhookUrl"] == url_of(receiver)
    assert str(hooks[0]["id"]) == found[0].remote_id
    assert fresh_sandbox.records("CompanyWebhookFields"), "no subscribed field"
    assert all(f["isSubscribedField"] for f in fresh_sandbox.records("TicketWebhookFields"))


def test_a_real_delivery_verifies_and_parses(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any], receiver: Receiver
) -> None:
    """The sandbox signs an Update like Autotask; the hook verifies the raw body."""
    found = register(fresh_settings, url_of(receiver), STREAMS)
    company = fresh_sandbox.records("Companies")[0]
    fresh_sandbox.update("Companies", company["id"], {"companyName": "Renamed Ltd"})
    (headers, body), *_ = wait_for(receiver, 1)
    event = get_connector("autotask").verify_webhook(found, headers, body)
    assert event is not None
    assert (event.stream, event.remote_id, event.action) == (
        "companies",
        str(company["id"]),
        "update",
    )
    assert event.sequence == 1 and event.event_time is not None
    assert event.fields["companyName"] == "Renamed Ltd"


def signed(secret: str, payload: dict[str, Any]) -> tuple[dict[str, str], bytes]:
    """Return headers and body of a delivery signed like Autotask's."""
    body = json.dumps(payload).encode()
    digest = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha1).digest()).decode()
    return {"x-hook-signature": f"sha1={digest}"}, body


REGISTRATIONS = [
    WebhookRegistration("companies", "11", "company-secret"),
    WebhookRegistration("configuration_items", "12", "ci-secret"),
]
PAYLOAD = {
    "Action": "Create",
    "Guid": "a-guid",
    "EntityType": "ConfigurationItem",
    "Id": 4711,
    "Fields": {"serialNumber": "SN1"},
    "EventTime": "2026-05-04T10:00:00.1234567Z",
    "SequenceNumber": 9,
    "PersonID": 29682885,
}


def test_bad_and_missing_signatures_are_rejected() -> None:
    """A wrong key, a changed body or no header: AuthenticationFailed."""
    headers, body = signed("not-the-secret", PAYLOAD)
    with pytest.raises(AuthenticationFailed, match="bad signature"):
        webhooks.verify(REGISTRATIONS, headers, body)
    headers, body = signed("ci-secret", PAYLOAD)
    with pytest.raises(AuthenticationFailed):
        webhooks.verify(REGISTRATIONS, headers, body + b" ")
    with pytest.raises(AuthenticationFailed, match="without the X-Hook-Signature"):
        webhooks.verify(REGISTRATIONS, {}, body)
    event = webhooks.verify(REGISTRATIONS, headers, body)
    assert (event.stream, event.remote_id, event.action, event.sequence) == (
        "configuration_items",
        "4711",
        "create",
        9,
    )


def test_signed_with_another_streams_secret_is_rejected() -> None:
    """A Company webhook's secret cannot vouch for a ConfigurationItem event."""
    headers, body = signed("company-secret", PAYLOAD)
    with pytest.raises(AuthenticationFailed, match="another webhook's secret"):
        webhooks.verify(REGISTRATIONS, headers, body)


def test_deactivated_notice_is_verified_like_any_other() -> None:
    """The Deactivated notice names the webhook entity; it must be signed too."""
    notice = {**PAYLOAD, "Action": "Deactivated", "EntityType": "CompanyWebhook", "Id": 11}
    headers, body = signed("company-secret", notice)
    event = webhooks.verify(REGISTRATIONS, headers, body)
    assert (event.stream, event.remote_id, event.action) == ("companies", "11", "deactivated")
    with pytest.raises(AuthenticationFailed):
        webhooks.verify(REGISTRATIONS, {"X-Hook-Signature": "sha1=AAAA"}, body)


def test_signed_nonsense_is_a_data_error() -> None:
    """A correctly signed body that is not an event is a DataError."""
    for payload in (
        {"Action": "Exploded", **{k: v for k, v in PAYLOAD.items() if k != "Action"}},
        {**PAYLOAD, "EntityType": "Invoice"},
    ):
        headers, body = signed("ci-secret", payload)
        with pytest.raises((DataError, AuthenticationFailed)):
            webhooks.verify(REGISTRATIONS, headers, body)
    headers, body = signed("ci-secret", {"garbage": True})
    with pytest.raises(DataError):
        webhooks.verify(REGISTRATIONS, headers, body)


def test_unregister_deletes_and_tolerates_gone_webhooks(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any], receiver: Receiver
) -> None:
    """Deleting twice is fine: an already-removed webhook counts as removed."""
    found = register(fresh_settings, url_of(receiver), ["companies", "tickets"])
    connector = get_connector("autotask")
    assert connector.unregister_webhooks(fresh_settings, found, CountingGate())
    assert fresh_sandbox.records("CompanyWebhooks") == []
    assert fresh_sandbox.records("TicketWebhooks") == []
    assert connector.unregister_webhooks(fresh_settings, found, CountingGate())


def test_streams_without_webhooks_are_refused(settings: dict[str, Any]) -> None:
    """Contracts need polling: Autotask has no ContractWebhooks."""
    gate = CountingGate()
    with pytest.raises(ConfigurationError, match="no webhooks for 'contracts'"):
        webhooks.register(settings, "https://hub.example/webhooks/1", ["contracts"], gate)
    assert gate.calls == 0


def test_failed_registration_removes_what_it_created(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any], receiver: Receiver
) -> None:
    """If the third webhook is refused, the first two are deleted again."""
    fresh_sandbox.deny("ConfigurationItemWebhooks")
    with pytest.raises(Exception, match="security level"):
        register(fresh_settings, url_of(receiver), STREAMS)
    assert fresh_sandbox.records("CompanyWebhooks") == []
    assert fresh_sandbox.records("ContactWebhooks") == []
