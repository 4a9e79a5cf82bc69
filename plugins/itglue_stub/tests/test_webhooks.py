"""Tests of the stub's webhook registration and verification."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hub_itglue_stub.webhooks import SIGNATURE_HEADER, register, sign, unregister, verify

from hub.connector import WebhookRegistration
from hub.errors import AuthenticationFailed, ConfigurationError, DataError
from hub.testing import CountingGate

CALLBACK = "https://hub.example/webhooks/1"


@pytest.fixture
def registrations(settings: dict[str, Any]) -> list[WebhookRegistration]:
    """Webhooks for configurations and contacts."""
    return register(settings, CALLBACK, ["configurations", "contacts"], CountingGate())


def _body(**overrides: Any) -> bytes:
    payload = {
        "type": "configurations",
        "id": "123",
        "action": "update",
        "sequence": 7,
        "occurred-at": "2025-03-01T12:00:00Z",
        **overrides,
    }
    return json.dumps(payload).encode()


def test_register_gives_fresh_secrets(settings: dict[str, Any], gate: CountingGate) -> None:
    first = register(settings, CALLBACK, ["configurations", "contacts"], gate)
    second = register(settings, CALLBACK, ["configurations"], gate)
    assert [r.stream for r in first] == ["configurations", "contacts"]
    secrets = {r.secret for r in [*first, *second]}
    assert len(secrets) == 3 and all(len(s) >= 32 for s in secrets)
    assert gate.per_endpoint["webhooks"] == 3


def test_register_refuses_streams_without_webhooks(settings: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError, match="organization_types"):
        register(settings, CALLBACK, ["organization_types"], CountingGate())


def test_unregister(
    settings: dict[str, Any], registrations: list[WebhookRegistration], gate: CountingGate
) -> None:
    assert unregister(settings, registrations, gate) is True
    assert gate.per_endpoint["webhooks"] == 2


def test_valid_delivery_becomes_an_event(registrations: list[WebhookRegistration]) -> None:
    body = _body(attributes={"name": "PC-1"})
    event = verify(registrations, {"x-itglue-signature": sign(registrations[0].secret, body)}, body)
    assert event.stream == "configurations" and event.remote_id == "123"
    assert (event.action, event.sequence) == ("update", 7)
    assert event.event_time == datetime(2025, 3, 1, 12, tzinfo=UTC)
    assert event.fields == {"name": "PC-1"}


@pytest.mark.parametrize(
    "headers",
    [{}, {SIGNATURE_HEADER: ""}, {SIGNATURE_HEADER: "0" * 64}, {SIGNATURE_HEADER: "not hex"}],
)
def test_missing_or_bad_signature_is_refused(
    registrations: list[WebhookRegistration], headers: dict[str, str]
) -> None:
    with pytest.raises(AuthenticationFailed):
        verify(registrations, headers, _body())


def test_tampered_body_is_refused(registrations: list[WebhookRegistration]) -> None:
    signature = sign(registrations[0].secret, _body())
    with pytest.raises(AuthenticationFailed, match="bad signature"):
        verify(registrations, {SIGNATURE_HEADER: signature}, _body(id="124"))


def test_secret_of_another_stream_is_refused(registrations: list[WebhookRegistration]) -> None:
    body = _body()
    with pytest.raises(AuthenticationFailed, match="signed with the contacts secret"):
        verify(registrations, {SIGNATURE_HEADER: sign(registrations[1].secret, body)}, body)


@pytest.mark.parametrize("body", [b"not json", _body(action="explode"), b'{"type": "contacts"}'])
def test_signed_garbage_is_a_data_error(body: bytes) -> None:
    registration = WebhookRegistration("contacts", "wh-1", "s3cret-s3cret")
    if b"explode" in body:
        registration = WebhookRegistration("configurations", "wh-1", "s3cret-s3cret")
    with pytest.raises(DataError):
        verify([registration], {SIGNATURE_HEADER: sign(registration.secret, body)}, body)
