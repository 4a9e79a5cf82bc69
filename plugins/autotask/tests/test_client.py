"""The client against the sandbox: every response class, retries, the gate, the URL rules."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from hub_autotask import client as client_module
from hub_autotask.client import AutotaskClient, Credentials, endpoint_of
from hub_autotask.sandbox import Sandbox
from hub_autotask.streams import stream

from hub.connectors import get_connector
from hub.errors import (
    AuthenticationFailed,
    ConfigurationError,
    ConnectionFailed,
    HubError,
    PermissionDenied,
    RateLimited,
)
from hub.testing import CountingGate

EVERYTHING = [{"op": "gte", "field": "id", "value": 0}]


class HealingGate(CountingGate):
    """A counting gate that runs ``heal`` once ``after`` calls have been made."""

    def __init__(self, after: int, heal: Callable[[], None]) -> None:
        super().__init__()
        self.after, self.heal = after, heal

    @contextlib.contextmanager
    def call(self, endpoint: str) -> Iterator[None]:
        """Count the call; heal the sandbox once enough calls failed."""
        try:
            with super().call(endpoint):
                yield
        finally:
            if self.calls == self.after:
                self.heal()


class SemaphoreGate(CountingGate):
    """A counting gate that, like the core's, lets at most ``limit`` calls per endpoint in."""

    def __init__(self, limit: int = 3) -> None:
        super().__init__()
        self.limit = limit
        self.slots: dict[str, threading.Semaphore] = {}
        self.guard = threading.Lock()

    @contextlib.contextmanager
    def call(self, endpoint: str) -> Iterator[None]:
        """Wait for a slot on ``endpoint``, then count the call."""
        with self.guard:
            slot = self.slots.setdefault(endpoint, threading.Semaphore(self.limit))
        with slot, super().call(endpoint):
            yield


def count_companies(settings: dict[str, Any], gate: CountingGate) -> int:
    """One gated call."""
    return AutotaskClient(settings).count(gate, "Companies", EVERYTHING)


def statuses(sb: Sandbox) -> dict[str, int]:
    """Return the sandbox's answers by status."""
    return dict(sb.stats()["by_status"])


@pytest.mark.parametrize("kind", ["429", "500", "drop"])
def test_transient_faults_are_retried_until_they_pass(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any], kind: str
) -> None:
    """Injected 429s, 500s with an errorId and dropped connections: retried, then answered."""
    expected = len(fresh_sandbox.records("Companies"))
    fresh_sandbox.set_faults(rate=1.0, kinds=[kind])
    gate = HealingGate(after=3, heal=lambda: fresh_sandbox.set_faults(rate=0.0))
    assert count_companies(fresh_settings, gate) == expected
    assert gate.per_endpoint["Companies"] == 4  # three failures, one success, all gated
    assert gate.in_flight == 0


def test_thread_threshold_is_retried(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any]
) -> None:
    """Itgenatr005 (thread limit reached, e.g. by another integration) is waited out."""
    fresh_sandbox.set_limits(thread_limit=0)
    gate = HealingGate(after=2, heal=lambda: fresh_sandbox.set_limits(thread_limit=3))
    assert count_companies(fresh_settings, gate) > 0
    assert statuses(fresh_sandbox).get("429") == 2


@pytest.mark.parametrize(("kind", "error"), [("429", RateLimited), ("500", ConnectionFailed)])
def test_attempts_are_bounded(
    fresh_sandbox: Sandbox,
    fresh_settings: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    error: type[HubError],
) -> None:
    """When faults persist the client gives up after HUB_AUTOTASK_MAX_ATTEMPTS tries."""
    monkeypatch.setenv("HUB_AUTOTASK_MAX_ATTEMPTS", "4")
    fresh_sandbox.set_faults(rate=1.0, kinds=[kind])
    gate = CountingGate()
    with pytest.raises(error) as caught:
        count_companies(fresh_settings, gate)
    assert gate.calls == 4
    assert fresh_settings["secret"] not in str(caught.value)


def test_timeouts_are_retried_then_reported(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sandbox slower than the client's timeout: retried, then a ConnectionFailed."""
    monkeypatch.setenv("HUB_AUTOTASK_TIMEOUT_SECONDS", "0.1")
    monkeypatch.setenv("HUB_AUTOTASK_MAX_ATTEMPTS", "2")
    fresh_sandbox.set_latency(400)
    gate = CountingGate()
    with pytest.raises(ConnectionFailed, match="timed out"):
        count_companies(fresh_settings, gate)
    assert gate.calls == 2
    time.sleep(0.5)  # the sandbox still works on the abandoned calls, holding thread slots
    heal = HealingGate(after=1, heal=lambda: fresh_sandbox.set_latency(0))
    assert count_companies(fresh_settings, heal) > 0
    assert heal.calls == 2


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ({"secret": "Wrong-Secret-123"}, "rejected the API user's credentials"),
        ({"integration_code": "NOT-THE-CODE"}, "API tracking identifier"),
    ],
)
def test_bad_credentials_are_authentication_failures(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any], override: dict[str, str], words: str
) -> None:
    """401 for a wrong secret, 500 for a bad integration code: never retried, never leaking."""
    settings = {**fresh_settings, **override}
    gate = CountingGate()
    with pytest.raises(AuthenticationFailed, match=words) as caught:
        count_companies(settings, gate)
    assert gate.calls == 1
    assert fresh_settings["secret"] not in str(caught.value)
    assert "Wrong-Secret-123" not in str(caught.value)


def test_unknown_user_on_a_configured_zone(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any]
) -> None:
    """With the zone URL set by the tenant, an unknown user is Autotask's 500: an auth failure."""
    settings = {
        **fresh_settings,
        "username": "stranger@example.com",
        "zone_url": fresh_sandbox.zone_url,
    }
    with pytest.raises(AuthenticationFailed, match="does not know this API user"):
        count_companies(settings, CountingGate())


def test_permission_denial_names_the_entity_and_the_fix(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any]
) -> None:
    """Autotask's permission 500 becomes PermissionDenied in the admin's words."""
    fresh_sandbox.deny("Contracts")
    with pytest.raises(PermissionDenied) as caught:
        AutotaskClient(fresh_settings).count(CountingGate(), "Contracts", EVERYTHING)
    assert "cannot read Contracts: give its security level Contracts View = All" in str(
        caught.value
    )


def test_business_rule_errors_carry_autotask_words(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any]
) -> None:
    """A query on an unknown field is Autotask's 500: not retried, the message kept."""
    gate = CountingGate()
    bad = [{"op": "eq", "field": "noSuchField", "value": 1}]
    with pytest.raises(ConnectionFailed, match="noSuchField") as caught:
        AutotaskClient(fresh_settings).count(gate, "Companies", bad)
    assert type(caught.value) is ConnectionFailed
    assert gate.calls == 1


def test_credentials_only_go_to_the_zone_origin(fresh_settings: dict[str, Any]) -> None:
    """An absolute URL on another origin (a forged nextPageUrl) is refused before sending."""
    gate = CountingGate()
    client = AutotaskClient(fresh_settings)
    with pytest.raises(ConfigurationError, match="not on the zone's origin"):
        client.call(gate, "POST", "http://attacker.example/V1.0/Companies/query/next", body={})
    assert gate.calls == 0


def test_zone_url_setting_follows_the_same_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tenant's zone URL on http or off autotask.net is refused without the operator switch."""
    monkeypatch.delenv("HUB_AUTOTASK_ZONE_LOOKUP_URL", raising=False)
    base = {"username": "u@example.com", "secret": "x" * 10, "integration_code": "C"}
    for url in ("http://webservices5.autotask.net/ATServicesRest/", "https://example.com/"):
        with pytest.raises(ConfigurationError, match="only sent to https"):
            AutotaskClient({**base, "zone_url": url})
    assert AutotaskClient({**base, "zone_url": "https://webservices5.autotask.net/ATServicesRest"})


def test_operator_integration_code_is_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blank integration code uses HUB_AUTOTASK_INTEGRATION_CODE; the tenant's own wins."""
    base = {"username": "u@example.com", "secret": "x" * 10}
    monkeypatch.setenv("HUB_AUTOTASK_INTEGRATION_CODE", "VENDOR")
    assert Credentials.from_settings({**base, "integration_code": ""}).integration_code == "VENDOR"
    assert Credentials.from_settings({**base, "integration_code": "OWN"}).integration_code == "OWN"
    monkeypatch.delenv("HUB_AUTOTASK_INTEGRATION_CODE")
    with pytest.raises(ConfigurationError, match="integration code"):
        Credentials.from_settings({**base, "integration_code": ""})


def test_one_keep_alive_http_client_per_zone_and_credentials(
    fresh_settings: dict[str, Any],
) -> None:
    """Clients are reused across calls and hooks; other credentials get their own."""
    gate = CountingGate()
    first = AutotaskClient(fresh_settings)
    first.count(gate, "Companies", EVERYTHING)
    policy = first.policy
    http = client_module._http_for(first.zone, first.credentials, policy)
    AutotaskClient(fresh_settings).count(gate, "Companies", EVERYTHING)
    assert client_module._http_for(first.zone, first.credentials, policy) is http
    other = Credentials.from_settings({**fresh_settings, "secret": "another"})
    assert client_module._http_for(first.zone, other, policy) is not http


def test_concurrency_stays_within_three_per_endpoint(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any]
) -> None:
    """Six threads pull at once through a 3-slot gate: the sandbox never sees a 4th call."""
    fresh_sandbox.set_latency(20)
    fresh_sandbox.reset_stats()
    gate = SemaphoreGate(limit=3)
    connector = get_connector("autotask")

    def pull(name: str) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        for cursor in connector.plan_pull(fresh_settings, name, None, gate).cursors:
            next_cursor: dict[str, Any] | None = cursor
            while next_cursor is not None:
                page = connector.pull_page(fresh_settings, name, next_cursor, gate)
                records.extend(page.records)
                next_cursor = page.next_cursor
        return records

    names = ["configuration_items", "tickets"] * 3
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(pull, names))
    assert [len(r) for r in results[:2]] == [
        len(fresh_sandbox.records("ConfigurationItems")),
        len(fresh_sandbox.records("Tickets")),
    ]
    assert gate.max_concurrency <= 3
    assert max(fresh_sandbox.stats()["peak_concurrency"].values()) <= 3
    assert "429" not in statuses(fresh_sandbox)
    assert stream("tickets").entity in gate.per_endpoint


def test_endpoint_is_the_object_endpoint() -> None:
    """Child paths count against their top-level object endpoint, as the thread limit does."""
    assert endpoint_of("Companies/12/Contacts") == "Companies"
    assert endpoint_of("/ThresholdInformation") == "ThresholdInformation"
