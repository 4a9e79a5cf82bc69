"""Tests of the stub's pull plans and pages."""

from __future__ import annotations

from typing import Any

import pytest
from hub_itglue_stub import dataset
from hub_itglue_stub.pulling import plan_pull, pull_page

from hub.errors import AuthenticationFailed, ConfigurationError, PermissionDenied
from hub.testing import CountingGate


def _drain(settings: dict[str, Any], stream: str, cursor: dict[str, Any] | None) -> list[str]:
    ids: list[str] = []
    while cursor is not None:
        page = pull_page(settings, stream, cursor, CountingGate())
        ids.extend(r["id"] for r in page.records)
        cursor = page.next_cursor
    return ids


def test_small_stream_has_one_partition(settings: dict[str, Any], gate: CountingGate) -> None:
    plan = plan_pull(settings, "organizations", None, False, gate)
    assert plan.total == 30
    assert plan.cursors == [{"after": None, "upto": None, "since": None, "ids_only": False}]
    assert gate.per_endpoint["organizations"] == 1


def test_big_stream_splits_into_two_id_ranges(settings: dict[str, Any]) -> None:
    plan = plan_pull(settings, "configurations", None, False, CountingGate())
    assert plan.total == 200
    low, high = plan.cursors
    assert low["upto"] == high["after"]
    ids = [r["id"] for r in dataset.records("configurations")]
    assert _drain(settings, "configurations", low) + _drain(settings, "configurations", high) == ids


def test_pages_follow_numeric_not_string_order(settings: dict[str, Any]) -> None:
    cursor = plan_pull(settings, "contacts", None, False, CountingGate()).cursors[0]
    first = pull_page(settings, "contacts", cursor, CountingGate())
    assert len(first.records) == 50
    assert first.next_cursor == {**cursor, "after": first.records[-1]["id"]}
    second = pull_page(settings, "contacts", first.next_cursor, CountingGate())
    assert len(second.records) == 30
    assert second.next_cursor is None
    keys = [int(r["id"]) for r in [*first.records, *second.records]]
    assert keys == sorted(keys)


def test_since_returns_only_later_changes(settings: dict[str, Any]) -> None:
    since = "2025-01-01T00:00:00Z"
    plan = plan_pull(settings, "configurations", since, False, CountingGate())
    ids = [i for c in plan.cursors for i in _drain(settings, "configurations", c)]
    expected = [r["id"] for r in dataset.records("configurations") if r["updated-at"] > since]
    assert ids == expected
    assert plan.total == len(expected) < 200


def test_since_without_zone_is_utc(settings: dict[str, Any]) -> None:
    zoned = plan_pull(settings, "contacts", "2024-09-01T00:00:00+00:00", False, CountingGate())
    naive = plan_pull(settings, "contacts", "2024-09-01T00:00:00", False, CountingGate())
    assert zoned.total == naive.total


def test_since_is_ignored_for_streams_without_change_field(settings: dict[str, Any]) -> None:
    plan = plan_pull(settings, "configuration_types", "2099-01-01T00:00:00Z", False, CountingGate())
    assert plan.total == 8


def test_bad_since_is_a_configuration_error(settings: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError, match="not an ISO-8601"):
        plan_pull(settings, "contacts", "yesterday", False, CountingGate())


def test_ids_only_pages_hold_only_ids(settings: dict[str, Any]) -> None:
    cursor = plan_pull(settings, "organizations", None, True, CountingGate()).cursors[0]
    page = pull_page(settings, "organizations", cursor, CountingGate())
    assert all(set(r) == {"id"} for r in page.records)
    assert len(page.records) == 30


def test_written_back_value_shows_in_the_next_pull(settings: dict[str, Any]) -> None:
    target = dataset.records("configurations")[-1]["id"]
    dataset.update("configurations", target, {"warranty-expires-at": "2030-12-31"})
    plan = plan_pull(settings, "configurations", None, False, CountingGate())
    page = pull_page(settings, "configurations", plan.cursors[-1], CountingGate())
    while page.next_cursor is not None:
        page = pull_page(settings, "configurations", page.next_cursor, CountingGate())
    assert page.records[-1]["warranty-expires-at"] == "2030-12-31"


def test_bad_key_and_denied_stream_raise() -> None:
    cursor = {"after": None, "upto": None, "since": None, "ids_only": False}
    with pytest.raises(AuthenticationFailed):
        pull_page({"api_key": "x"}, "contacts", cursor, CountingGate())
    with pytest.raises(PermissionDenied):
        plan_pull({"api_key": "ITG.denied-contacts"}, "contacts", None, False, CountingGate())
