"""Tests of the bundled data set and its write-back overlay."""

from __future__ import annotations

from collections import Counter

from hub_itglue_stub import dataset


def test_sizes_and_string_ids() -> None:
    sizes = {s: len(dataset.records(s)) for s in ("organizations", "configurations", "contacts")}
    assert sizes == {"organizations": 30, "configurations": 200, "contacts": 80}
    assert all(isinstance(r["id"], str) for r in dataset.records("configurations"))


def test_records_are_flat_and_sorted_by_numeric_id() -> None:
    rows = dataset.records("organizations")
    assert [int(r["id"]) for r in rows] == sorted(int(r["id"]) for r in rows)
    assert {"id", "type", "name", "organization-type-name", "updated-at"} <= set(rows[0])
    assert "attributes" not in rows[0]


def test_data_is_realistically_messy() -> None:
    names = [r["name"] for r in dataset.records("organizations")]
    assert any(not n.isascii() for n in names)
    serials = Counter(r["serial-number"] for r in dataset.records("configurations"))
    assert serials[None] > 0
    assert any(n > 1 for s, n in serials.items() if s)


def test_update_is_visible_to_later_reads_until_reset() -> None:
    first = dataset.records("configurations")[0]
    updated = dataset.update("configurations", first["id"], {"warranty-expires-at": "2031-01-01"})
    assert updated["warranty-expires-at"] == "2031-01-01"
    assert updated["updated-at"] > first["updated-at"]
    assert dataset.find("configurations", first["id"]) == updated
    dataset.reset()
    assert dataset.find("configurations", first["id"]) == first


def test_find_unknown_id_is_none() -> None:
    assert dataset.find("contacts", "0") is None


def test_reads_return_copies() -> None:
    dataset.records("contacts")[0]["name"] = "changed"
    assert dataset.records("contacts")[0]["name"] != "changed"
