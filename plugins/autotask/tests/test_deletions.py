"""Deleted tickets come from DeletedTicketLogs; other streams have no deletion log."""

from __future__ import annotations

from typing import Any

from hub_autotask.sandbox import Sandbox

from hub.connectors import get_connector
from hub.testing import CountingGate


def test_deleted_tickets_are_read_from_the_log(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any]
) -> None:
    """Tickets deleted after the watermark are returned, older log entries are not."""
    connector = get_connector("autotask")
    logs = fresh_sandbox.records("DeletedTicketLogs")
    watermark = max(log["deletedDateTime"] for log in logs)
    gone = fresh_sandbox.delete("Tickets", 3)
    gate = CountingGate()
    assert connector.deleted_ids(fresh_settings, "tickets", watermark, gate) == [
        str(i) for i in gone
    ]
    assert gate.per_endpoint == {"DeletedTicketLogs": 1}
    everything = connector.deleted_ids(fresh_settings, "tickets", "2000-01-01T00:00:00Z", gate)
    assert everything is not None and len(everything) == len(logs) + 3


def test_streams_without_a_log(settings: dict[str, Any]) -> None:
    """None (no log) for every other stream, without a call."""
    gate = CountingGate()
    assert get_connector("autotask").deleted_ids(settings, "companies", "2026-01-01", gate) is None
    assert gate.calls == 0
