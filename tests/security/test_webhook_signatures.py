"""Webhook signatures: the Autotask plugin's verify hook on every event type.

Real deliveries come from the sandbox: a Tickets webhook pointed at a
receiver that always fails sees Create, Update and Delete deliveries (each
attempt signed) and, after 25 failed attempts, the Deactivated notice. Each
one verifies with the webhook's secret and is refused when the signature is
missing, made with another key (another webhook's, another tenant's), made
for another body, or mangled. The HTTP endpoint is tested where it is built.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from hub_autotask import client as client_module
from hub_autotask.sandbox import Sandbox
from hub_autotask.webhooks import sign

from hub.connector import WebhookRegistration
from hub.connectors import get_connector
from hub.errors import AuthenticationFailed
from hub.testing import CountingGate
from tests.sandbox_fixtures import point_at

ACTIONS = {"create", "update", "delete", "deactivated"}


class FailingReceiver(ThreadingHTTPServer):
    """Records every delivery and answers 500, so Autotask retries and finally deactivates."""

    received: list[tuple[dict[str, str], bytes]]


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        assert isinstance(self.server, FailingReceiver)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append((dict(self.headers.items()), body))
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""


@pytest.fixture
def deliveries(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list[Any], list[Any]]]:
    """Real signed deliveries of every action, with the registrations that made them."""
    receiver = FailingReceiver(("127.0.0.1", 0), _Handler)
    receiver.received = []
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{receiver.server_address[1]}/webhooks/autotask/1"
    with Sandbox(scale="small", seed=5, throttle_scale=0.0, webhook_retry_seconds=0.02) as sb:
        point_at(monkeypatch, sb)
        settings = get_connector("autotask").validate_settings(sb.credentials)
        streams = ["tickets", "companies"]
        found = get_connector("autotask").register_webhooks(settings, url, streams, CountingGate())
        assert found is not None
        ticket = sb.records("Tickets")[0]
        template = {k: v for k, v in ticket.items() if k not in ("id", "userDefinedFields")}
        new_id = sb.create("Tickets", {**template, "title": "Printer on fire"})
        for n in range(3):
            sb.update("Tickets", new_id, {"title": f"Printer on fire, take {n}"})
        sb.delete("Tickets", ids=[new_id])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if any(b'"Deactivated"' in body for _, body in receiver.received):
                break
            time.sleep(0.05)
        yield found, list(receiver.received)
    client_module.close_all()
    receiver.shutdown()
    receiver.server_close()


def _verify(registrations: list[WebhookRegistration], headers: dict[str, str], body: bytes) -> Any:
    return get_connector("autotask").verify_webhook(registrations, headers, body)


def _header(headers: dict[str, str]) -> str:
    return next(v for k, v in headers.items() if k.lower() == "x-hook-signature")


def test_every_event_type_verifies_and_every_forgery_is_refused(
    deliveries: tuple[list[WebhookRegistration], list[tuple[dict[str, str], bytes]]],
) -> None:
    registrations, received = deliveries
    tickets = next(r for r in registrations if r.stream == "tickets")
    companies = next(r for r in registrations if r.stream == "companies")
    other_tenant = [WebhookRegistration("tickets", tickets.remote_id, "another-tenants-secret")]
    seen = set()
    for headers, body in received:
        event = _verify(registrations, headers, body)
        assert event.stream == "tickets"
        seen.add(event.action)
        signature = _header(headers)
        forged_body = body.replace(b'"Id"', b'"Id" ', 1) + b" "
        payload = json.loads(body)
        other_id = json.dumps({**payload, "Id": int(payload["Id"]) + 1}).encode()
        digest = signature.removeprefix("sha1=")
        forgeries: list[tuple[str, list[WebhookRegistration], dict[str, str], bytes]] = [
            ("no header", registrations, {}, body),
            ("blank header", registrations, {"X-Hook-Signature": ""}, body),
            ("another tenant's key", other_tenant, headers, body),
            ("another webhook's key", [companies],
             {"X-Hook-Signature": sign(companies.secret, body)}, body),
            ("the signature of this body on another", registrations, headers, other_id),
            ("a changed body", registrations, headers, forged_body),
            ("no sha1= prefix", registrations, {"X-Hook-Signature": digest}, body),
            ("sha256 label", registrations, {"X-Hook-Signature": "sha256=" + digest}, body),
            ("hex digest", registrations,
             {"X-Hook-Signature": "sha1=" + base64.b64decode(digest).hex()}, body),
            ("truncated", registrations, {"X-Hook-Signature": signature[:-4]}, body),
            ("signed with the empty key", registrations,
             {"X-Hook-Signature": sign("", body)}, body),
            ("no registrations", [], headers, body),
        ]  # fmt: skip
        for what, regs, forged_headers, forged in forgeries:
            with pytest.raises(AuthenticationFailed):
                _verify(regs, forged_headers, forged)
                pytest.fail(f"{event.action}: {what} was accepted")
    assert seen == ACTIONS, f"the sandbox delivered only {seen}"


def test_another_webhooks_key_cannot_vouch_for_any_event_type() -> None:
    """For each action and stream: signed with a sibling webhook's secret, it is refused."""
    streams = {"companies": "Company", "contacts": "Contact",
               "configuration_items": "ConfigurationItem", "tickets": "Ticket"}  # fmt: skip
    registrations = [WebhookRegistration(s, str(n), f"{s}-secret") for n, s in enumerate(streams)]
    for stream, entity in streams.items():
        for action in ("Create", "Update", "Delete", "Deactivated"):
            kind = f"{entity}Webhook" if action == "Deactivated" else entity
            body = json.dumps({"Action": action, "EntityType": kind, "Id": 7, "Fields": {},
                               "SequenceNumber": 1}).encode()  # fmt: skip
            good = _verify(
                registrations, {"X-Hook-Signature": sign(f"{stream}-secret", body)}, body
            )
            assert (good.stream, good.action) == (stream, action.lower())
            for other in streams:
                if other == stream:
                    continue
                headers = {"X-Hook-Signature": sign(f"{other}-secret", body)}
                with pytest.raises(AuthenticationFailed, match="another webhook's secret"):
                    _verify(registrations, headers, body)
