"""The plugin's hooks: registered under "autotask", silent for every other connector."""

from __future__ import annotations

from hub_autotask import plugin
from hub_autotask.settings import AutotaskSettings

from hub import plugins
from hub.connector import FreeGate


def test_registered_with_autotask_limits() -> None:
    """The connector declares Autotask's thread limit and hourly quota."""
    info = plugins.connectors()["autotask"]
    assert info.settings_schema is AutotaskSettings
    assert info.max_concurrency == 3 and info.hourly_call_limit == 10_000
    assert info.can_be_primary and info.kind == "psa"


def test_hooks_answer_none_for_other_connectors() -> None:
    """Firstresult hooks must fall through to their owner."""
    gate, other = FreeGate(), "itglue_stub"
    assert plugin.hub_check_connection(other, {}, gate) is None
    assert plugin.hub_list_streams(other) is None
    assert plugin.hub_plan_pull(other, {}, "x", None, False, gate) is None
    assert plugin.hub_count(other, {}, "x", None, gate) is None
    assert plugin.hub_deleted_ids(other, {}, "x", "2026-01-01", gate) is None
    assert plugin.hub_pull_page(other, {}, "x", {}, gate) is None
    assert plugin.hub_field_metadata(other, {}, "x", gate) is None
    assert plugin.hub_write_back(other, {}, "x", "1", {}, {}, gate) is None
    assert plugin.hub_register_webhooks(other, {}, "u", [], gate) is None
    assert plugin.hub_unregister_webhooks(other, {}, [], gate) is None
    assert plugin.hub_verify_webhook(other, [], {}, b"") is None
    assert gate.calls == 0


def test_connector_hooks_are_implemented() -> None:
    """The Autotask plugin is the reference: it implements the connector hooks."""
    implemented = {name for name in dir(plugin) if name.startswith("hub_")}
    specs = {name for name in dir(plugins.pm.hook) if name.startswith("hub_")}
    assert implemented <= specs, "a hook the core does not declare"
    assert {
        "hub_check_connection",
        "hub_list_streams",
        "hub_plan_pull",
        "hub_count",
        "hub_deleted_ids",
        "hub_pull_page",
        "hub_field_metadata",
        "hub_write_back",
        "hub_register_webhooks",
        "hub_unregister_webhooks",
        "hub_verify_webhook",
    } <= implemented
