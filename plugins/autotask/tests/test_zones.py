"""Zone discovery: looked up once per user, cached process-wide, looked up again after a move."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from hub_autotask import zones
from hub_autotask.client import AutotaskClient
from hub_autotask.sandbox import Sandbox

from hub.errors import AuthenticationFailed, ConfigurationError
from hub.testing import CountingGate


def lookups(sb: Sandbox) -> int:
    """Return how many zone lookups ``sb`` answered."""
    return sum(sb.stats()["calls"].get("GET zoneInformation", {}).values())


def test_zone_is_discovered_and_cached_across_clients_and_threads(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any]
) -> None:
    """Eight threads and two clients share one lookup; the URL is the sandbox's zone."""
    username = fresh_settings["username"]
    with ThreadPoolExecutor(8) as pool:
        found = set(pool.map(lambda _: zones.zone_url(username), range(8)))
    assert found == {fresh_sandbox.zone_url}
    for _ in range(2):
        AutotaskClient(fresh_settings).count(CountingGate(), "Companies", [])
    assert lookups(fresh_sandbox) == 1
    assert zones.cached(username.upper()) == fresh_sandbox.zone_url  # per user, any case


def test_moved_tenant_is_looked_up_again_once_on_401(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any]
) -> None:
    """After a zone move the old zone answers 401; the client re-looks up and carries on."""
    gate = CountingGate()
    client = AutotaskClient(fresh_settings)
    everything = [{"op": "gte", "field": "id", "value": 0}]
    before = client.count(gate, "Companies", everything)
    old = client.zone
    new = fresh_sandbox.move_zone()
    assert new != old
    assert AutotaskClient(fresh_settings).count(gate, "Companies", everything) == before
    assert zones.cached(fresh_settings["username"]) == new
    assert lookups(fresh_sandbox) == 2
    assert fresh_sandbox.stats()["calls"]["unknown zone"] == {"401": 1}


def test_401_in_the_right_zone_fails_after_one_lookup(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any]
) -> None:
    """A wrong secret is not retried: one re-lookup finds the same zone, then it fails."""
    bad = {**fresh_settings, "secret": "definitely-wrong-secret"}
    with pytest.raises(AuthenticationFailed) as caught:
        AutotaskClient(bad).count(CountingGate(), "Companies", [])
    assert "definitely-wrong-secret" not in str(caught.value)
    assert lookups(fresh_sandbox) == 2
    assert sum(fresh_sandbox.stats()["by_status"].get(k, 0) for k in ("401",)) == 1


@pytest.mark.usefixtures("fresh_sandbox")
def test_unknown_user_is_an_authentication_failure() -> None:
    """Autotask's lookup answers 500 "Zone information could not be determined"."""
    with pytest.raises(AuthenticationFailed, match="does not know the API user"):
        zones.zone_url("nobody@example.invalid")


@pytest.fixture
def fake_lookup(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[httpx.Request]]:
    """Replace the lookup's HTTP client by one that answers a zone on another host."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"zoneName": "x", "url": "https://evil.example/Rest/"})

    monkeypatch.setenv("HUB_AUTOTASK_ZONE_LOOKUP_URL", "https://lookup.test/atservicesrest/")
    client = httpx.Client(transport=httpx.MockTransport(handler))
    monkeypatch.setattr(zones, "_lookup_client", client)
    yield seen
    client.close()


def test_a_lookup_answering_a_foreign_host_is_refused(fake_lookup: list[httpx.Request]) -> None:
    """The zone a lookup returns passes the same URL policy; no credentials go to the lookup."""
    with pytest.raises(ConfigurationError, match="refused"):
        zones.zone_url("someone@example.com", refresh=True)
    (request,) = fake_lookup
    assert request.url.params["user"] == "someone@example.com"
    assert not {"secret", "apiintegrationcode"} & {k.lower() for k in request.headers}
