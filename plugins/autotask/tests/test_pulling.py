"""Plans and pages: keyset paging by id, disjoint partitions, incremental and ids-only pulls."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hub_autotask import pulling
from hub_autotask.client import AutotaskClient
from hub_autotask.sandbox import Sandbox
from hub_autotask.streams import stream

from hub.connectors import get_connector
from hub.errors import ConfigurationError
from hub.testing import CountingGate
from hub.testing.pull import pull_stream


def test_filters_and_watermark_format() -> None:
    """Start at id gte 0, then id gt after, id lte upto, change field gt since (UTC, Z)."""
    source = stream("companies")
    since = "2026-05-04T00:00:00.123456+02:00"
    clauses = pulling.filters(source, {"after": 7, "upto": 90, "since": since})
    assert clauses == [
        {"op": "gt", "field": "id", "value": 7},
        {"op": "lte", "field": "id", "value": 90},
        {
            "op": "gt",
            "field": "lastTrackedModifiedDateTime",
            "value": "2026-05-03T22:00:00.123456Z",
        },
    ]
    assert pulling.filters(source, {})[0] == {"op": "gte", "field": "id", "value": 0}
    with pytest.raises(ConfigurationError):
        pulling.autotask_time("yesterday")


def test_a_plan_is_one_count_and_one_open_range(
    settings: dict[str, Any], autotask_sandbox: Sandbox
) -> None:
    """One ``query/count`` (+ ThresholdInformation at most once a minute), no probe."""
    gate = CountingGate()
    plan = get_connector("autotask").plan_pull(settings, "configuration_items", None, gate)
    assert plan.total == len(autotask_sandbox.records("ConfigurationItems"))
    assert plan.cursors == [{"after": None, "upto": None, "since": None, "ids_only": False}]
    assert gate.per_endpoint["ConfigurationItems"] == 1
    assert gate.total <= 2
    assert gate.usage is None or gate.usage[1] == 10_000


def test_ids_only_pages_hold_only_ids(settings: dict[str, Any], autotask_sandbox: Sandbox) -> None:
    """A deletion sweep asks Autotask for ids only and returns ``{"id": ...}`` records."""
    result = pull_stream(get_connector("autotask"), settings, "tickets", ids_only=True)
    assert {frozenset(r) for r in result.records} == {frozenset({"id"})}
    assert sorted(r["id"] for r in result.records) == [
        r["id"] for r in autotask_sandbox.records("Tickets")
    ]


def test_records_are_stored_as_autotask_sent_them(
    settings: dict[str, Any], autotask_sandbox: Sandbox
) -> None:
    """Pages carry Autotask's records unchanged, UDF lists included."""
    records = pull_stream(get_connector("autotask"), settings, "companies").records
    assert records == autotask_sandbox.records("Companies")


def test_incremental_pull_sees_an_edit(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any]
) -> None:
    """After a change in Autotask, a pull since the old watermark returns that record."""
    connector = get_connector("autotask")
    before = pull_stream(connector, fresh_settings, "companies").records
    watermark = max(r["lastTrackedModifiedDateTime"] for r in before)
    changed = fresh_sandbox.update("Companies", before[3]["id"], {"phone": "+1 555 0100"})
    recent = pull_stream(connector, fresh_settings, "companies", since=watermark).records
    assert [r["id"] for r in recent] == [changed["id"]]
    assert recent[0]["phone"] == "+1 555 0100"


def test_contracts_fall_back_to_a_full_pull_without_the_change_field(
    fresh_settings: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tenant whose Contracts lack lastModifiedDateTime gets full pulls, not empty ones."""
    real = AutotaskClient.fields

    def without_change_field(self: AutotaskClient, gate: Any, entity: str) -> list[dict[str, Any]]:
        return [f for f in real(self, gate, entity) if f.get("name") != "lastModifiedDateTime"]

    monkeypatch.setattr(AutotaskClient, "fields", without_change_field)
    monkeypatch.setattr(pulling, "_field_checks", {})
    plan = get_connector("autotask").plan_pull(
        fresh_settings, "contracts", "2099-01-01T00:00:00Z", CountingGate()
    )
    assert plan.cursors[0]["since"] is None
    assert plan.total and plan.total > 0


def test_contracts_keep_the_watermark_when_the_field_exists(fresh_settings: dict[str, Any]) -> None:
    """The check costs one metadata call, then is cached."""
    connector = get_connector("autotask")
    first, second = CountingGate(), CountingGate()
    plan = connector.plan_pull(fresh_settings, "contracts", "2099-01-01T00:00:00Z", first)
    # An incremental plan does not count: its first page query tells as much.
    assert plan.total is None and plan.cursors[0]["since"] == "2099-01-01T00:00:00.000000Z"
    connector.plan_pull(fresh_settings, "contracts", "2099-01-01T00:00:00Z", second)
    assert first.per_endpoint["Contracts"] == 1  # the metadata check
    assert second.per_endpoint.get("Contracts", 0) == 0


def test_picklist_streams(settings: dict[str, Any]) -> None:
    """Company types come from the companyType picklist; statuses are active and inactive."""
    connector = get_connector("autotask")
    types = pull_stream(connector, settings, "company_types").records
    assert {"id": 1, "label": "Customer"}.items() <= types[0].items()
    statuses = pull_stream(connector, settings, "company_statuses").records
    assert [(s["id"], s["isActive"]) for s in statuses] == [("true", True), ("false", False)]


@pytest.mark.parametrize(
    "cursor", [{"after": "7"}, {"upto": 1.5}, {"since": 3}, ["not", "a", "dict"]]
)
def test_bad_cursors_are_configuration_errors(settings: dict[str, Any], cursor: Any) -> None:
    """A corrupted checkpoint is refused before any call."""
    gate = CountingGate()
    with pytest.raises(ConfigurationError):
        get_connector("autotask").pull_page(settings, "companies", cursor, gate)
    assert gate.calls == 0


def test_unknown_stream(settings: dict[str, Any]) -> None:
    """Names the known streams."""
    with pytest.raises(ConfigurationError, match="known: company_types"):
        get_connector("autotask").plan_pull(settings, "invoices", None, CountingGate())


def test_count_is_one_call(settings: dict[str, Any], autotask_sandbox: Sandbox) -> None:
    """hub_count: one query/count, with the watermark when given; picklists count values."""
    connector = get_connector("autotask")
    gate = CountingGate()
    assert connector.count(settings, "tickets", gate) == len(autotask_sandbox.records("Tickets"))
    assert connector.count(settings, "tickets", gate, since="2999-01-01T00:00:00Z") == 0
    assert gate.total == 2
    assert connector.count(settings, "company_statuses", gate) == 2


@pytest.mark.parametrize("upto", [None, 90_000])
def test_split_cursor_ranges_are_disjoint_and_cover_the_rest(upto: int | None) -> None:
    """Every id after the cursor (up to its bound) falls in exactly one of the new ranges."""
    cursor = {"after": 10_499, "upto": upto, "since": None, "ids_only": False}
    records = [{"id": i} for i in range(10_000, 10_500)]  # dense page: density 1
    parts = get_connector("autotask").split_cursor("tickets", cursor, records, 30_000, 3)
    assert parts is not None and len(parts) == 3
    assert parts[0]["after"] == 10_499 and parts[-1]["upto"] == upto
    for left, right in itertools.pairwise(parts):
        assert left["upto"] == right["after"]  # (after, upto] ranges meet without overlap
    if upto is None:
        # 30,000 records left at density 1: 20 pages a part, cut 3% short of a full last page
        assert parts[1]["after"] == 10_499 + 9_700
    assert get_connector("autotask").split_cursor("tickets", cursor, records[:1], 30_000, 3) is None


def test_split_cursor_does_not_make_empty_parts() -> None:
    """A few pages left make fewer parts rather than one with nothing in it."""
    cursor = {"after": 10_499, "upto": 11_500, "since": None, "ids_only": False}
    records = [{"id": i} for i in range(10_000, 10_500)]
    parts = get_connector("autotask").split_cursor("tickets", cursor, records, 1_001, 3)
    assert parts is not None and len(parts) == 3  # 1,001 records: three pages, one each
    assert [p["upto"] for p in parts] == [10_499 + 485, 10_499 + 970, 11_500]
    shorter = {**cursor, "upto": 11_000}
    two = get_connector("autotask").split_cursor("tickets", shorter, records, 0, 3)
    assert two is not None and len(two) == 2  # 501 records: two pages


def test_pages_of_a_bounded_range_say_how_much_is_left(
    settings: dict[str, Any], autotask_sandbox: Sandbox
) -> None:
    """The core lets the partition with the most left share it out: pages estimate it."""
    ids = sorted(r["id"] for r in autotask_sandbox.records("Tickets"))
    connector = get_connector("autotask")
    start = {"after": ids[0] - 1, "upto": ids[-1], "since": None, "ids_only": False}
    page = connector.pull_page(settings, "tickets", start, CountingGate())
    assert page.next_cursor is not None and page.remaining is not None
    assert abs(page.remaining - (len(ids) - 500)) <= 0.2 * len(ids)
    open_ended = connector.pull_page(settings, "tickets", {**start, "upto": None}, CountingGate())
    assert open_ended.remaining is None  # only the core's count can tell
    last = connector.pull_page(settings, "tickets", {**start, "after": ids[-2]}, CountingGate())
    assert (last.next_cursor, last.remaining) == (None, 0)
