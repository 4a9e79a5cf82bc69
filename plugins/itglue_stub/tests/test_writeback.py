"""Tests of the stub's write-back."""

from __future__ import annotations

from typing import Any

import pytest
from hub_itglue_stub import dataset
from hub_itglue_stub.writeback import write_back

from hub.errors import AuthenticationFailed
from hub.testing import CountingGate


@pytest.fixture
def config() -> dict[str, Any]:
    """A configuration that has a warranty date."""
    return next(r for r in dataset.records("configurations") if r["warranty-expires-at"])


def test_write_lands_in_the_overlay(
    settings: dict[str, Any], gate: CountingGate, config: dict[str, Any]
) -> None:
    result = write_back(
        settings,
        "configurations",
        config["id"],
        {"warranty-expires-at": "2029-06-30"},
        {"warranty-expires-at": config["warranty-expires-at"]},
        gate,
    )
    assert (result.status, result.remote_value) == ("written", "2029-06-30")
    stored = dataset.find("configurations", config["id"])
    assert stored is not None and stored["warranty-expires-at"] == "2029-06-30"
    assert gate.per_endpoint["configurations"] == 2  # read, then write


def test_moved_value_is_skipped_with_a_reason(
    settings: dict[str, Any], config: dict[str, Any]
) -> None:
    result = write_back(
        settings,
        "configurations",
        config["id"],
        {"warranty-expires-at": "2029-06-30"},
        {"warranty-expires-at": "1999-01-01"},
        CountingGate(),
    )
    assert result.status == "skipped"
    assert "changed in IT Glue" in result.message and "1999-01-01" in result.message
    assert result.remote_value == config["warranty-expires-at"]
    assert dataset.find("configurations", config["id"]) == config


def test_clearing_the_date_is_allowed(settings: dict[str, Any], config: dict[str, Any]) -> None:
    result = write_back(
        settings, "configurations", config["id"], {"warranty-expires-at": None}, {}, CountingGate()
    )
    assert result.status == "written" and result.remote_value is None


@pytest.mark.parametrize(
    ("stream", "changes", "message"),
    [
        ("configurations", {"serial-number": "X"}, "cannot write serial-number"),
        ("organizations", {"warranty-expires-at": "2030-01-01"}, "on organizations"),
        ("configurations", {}, "cannot write nothing"),
        ("configurations", {"warranty-expires-at": "soon"}, "must be a date"),
    ],
)
def test_unwritable_changes_fail_clearly(
    settings: dict[str, Any],
    config: dict[str, Any],
    stream: str,
    changes: dict[str, Any],
    message: str,
) -> None:
    gate = CountingGate()
    result = write_back(settings, stream, config["id"], changes, {}, gate)
    assert result.status == "failed"
    assert message in result.message
    assert gate.total == 0


def test_unknown_record_fails(settings: dict[str, Any]) -> None:
    changes = {"warranty-expires-at": "2030-01-01"}
    result = write_back(settings, "configurations", "0", changes, {}, CountingGate())
    assert result.status == "failed" and "no configurations record with id '0'" in result.message


def test_denied_and_bad_key(config: dict[str, Any]) -> None:
    changes = {"warranty-expires-at": "2030-01-01"}
    denied = {"api_key": "ITG.denied-configurations"}
    result = write_back(denied, "configurations", config["id"], changes, {}, CountingGate())
    assert result.status == "failed" and "cannot read configurations" in result.message
    with pytest.raises(AuthenticationFailed):
        write_back({"api_key": "x"}, "configurations", config["id"], changes, {}, CountingGate())
