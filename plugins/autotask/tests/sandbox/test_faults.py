"""Injected faults and permission denials."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest
from hub_autotask.sandbox import Sandbox

PERMISSION = (
    "The logged in Resource does not have the adequate permissions to query this entity type."
)


@pytest.fixture()
def client(fresh: Sandbox, client_for: Callable[[Sandbox], httpx.Client]) -> httpx.Client:
    return client_for(fresh)


def test_injected_429(fresh: Sandbox, client: httpx.Client) -> None:
    fresh.set_faults(rate=1.0, kinds=["429"])
    assert client.get("V1.0/Companies/0").status_code == 429


def test_injected_500_carries_error_id(fresh: Sandbox, client: httpx.Client) -> None:
    fresh.set_faults(rate=1.0, kinds=["500"])
    answer = client.get("V1.0/Companies/0")
    assert answer.status_code == 500
    assert isinstance(answer.json()["errorId"], int) and answer.json()["errors"]


def test_dropped_connection(fresh: Sandbox, client: httpx.Client) -> None:
    fresh.set_faults(rate=1.0, kinds=["drop"])
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("V1.0/Companies/0")
    assert fresh.stats()["by_status"] == {"0": 1}


def test_slow_answer(fresh: Sandbox, client: httpx.Client) -> None:
    fresh.set_faults(rate=1.0, kinds=["slow"], slow_ms=300)
    started = time.perf_counter()
    assert client.get("V1.0/Companies/0").status_code == 200
    assert time.perf_counter() - started >= 0.3


def test_fault_rate_is_seeded_and_roughly_right(
    client_for: Callable[[Sandbox], httpx.Client],
) -> None:
    outcomes = []
    for _ in range(2):
        with Sandbox(seed=12, fault_rate=0.3, fault_kinds=["429", "500"]) as sb:
            client = client_for(sb)
            outcomes.append([client.get("V1.0/Companies/0").status_code for _ in range(60)])
    assert outcomes[0] == outcomes[1]
    assert 5 < sum(code != 200 for code in outcomes[0]) < 35


def test_denied_entity_answers_500_with_permission_wording(
    fresh: Sandbox, client: httpx.Client
) -> None:
    fresh.deny("Contracts")
    body = {"filter": [{"op": "gte", "field": "id", "value": 0}]}
    answer = client.post("V1.0/Contracts/query", json=body)
    assert answer.status_code == 500
    assert answer.json() == {"errors": [PERMISSION]}
    info = client.get("V1.0/Contracts/entityInformation").json()["info"]
    assert info["userAccessForQuery"] == "None"
    assert client.post("V1.0/Companies/query", json=body).status_code == 200
    fresh.allow("Contracts")
    assert client.post("V1.0/Contracts/query", json=body).status_code == 200
