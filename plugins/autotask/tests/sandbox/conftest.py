"""Fixtures of the Autotask sandbox fidelity suite.

``sandbox`` is one small sandbox shared by the whole session for read-only
tests; tests that change data or behaviour use ``fresh`` (a new sandbox of
their own, ~0.1 s to build). ``api`` / ``client_for`` give httpx clients
that send the sandbox's credentials to its zone URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from hub_autotask.sandbox import Sandbox

EVERYTHING = [{"op": "gte", "field": "id", "value": 0}]


def auth_headers(sb: Sandbox) -> dict[str, str]:
    """Return the three Autotask authentication headers for ``sb``."""
    creds = sb.credentials
    return {
        "ApiIntegrationCode": creds["integration_code"],
        "UserName": creds["username"],
        "Secret": creds["secret"],
    }


def make_client(sb: Sandbox, **kwargs: object) -> httpx.Client:
    """Return a client on ``sb``'s zone URL with its credentials."""
    return httpx.Client(base_url=sb.zone_url, headers=auth_headers(sb), timeout=10, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """A shared, read-mostly small sandbox."""
    with Sandbox(scale="small", seed=1, throttle_scale=0.01) as sb:
        yield sb


@pytest.fixture()
def fresh() -> Iterator[Sandbox]:
    """A sandbox of the test's own, for tests that change data or knobs."""
    with Sandbox(scale="small", seed=2, throttle_scale=0.01, webhook_retry_seconds=0.05) as sb:
        yield sb


@pytest.fixture()
def api(sandbox: Sandbox) -> Iterator[httpx.Client]:
    """A client of the shared sandbox."""
    with make_client(sandbox) as client:
        yield client


@pytest.fixture()
def client_for() -> Iterator[Callable[[Sandbox], httpx.Client]]:
    """Return a factory of clients for any sandbox; closes them afterwards."""
    clients: list[httpx.Client] = []

    def factory(sb: Sandbox) -> httpx.Client:
        client = make_client(sb)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()


def query_all(client: httpx.Client, entity: str, body: dict[str, object]) -> list[dict]:
    """Page through a POST query by following nextPageUrl; return every item."""
    items: list[dict] = []
    answer = client.post(f"V1.0/{entity}/query", json=body)
    while True:
        assert answer.status_code == 200, answer.text
        data = answer.json()
        items.extend(data["items"])
        next_url = data["pageDetails"]["nextPageUrl"]
        if not next_url:
            return items
        answer = client.post(next_url, json=body)
