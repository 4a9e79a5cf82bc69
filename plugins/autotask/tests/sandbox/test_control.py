"""The control surface over HTTP mirrors the Python control methods."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from hub_autotask.sandbox import Sandbox


def test_info_and_records(fresh: Sandbox) -> None:
    info = httpx.get(fresh.control_url).json()
    assert info["credentials"] == fresh.credentials and info["zone_url"] == fresh.zone_url
    records = httpx.get(f"{fresh.control_url}records/Companies").json()
    assert records == fresh.records("Companies")
    assert httpx.get(f"{fresh.control_url}records/Companies/0").json()["id"] == 0
    assert httpx.get(f"{fresh.control_url}nope").status_code == 404


def test_update_create_touch_and_delete(fresh: Sandbox) -> None:
    base = fresh.control_url
    before = fresh.record("Companies", 174)
    assert before is not None
    after = httpx.patch(f"{base}records/Companies/174", json={"city": "Köln"}).json()
    assert after["city"] == "Köln"
    assert after["lastTrackedModifiedDateTime"] > before["lastTrackedModifiedDateTime"]
    created = httpx.post(
        f"{base}records/ConfigurationItemTypes", json={"name": "Drone", "isActive": True}
    ).json()["id"]
    assert fresh.record("ConfigurationItemTypes", created)["name"] == "Drone"
    touched = httpx.post(f"{base}touch/ConfigurationItems", json={"fraction": 0.1}).json()
    assert len(touched["touched"]) == 150
    deleted = httpx.post(f"{base}delete/Tickets", json={"count": 3}).json()["deleted"]
    logs = {log["ticketID"] for log in fresh.records("DeletedTicketLogs")}
    assert set(deleted) <= logs
    assert all(fresh.record("Tickets", i) is None for i in deleted)
    bad = httpx.patch(f"{base}records/Companies/174", json={"noSuchField": 1})
    assert bad.status_code == 400


def test_knobs_over_http(fresh: Sandbox, client_for: Callable[[Sandbox], httpx.Client]) -> None:
    base = fresh.control_url
    client = client_for(fresh)
    httpx.post(f"{base}faults", json={"rate": 1.0, "kinds": ["429"]})
    assert client.get("V1.0/Companies/0").status_code == 429
    httpx.post(f"{base}faults", json={"rate": 0.0})
    httpx.post(f"{base}deny/Companies")
    assert client.get("V1.0/Companies/0").status_code == 500
    httpx.post(f"{base}allow/Companies")
    httpx.post(f"{base}usage", json={"count": 42})
    assert httpx.get(f"{base}usage").json() == {"count": 42}
    httpx.post(f"{base}latency", json={"ms": 0})
    httpx.post(f"{base}limits", json={"thread_limit": 5})
    assert fresh.limiter.limit == 5
    old = fresh.zone_url
    new = httpx.post(f"{base}zone/move").json()["zone_url"]
    assert new != old and client.get(f"{old}V1.0/Companies/0").status_code == 401
    stats = httpx.get(f"{base}stats").json()
    assert stats["total"] >= 3 and "GET /V1.0/Companies/{id}" in stats["calls"]
    httpx.post(f"{base}stats/reset")
    assert httpx.get(f"{base}stats").json()["total"] == 0


def test_received_writes(fresh: Sandbox, client_for: Callable[[Sandbox], httpx.Client]) -> None:
    client = client_for(fresh)
    client.patch("V1.0/Companies", json={"id": 174, "phone": "+1 555 1234"})
    writes = httpx.get(f"{fresh.control_url}writes").json()
    assert writes == fresh.received_writes()
    assert writes[0]["method"] == "PATCH" and writes[0]["path"] == "/V1.0/Companies"
    assert writes[0]["body"] == {"id": 174, "phone": "+1 555 1234"}
