"""Tests of the stub's connection test."""

from __future__ import annotations

from typing import Any

from hub_itglue_stub.connection import check_connection
from hub_itglue_stub.streams import STREAMS

from hub.testing import CountingGate


def test_good_key_reads_every_stream(settings: dict[str, Any], gate: CountingGate) -> None:
    report = check_connection(settings, gate)
    assert report.ok
    assert report.message == "Connected to https://api.itglue.com."
    assert [e.stream for e in report.entities] == [s.name for s in STREAMS]
    assert all(e.readable for e in report.entities)
    assert gate.per_endpoint["organizations"] == 2  # the login probe, then the stream probe


def test_bad_key_fails_in_words(gate: CountingGate) -> None:
    report = check_connection({"api_key": "nope", "region": "eu"}, gate)
    assert not report.ok
    assert "https://api.eu.itglue.com rejected the API key" in report.message
    assert "nope" not in report.message
    assert report.entities == []


def test_denied_stream_is_reported_per_entity(gate: CountingGate) -> None:
    report = check_connection({"api_key": "ITG.denied-configurations"}, gate)
    assert not report.ok
    assert report.message.endswith("cannot read: configurations.")
    denied = {e.stream: e.message for e in report.entities if not e.readable}
    assert list(denied) == ["configurations"]
    assert "cannot read configurations" in denied["configurations"]
