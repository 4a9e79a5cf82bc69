"""The connection test: login, then a report of read access per stream."""

from __future__ import annotations

from typing import Any

from hub_autotask.sandbox import Sandbox
from hub_autotask.streams import STREAMS

from hub.connector import ConnectionReport
from hub.connectors import get_connector
from hub.testing import CountingGate


def check(settings: dict[str, Any]) -> tuple[ConnectionReport, CountingGate]:
    """Run the connection test through a counting gate."""
    gate = CountingGate()
    return get_connector("autotask").check_connection(settings, gate), gate


def test_everything_readable(fresh_sandbox: Sandbox, fresh_settings: dict[str, Any]) -> None:
    """Login plus one cheap probe per entity: ok, one readable entry per stream, usage reported."""
    report, gate = check(fresh_settings)
    assert report.ok, report.message
    assert "every stream is readable" in report.message
    assert [e.stream for e in report.entities] == [s.name for s in STREAMS]
    assert all(e.readable and not e.message for e in report.entities)
    assert gate.per_endpoint["ThresholdInformation"] == 1
    assert gate.total == len(STREAMS)  # 14 probes, 1 metadata call, 1 login
    assert gate.usage and gate.usage[1] == 10_000
    assert gate.in_flight == 0


def test_denied_entities_are_reported_not_raised(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any]
) -> None:
    """A denied entity makes ok False and says what to grant, per stream."""
    fresh_sandbox.deny("Contracts")
    fresh_sandbox.deny("Tickets")
    report, _ = check(fresh_settings)
    assert not report.ok
    assert "cannot read: Contracts, Tickets" in report.message
    denied = {e.stream: e.message for e in report.entities if not e.readable}
    assert set(denied) == {"contracts", "tickets"}
    assert "give its security level Contracts View = All" in denied["contracts"]
    assert "Tickets View = All" in denied["tickets"]


def test_bad_secret_is_a_failed_report_without_the_secret(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any]
) -> None:
    """Bad credentials are a report with ok False and a precise message, not an exception."""
    report, gate = check({**fresh_settings, "secret": "Not-The-Secret-42"})
    assert not report.ok and not report.entities
    assert "rejected the API user's credentials" in report.message
    assert "Not-The-Secret-42" not in report.message
    assert gate.total == 1


def test_unknown_user_is_a_failed_report(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any]
) -> None:
    """The zone lookup does not know the user: nothing is sent with the credentials."""
    report, gate = check({**fresh_settings, "username": "ghost@example.com"})
    assert not report.ok
    assert "does not know the API user 'ghost@example.com'" in report.message
    assert gate.total == 0


def test_refused_zone_url_is_a_failed_report(fresh_settings: dict[str, Any]) -> None:
    """A tenant's zone URL off the allowed hosts is refused before anything is sent."""
    report, gate = check({**fresh_settings, "zone_url": "https://example.com/ATServicesRest/"})
    assert not report.ok and "refused" in report.message
    assert gate.total == 0
