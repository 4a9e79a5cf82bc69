"""Write-back: PATCH only the changed fields, skip when the record moved, fail in words."""

from __future__ import annotations

from typing import Any

import pytest
from hub_autotask import writeback
from hub_autotask.sandbox import Sandbox

from hub.connector import WriteResult
from hub.connectors import get_connector
from hub.testing import CountingGate


def write(
    settings: dict[str, Any],
    stream: str,
    remote_id: Any,
    changes: dict[str, Any],
    expected: dict[str, Any] | None = None,
) -> WriteResult:
    """Write through the hook."""
    result = get_connector("autotask").write_back(
        settings, stream, str(remote_id), changes, expected or {}, CountingGate()
    )
    assert result is not None
    return result


def patches(sb: Sandbox) -> list[dict[str, Any]]:
    """Return the writes the sandbox received."""
    return sb.received_writes()


def test_warranty_write_back_is_a_patch_of_only_that_field(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any]
) -> None:
    """PATCH /ConfigurationItems with id + the change; a bare date becomes midnight."""
    ci = fresh_sandbox.records("ConfigurationItems")[0]
    result = write(
        fresh_settings,
        "configuration_items",
        ci["id"],
        {"warrantyExpirationDate": "2027-03-31"},
        {"warrantyExpirationDate": ci["warrantyExpirationDate"]},
    )
    assert result.status == "written", result.message
    (sent,) = patches(fresh_sandbox)
    assert sent["method"] == "PATCH" and sent["path"] == "/V1.0/ConfigurationItems"
    assert sent["body"] == {"id": ci["id"], "warrantyExpirationDate": "2027-03-31T00:00:00"}
    after = fresh_sandbox.record("ConfigurationItems", ci["id"])
    assert after and after["warrantyExpirationDate"].startswith("2027-03-31")
    assert after["serialNumber"] == ci["serialNumber"]  # nothing else touched


def test_moved_record_is_skipped(fresh_sandbox: Sandbox, fresh_settings: dict[str, Any]) -> None:
    """When Autotask's value is not the one the hub last read, nothing is written."""
    ci = fresh_sandbox.records("ConfigurationItems")[1]
    result = write(
        fresh_settings,
        "configuration_items",
        ci["id"],
        {"warrantyExpirationDate": "2027-03-31T00:00:00"},
        {"warrantyExpirationDate": "1999-01-01T00:00:00"},
    )
    assert result.status == "skipped"
    assert "changed in Autotask since the hub last read it" in result.message
    assert result.remote_value == ci["warrantyExpirationDate"]
    assert patches(fresh_sandbox) == []


def test_gone_record_fails_clearly(fresh_sandbox: Sandbox, fresh_settings: dict[str, Any]) -> None:
    """``{"item": null}``: the record was deleted or is no longer visible."""
    result = write(fresh_settings, "configuration_items", 999_999_999, {"location": "x"})
    assert result.status == "failed"
    assert "Configuration Items 999999999 no longer exists in Autotask" in result.message


def test_contacts_are_written_through_their_company(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any]
) -> None:
    """Contacts have no top-level PATCH: /Companies/{companyID}/Contacts."""
    contact = fresh_sandbox.records("Contacts")[0]
    result = write(fresh_settings, "contacts", contact["id"], {"title": "CFO"})
    assert result.status == "written", result.message
    (sent,) = patches(fresh_sandbox)
    assert sent["path"] == "/V1.0/Companies/{parentId}/Contacts"
    assert sent["body"] == {"id": contact["id"], "title": "CFO"}


def test_permission_and_business_rule_refusals_fail_in_words(
    fresh_sandbox: Sandbox, fresh_settings: dict[str, Any]
) -> None:
    """Autotask's 500s come back as failed results, not exceptions."""
    company = fresh_sandbox.records("Companies")[0]
    bad = write(fresh_settings, "companies", company["id"], {"companyType": 999})
    assert bad.status == "failed" and "999" in bad.message
    assert fresh_settings["secret"] not in bad.message
    fresh_sandbox.deny("Companies")
    denied = write(fresh_settings, "companies", company["id"], {"phone": "1"})
    assert denied.status == "failed"
    assert "security level" in denied.message and "Companies" in denied.message


@pytest.mark.parametrize(
    ("stream", "changes", "words"),
    [
        ("configuration_items", {}, "nothing to write"),
        ("configuration_items", {"id": 5}, "id"),
        ("configuration_items", {"userDefinedFields.Local Admin Password": "*****"}, "masked"),
        ("contract_service_units", {"units": 3}, "read-only"),
        ("company_types", {"label": "x"}, "not writable"),
    ],
)
def test_refused_before_any_call(
    settings: dict[str, Any], stream: str, changes: dict[str, Any], words: str
) -> None:
    """Writes the hub must never make are refused locally."""
    gate = CountingGate()
    result = get_connector("autotask").write_back(settings, stream, "1", changes, {}, gate)
    assert result is not None and result.status == "failed" and words in result.message
    assert gate.calls == 0


def test_udf_changes_and_comparisons() -> None:
    """UDFs are compared by name and sent as Autotask's list; timestamps compare as instants."""
    record = {"userDefinedFields": [{"name": "NAV ID", "value": "C1"}]}
    assert writeback.current_value(record, "userDefinedFields.NAV ID") == "C1"
    assert writeback.same("2026-01-01T00:00:00Z", "2026-01-01T00:00:00.000")
    assert writeback.same("1.0000", 1)
    assert not writeback.same(None, "")
    assert writeback.patch_body(3, {"userDefinedFields.NAV ID": "C2", "phone": "1"}) == {
        "id": 3,
        "phone": "1",
        "userDefinedFields": [{"name": "NAV ID", "value": "C2"}],
    }
