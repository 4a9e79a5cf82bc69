"""Tests of the stub's field metadata."""

from __future__ import annotations

from typing import Any

import pytest
from hub_itglue_stub.fields import field_metadata, picklist

from hub.errors import PermissionDenied
from hub.testing import CountingGate


def test_configurations_have_standard_picklist_and_custom_fields(
    settings: dict[str, Any], gate: CountingGate
) -> None:
    fields = {f.name: f for f in field_metadata(settings, "configurations", gate)}
    assert fields["serial-number"].data_type == "string"
    assert fields["warranty-expires-at"].data_type == "date"
    status = fields["configuration-status-id"]
    assert [(p.value, p.label) for p in status.picklist][:2] == [
        ("21", "Active"),
        ("22", "Inactive"),
    ]
    custom = {n: f.is_protected for n, f in fields.items() if f.is_custom}
    assert custom == {
        "custom-fields.backup-policy": False,
        "custom-fields.bitlocker-recovery-key": True,
    }
    assert gate.per_endpoint["configurations/fields"] == 1


def test_organization_type_picklist_matches_the_type_stream(settings: dict[str, Any]) -> None:
    fields = {f.name: f for f in field_metadata(settings, "organizations", CountingGate())}
    assert fields["organization-type-id"].picklist == picklist("organization_types")
    assert fields["custom-fields.portal-pin"].is_protected


def test_picklist_streams_have_id_and_name(settings: dict[str, Any]) -> None:
    names = [f.name for f in field_metadata(settings, "organization_statuses", CountingGate())]
    assert names == ["id", "name", "created-at", "updated-at"]


def test_denied_stream_has_no_metadata() -> None:
    with pytest.raises(PermissionDenied):
        field_metadata({"api_key": "ITG.denied-contacts"}, "contacts", CountingGate())
