"""Webhook entities, firing rules, signed callouts and retries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from hub_autotask.sandbox import Sandbox

SECRET = "s3cr3t-κλειδί"


class Receiver:
    """A local webhook endpoint recording what it receives."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append((dict(self.headers), raw))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def wait(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.calls) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return [json.loads(raw) for _, raw in self.calls]


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    rec = Receiver()
    yield rec
    rec.server.shutdown()
    rec.server.server_close()


@pytest.fixture()
def client(fresh: Sandbox, client_for: Callable[[Sandbox], httpx.Client]) -> httpx.Client:
    return client_for(fresh)


def field_ids(client: httpx.Client, entity: str) -> dict[str, int]:
    fields = client.get(f"V1.0/{entity}WebhookFields/entityInformation/fields").json()["fields"]
    picklist = next(f for f in fields if f["name"] == "fieldID")["picklistValues"]
    return {v["label"]: int(v["value"]) for v in picklist}


def make_webhook(
    client: httpx.Client,
    receiver: Receiver,
    subscribe: list[str] | None,
    entity: str = "Company",
    **extra: Any,
) -> int:
    body = {
        "name": "hub",
        "webhookUrl": receiver.url,
        "secretKey": SECRET,
        "isActive": True,
        "isSubscribedToCreateEvents": True,
        "isSubscribedToUpdateEvents": True,
        "isSubscribedToDeleteEvents": True,
        "sendThresholdExceededNotification": False,
        **extra,
    }
    hook = client.post(f"V1.0/{entity}Webhooks", json=body).json()["itemId"]
    ids = field_ids(client, entity)
    for name in subscribe or []:
        answer = client.post(
            f"V1.0/{entity}Webhooks/{hook}/Fields",
            json={"fieldID": ids[name], "isSubscribedField": True},
        )
        assert answer.status_code == 200, answer.text
    return hook


def test_webhook_entities_round_trip(
    fresh: Sandbox, client: httpx.Client, receiver: Receiver
) -> None:
    hook = make_webhook(client, receiver, ["companyName"])
    item = client.get(f"V1.0/CompanyWebhooks/{hook}").json()["item"]
    assert item["isReady"] is True and item["webhookGUID"] and item["ownerResourceID"]
    fields = client.get(f"V1.0/CompanyWebhooks/{hook}/Fields").json()["items"]
    assert len(fields) == 1 and fields[0]["isSubscribedField"] is True
    body = {"filter": [{"op": "gte", "field": "id", "value": 0}]}
    assert len(client.post("V1.0/CompanyWebhooks/query", json=body).json()["items"]) == 1
    assert client.delete(f"V1.0/CompanyWebhooks/{hook}").status_code == 200
    assert client.get(f"V1.0/CompanyWebhooks/{hook}").json() == {"item": None}
    assert fresh.records("CompanyWebhookFields") == []


def test_update_sends_signed_callout(
    fresh: Sandbox, client: httpx.Client, receiver: Receiver
) -> None:
    hook = make_webhook(client, receiver, ["companyName"])
    guid = client.get(f"V1.0/CompanyWebhooks/{hook}").json()["item"]["webhookGUID"]
    client.patch("V1.0/Companies", json={"id": 174, "companyName": "Renamed & Co. ✓"})
    payload = receiver.wait(1)[0]
    headers, raw = receiver.calls[0]
    expected = base64.b64encode(hmac.new(SECRET.encode(), raw, hashlib.sha1).digest()).decode()
    assert headers["X-Hook-Signature"] == f"sha1={expected}"
    assert payload["Action"] == "Update" and payload["Guid"] == guid
    assert payload["EntityType"] == "Company" and payload["Id"] == 174
    assert payload["Fields"] == {"companyName": "Renamed & Co. ✓"}
    assert payload["SequenceNumber"] == 1 and isinstance(payload["PersonID"], int)
    assert payload["EventTime"].endswith("Z")


def test_update_of_an_unsubscribed_field_does_not_fire(
    fresh: Sandbox, client: httpx.Client, receiver: Receiver
) -> None:
    make_webhook(client, receiver, ["companyName"])
    fresh.update("Companies", 174, {"phone": "+1 555 0000"})
    fresh.update("Companies", 174, {"companyName": "Now it fires"})
    assert [p["Fields"] for p in receiver.wait(1)] == [{"companyName": "Now it fires"}]
    time.sleep(0.1)
    assert len(receiver.calls) == 1


def test_no_subscribed_field_or_inactive_means_no_callout(
    fresh: Sandbox, client: httpx.Client, receiver: Receiver
) -> None:
    make_webhook(client, receiver, [])
    make_webhook(client, receiver, ["companyName"], isActive=False)
    fresh.update("Companies", 174, {"companyName": "Silent"})
    time.sleep(0.2)
    assert receiver.calls == []


def test_create_and_delete_events(fresh: Sandbox, client: httpx.Client, receiver: Receiver) -> None:
    make_webhook(client, receiver, ["lastName"], entity="Contact")
    created = client.post(
        "V1.0/Companies/174/Contacts", json={"firstName": "Ana", "lastName": "Núñez", "isActive": 1}
    )
    contact = created.json()["itemId"]
    client.delete(f"V1.0/Companies/174/Contacts/{contact}")
    payloads = receiver.wait(2)
    assert [(p["Action"], p["Id"], p["EntityType"]) for p in payloads] == [
        ("Create", contact, "Contact"),
        ("Delete", contact, "Contact"),
    ]


def test_failed_deliveries_are_retried_five_times(
    fresh: Sandbox, client: httpx.Client, receiver: Receiver
) -> None:
    receiver.status = 503
    make_webhook(client, receiver, ["location"], entity="ConfigurationItem")
    ci = fresh.records("ConfigurationItems")[0]["id"]
    fresh.touch("ConfigurationItems", 0.0001)  # another CI may be touched: only count ours
    fresh.update("ConfigurationItems", ci, {"location": "Basement"})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        ours = [d for d in fresh.webhook_deliveries() if d["entity_id"] == ci]
        if ours and ours[-1]["state"] == "dropped":
            break
        time.sleep(0.05)
    delivery = [d for d in fresh.webhook_deliveries() if d["entity_id"] == ci][-1]
    assert delivery["state"] == "dropped"
    assert [a["status"] for a in delivery["attempts"]] == [503] * 5
