"""Field metadata: standard fields, picklists with their labels, user-defined fields."""

from __future__ import annotations

from typing import Any

import pytest
from hub_autotask import fields
from hub_autotask.client import AutotaskClient
from hub_autotask.sandbox import Sandbox

from hub.connector import FieldInfo, PicklistValue
from hub.connectors import get_connector
from hub.testing import CountingGate


def metadata(settings: dict[str, Any], stream: str) -> dict[str, FieldInfo]:
    """Return the stream's fields by name."""
    found = get_connector("autotask").field_metadata(settings, stream, CountingGate())
    return {f.name: f for f in found}


def test_labels_from_camel_case() -> None:
    """Autotask has no field labels: they are made from the names."""
    assert fields.label_of("companyName") == "Company name"
    assert fields.label_of("companyID") == "Company ID"
    assert fields.label_of("rmmDeviceAuditOperatingSystem") == "Rmm device audit operating system"
    assert fields.label_of("id") == "Id"


def test_company_fields_and_the_company_type_picklist(settings: dict[str, Any]) -> None:
    """Picklist values are strings with tenant labels; references name their entity."""
    found = metadata(settings, "companies")
    company_type = found["companyType"]
    assert PicklistValue("1", "Customer") in company_type.picklist
    assert all(isinstance(p.value, str) for p in company_type.picklist)
    assert found["companyName"].is_required
    assert found["lastTrackedModifiedDateTime"].data_type == "datetime"
    assert found["id"].is_read_only


def test_udfs_are_custom_fields(settings: dict[str, Any]) -> None:
    """UDFs are listed as userDefinedFields.<name>, typed from their ``type``, with picklists."""
    found = metadata(settings, "companies")
    tier = found["userDefinedFields.Tier"]
    assert tier.is_custom and tier.data_type == "string"
    assert [p.value for p in tier.picklist] == [p.label for p in tier.picklist]
    assert found["userDefinedFields.Monthly Seats"].data_type == "decimal"
    assert not any(f.is_custom for n, f in found.items() if not n.startswith("userDefinedFields."))


def test_date_only_fields_are_dates(settings: dict[str, Any]) -> None:
    """warrantyExpirationDate and installDate are dates, not time-zone converted datetimes."""
    found = metadata(settings, "configuration_items")
    assert found["warrantyExpirationDate"].data_type == "date"
    assert found["installDate"].data_type == "date"
    assert found["configurationItemType"].picklist, "CI types picklist"


def test_protected_udfs_are_marked(settings: dict[str, Any]) -> None:
    """The CI's "Local Admin Password" UDF is protected; the others are not."""
    found = metadata(settings, "configuration_items")
    assert found["userDefinedFields.Local Admin Password"].is_protected
    assert not found["userDefinedFields.RAM"].is_protected


@pytest.mark.xfail(
    reason="sandbox: UserDefinedFieldDefinitions (isProtected) is not modeled (404)", strict=True
)
def test_protection_comes_from_udf_definitions(settings: dict[str, Any]) -> None:
    """isProtected is read from UserDefinedFieldDefinitions, not guessed from the name."""
    client = AutotaskClient(settings)
    assert fields.protected_udfs(client, CountingGate(), ["Local Admin Password"]) == {
        "Local Admin Password"
    }


def test_picklist_streams_describe_their_records(settings: dict[str, Any]) -> None:
    """Company types and statuses list id, label and isActive without a call."""
    gate = CountingGate()
    found = get_connector("autotask").field_metadata(settings, "company_statuses", gate)
    assert [f.name for f in found] == ["id", "label", "isActive"]
    assert gate.calls == 0


def test_denied_entity_metadata_is_still_readable(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any]
) -> None:
    """Autotask serves entityInformation even without query permission."""
    fresh_sandbox.deny("Contracts")
    assert "contractName" in metadata(fresh_settings, "contracts")


def test_picklist_values_are_unique_and_parents_kept() -> None:
    """Duplicates are dropped; a parent value is text or None."""
    values = [
        {"value": 1, "label": "A", "isActive": True, "parentValue": ""},
        {"value": "1", "label": "A again"},
        {"value": "2", "label": "B", "isActive": False, "parentValue": 7},
    ]
    assert fields.picklist(values) == (
        PicklistValue("1", "A", True, None),
        PicklistValue("2", "B", False, "7"),
    )
