"""Tests of the stub's hook implementations: they answer for ``itglue_stub`` only."""

from __future__ import annotations

from typing import Any

from hub_itglue_stub import plugin
from hub_itglue_stub.settings import ItGlueSettings

from hub.connector import ConnectorInfo, WebhookRegistration
from hub.testing import CountingGate


def test_registers_one_documentation_connector() -> None:
    seen: list[ConnectorInfo] = []
    plugin.hub_register_connectors(register=seen.append)
    (info,) = seen
    assert (info.name, info.label, info.kind) == ("itglue_stub", "IT Glue (stub)", "documentation")
    assert info.can_be_primary and info.settings_schema is ItGlueSettings


def test_other_connectors_get_none(settings: dict[str, Any]) -> None:
    gate = CountingGate()
    cursor: dict[str, Any] = {}
    registrations: list[WebhookRegistration] = []
    assert plugin.hub_list_streams(connector="other") is None
    assert plugin.hub_check_connection(connector="other", settings=settings, gate=gate) is None
    assert plugin.hub_plan_pull("other", settings, "contacts", None, False, gate) is None
    assert plugin.hub_pull_page("other", settings, "contacts", cursor, gate) is None
    assert plugin.hub_field_metadata("other", settings, "contacts", gate) is None
    assert plugin.hub_write_back("other", settings, "contacts", "1", {}, {}, gate) is None
    assert plugin.hub_register_webhooks("other", settings, "https://x", [], gate) is None
    assert plugin.hub_unregister_webhooks("other", settings, registrations, gate) is None
    assert plugin.hub_verify_webhook("other", registrations, {}, b"") is None
    assert gate.total == 0


def test_own_connector_answers(settings: dict[str, Any]) -> None:
    streams = plugin.hub_list_streams(connector="itglue_stub")
    assert streams is not None and len(streams) == 7
    plan = plugin.hub_plan_pull("itglue_stub", settings, "contacts", None, False, CountingGate())
    assert plan is not None and plan.total == 80
