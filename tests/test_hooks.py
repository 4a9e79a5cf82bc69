"""One test per hook, each through the hub's facade against the ``itglue_stub`` plugin.

``tests/test_hook_docs.py`` checks that every hookspec has a ``test_hook_<name>``
test; these are they. ``hub_sandbox_commands`` is tested against the Autotask
plugin, the one that ships a sandbox.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hub import hookimpl, plugins
from hub.connector import (
    ConnectorInfo,
    DemoIntegration,
    PicklistValue,
    WebhookRegistration,
    secret_fields,
)
from hub.connectors import Connector, all_connectors, get_connector
from hub.errors import AuthenticationFailed
from hub.testing import CountingGate

STUB = "itglue_stub"


@pytest.fixture
def stub() -> Connector:
    """The stub connector through the facade."""
    return get_connector(STUB)


@pytest.fixture
def settings(stub: Connector) -> dict[str, Any]:
    """Validated stub settings with small pages."""
    return stub.validate_settings({"api_key": "ITG.demo", "page_size": 25})


@pytest.fixture
def gate() -> CountingGate:
    """A gate that counts every call."""
    return CountingGate()


@pytest.fixture
def _fresh_stub_data() -> Iterator[None]:
    """Forget the stub's written-back values after the test."""
    dataset = importlib.import_module("hub_itglue_stub.dataset")
    yield
    dataset.reset()


def test_hook_hub_register_connectors() -> None:
    info = plugins.connectors()[STUB]
    assert isinstance(info, ConnectorInfo)
    assert (info.label, info.kind, info.can_be_primary) == ("IT Glue (stub)", "documentation", True)
    assert secret_fields(info.settings_schema) == ["api_key"]
    assert STUB in [c.name for c in all_connectors()]


def test_hook_hub_register_connectors_shows_in_plugin_infos() -> None:
    (info,) = [p for p in plugins.plugin_infos() if p.name == STUB]
    assert info.distribution == "hub-itglue-stub"
    assert "hub_register_connectors" in info.hooks and "hub_pull_page" in info.hooks


def test_hook_hub_check_connection(
    stub: Connector, settings: dict[str, Any], gate: CountingGate
) -> None:
    report = stub.check_connection(settings, gate)
    assert report.ok and report.message == "Connected to https://api.itglue.com."
    assert {e.stream for e in report.entities} == {s.name for s in stub.streams()}
    assert gate.total == 1 + len(report.entities)


def test_hook_hub_check_connection_per_stream_denial(stub: Connector, gate: CountingGate) -> None:
    settings = stub.validate_settings({"api_key": "ITG.denied-configurations"})
    report = stub.check_connection(settings, gate)
    assert not report.ok
    assert [e.stream for e in report.entities if not e.readable] == ["configurations"]


def test_hook_hub_check_connection_bad_key(stub: Connector, gate: CountingGate) -> None:
    report = stub.check_connection(stub.validate_settings({"api_key": "wrong"}), gate)
    assert not report.ok and "rejected the API key" in report.message


def test_hook_hub_list_streams(stub: Connector) -> None:
    streams = {s.name: s for s in stub.streams()}
    assert streams["configurations"].hub_model == "asset"
    assert streams["configurations"].change_field == "updated-at"
    assert stub.stream("organization_types").change_field is None


def test_hook_hub_plan_pull(stub: Connector, settings: dict[str, Any], gate: CountingGate) -> None:
    plan = stub.plan_pull(settings, "configurations", None, gate)
    assert plan.total == 200
    assert len(plan.cursors) == 2
    ids_plan = stub.plan_pull(settings, "contacts", "2025-01-01T00:00:00Z", gate, ids_only=True)
    assert ids_plan.total is not None and 0 < ids_plan.total < 80
    assert all(c["ids_only"] for c in ids_plan.cursors)


def test_hook_hub_count(stub: Connector, settings: dict[str, Any], gate: CountingGate) -> None:
    assert stub.count(settings, "configurations", gate) == 200
    since = "2025-01-01T00:00:00Z"
    changed = stub.count(settings, "contacts", gate, since=since)
    assert changed == stub.plan_pull(settings, "contacts", since, gate).total
    assert gate.per_endpoint["configurations"] == 1


def test_hook_hub_default_mappings() -> None:
    from hub.apply.config import default_mappings

    mappings = {m.model: m for m in default_mappings(STUB)}
    assert mappings["asset"].stream == "configurations"
    assert mappings["asset"].references["company_id"] == ("organizations", "organization-id")
    order = [m.model for m in default_mappings(STUB)]
    assert order.index("company") < order.index("contact") < order.index("asset")


def test_hook_hub_pull_page(stub: Connector, settings: dict[str, Any], gate: CountingGate) -> None:
    cursor = stub.plan_pull(settings, "organizations", None, gate).cursors[0]
    first = stub.pull_page(settings, "organizations", cursor, gate)
    assert len(first.records) == 25 and first.next_cursor is not None
    second = stub.pull_page(settings, "organizations", first.next_cursor, gate)
    assert len(second.records) == 5 and second.next_cursor is None
    assert gate.per_endpoint["organizations"] == 3


def test_hook_hub_field_metadata(
    stub: Connector, settings: dict[str, Any], gate: CountingGate
) -> None:
    fields = {f.name: f for f in stub.field_metadata(settings, "organizations", gate)}
    assert PicklistValue("101", "Customer") in fields["organization-type-id"].picklist
    assert fields["custom-fields.portal-pin"].is_custom
    assert fields["custom-fields.portal-pin"].is_protected


@pytest.mark.usefixtures("_fresh_stub_data")
def test_hook_hub_write_back(stub: Connector, settings: dict[str, Any], gate: CountingGate) -> None:
    cursor = stub.plan_pull(settings, "configurations", None, gate).cursors[0]
    record = stub.pull_page(settings, "configurations", cursor, gate).records[0]
    field, remote_id, stream = "warranty-expires-at", record["id"], "configurations"
    read = {field: record[field]}
    written = stub.write_back(settings, stream, remote_id, {field: "2030-01-31"}, read, gate)
    assert written is not None and written.status == "written"
    again = stub.pull_page(settings, stream, cursor, gate).records[0]
    assert again[field] == "2030-01-31"
    stale = stub.write_back(settings, stream, remote_id, {field: "2031-01-31"}, read, gate)
    assert stale is not None and stale.status == "skipped"
    assert stale.remote_value == "2030-01-31"
    refused = stub.write_back(settings, "contacts", "1", {"name": "x"}, {}, gate)
    assert refused is not None and refused.status == "failed"


def test_hook_hub_register_webhooks(
    stub: Connector, settings: dict[str, Any], gate: CountingGate
) -> None:
    registrations = stub.register_webhooks(
        settings, "https://hub.example/webhooks/7", ["configurations", "contacts"], gate
    )
    assert registrations is not None
    assert [r.stream for r in registrations] == ["configurations", "contacts"]
    assert registrations[0].secret != registrations[1].secret


def test_hook_hub_unregister_webhooks(
    stub: Connector, settings: dict[str, Any], gate: CountingGate
) -> None:
    registrations = [WebhookRegistration("contacts", "wh-1", "secret-1")]
    assert stub.unregister_webhooks(settings, registrations, gate) is True
    assert gate.per_endpoint["webhooks"] == 1


def test_hook_hub_verify_webhook(stub: Connector) -> None:
    registration = WebhookRegistration("configurations", "wh-1", "a-long-webhook-secret")
    body = json.dumps(
        {"type": "configurations", "id": "42", "action": "update", "sequence": 3}
    ).encode()
    signature = hmac.new(registration.secret.encode(), body, hashlib.sha256).hexdigest()
    event = stub.verify_webhook([registration], {"X-Itglue-Signature": signature}, body)
    assert event is not None
    assert (event.stream, event.remote_id, event.action, event.sequence) == (
        "configurations",
        "42",
        "update",
        3,
    )
    with pytest.raises(AuthenticationFailed):
        stub.verify_webhook([registration], {"X-Itglue-Signature": "0" * 64}, body)
    with pytest.raises(AuthenticationFailed):
        stub.verify_webhook([registration], {}, body)


class _DemoPlugin:
    """A plugin that offers the stub, as a secondary integration, to ``hub demo``."""

    @hookimpl
    def hub_demo_integrations(self, register: Callable[[DemoIntegration], None]) -> None:
        register(DemoIntegration(STUB, {"api_key": "ITG.demo"}, primary=False))
        register(DemoIntegration(STUB, {"api_key": "ITG.primary"}, primary=True))


def test_hook_hub_demo_integrations() -> None:
    demo = importlib.import_module("hub.demo")
    plugins.register_plugin(_DemoPlugin(), "test-demo")
    try:
        offered = [d for d in demo.demo_integrations() if d.connector == STUB]
    finally:
        plugins.unregister_plugin("test-demo")
    pairs = [(d.settings["api_key"], d.primary) for d in offered]
    assert ("ITG.primary", True) in pairs and ("ITG.demo", False) in pairs
    assert pairs.index(("ITG.primary", True)) < pairs.index(("ITG.demo", False))
    for d in offered:  # what a plugin offers must be valid settings for its connector
        get_connector(d.connector).validate_settings(d.settings)


def test_hook_hub_sandbox_commands() -> None:
    try:
        importlib.import_module("hub_autotask.sandbox.cli")
    except ImportError as exc:
        pytest.skip(f"the Autotask sandbox CLI does not import yet: {exc}")
    commands = plugins.sandbox_commands()
    assert "autotask" in commands
    assert commands["autotask"].name == "autotask"


def test_hook_hub_fetch_records(
    stub: Connector, settings: dict[str, Any], gate: CountingGate
) -> None:
    first, second = (r["id"] for r in importlib.import_module("hub_itglue_stub.dataset")
                     .records("configurations")[:2])  # fmt: skip
    found = stub.fetch_records(
        settings, "configurations", [str(first), "no-such-id", str(second)], gate
    )
    assert [r["id"] for r in found] == [first, second]
    assert gate.per_endpoint["configurations"] == 1
