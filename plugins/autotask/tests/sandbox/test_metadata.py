"""entityInformation, field metadata, picklists and UDF definitions."""

from __future__ import annotations

import httpx
import pytest
from hub_autotask.sandbox import Sandbox

DATA_TYPES = {"string", "integer", "long", "short", "decimal", "double", "boolean", "datetime"}
ENTITIES = [
    "Companies",
    "Contacts",
    "ConfigurationItems",
    "ConfigurationItemTypes",
    "ConfigurationItemCategories",
    "Products",
    "Contracts",
    "ContractServices",
    "Services",
    "ContractServiceUnits",
    "Opportunities",
    "Tickets",
    "DeletedTicketLogs",
    "Projects",
    "Resources",
    "CompanyWebhooks",
    "TicketWebhookFields",
]


def fields_of(api: httpx.Client, entity: str) -> dict[str, dict]:
    answer = api.get(f"V1.0/{entity}/entityInformation/fields")
    assert answer.status_code == 200
    return {f["name"]: f for f in answer.json()["fields"]}


def test_entity_information(api: httpx.Client) -> None:
    info = api.get("V1.0/Companies/entityInformation").json()["info"]
    assert set(info) == {
        "name",
        "canCreate",
        "canDelete",
        "canQuery",
        "canUpdate",
        "userAccessForCreate",
        "userAccessForDelete",
        "userAccessForQuery",
        "userAccessForUpdate",
        "hasUserDefinedFields",
        "supportsWebhookCallouts",
    }
    assert info["canCreate"] and info["canUpdate"] and not info["canDelete"]
    assert info["supportsWebhookCallouts"] and info["hasUserDefinedFields"]
    contracts = api.get("V1.0/Contracts/entityInformation").json()["info"]
    assert not contracts["supportsWebhookCallouts"]


@pytest.mark.parametrize("entity", ENTITIES)
def test_field_metadata_shape(api: httpx.Client, entity: str) -> None:
    for field in fields_of(api, entity).values():
        assert field["dataType"] in DATA_TYPES
        for key in (
            "length",
            "isRequired",
            "isReadOnly",
            "isQueryable",
            "isReference",
            "referenceEntityType",
            "isPickList",
            "picklistValues",
            "picklistParentValueField",
            "isSupportedWebhookField",
        ):
            assert key in field
        for value in field["picklistValues"] or []:
            assert isinstance(value["value"], str)
            assert set(value) == {
                "value",
                "label",
                "isDefaultValue",
                "sortOrder",
                "parentValue",
                "isActive",
                "isSystem",
            }


def test_company_type_labels(api: httpx.Client) -> None:
    labels = {
        v["value"]: v["label"] for v in fields_of(api, "Companies")["companyType"]["picklistValues"]
    }
    assert labels == {
        "1": "Customer",
        "2": "Lead",
        "3": "Prospect",
        "4": "Dead",
        "6": "Cancelation",
        "7": "Vendor",
        "8": "Partner",
    }


def test_ci_type_picklist_lists_ci_types(sandbox: Sandbox, api: httpx.Client) -> None:
    picklist = fields_of(api, "ConfigurationItems")["configurationItemType"]["picklistValues"]
    assert {int(v["value"]): v["label"] for v in picklist} == {
        t["id"]: t["name"] for t in sandbox.records("ConfigurationItemTypes")
    }


def test_sub_issue_type_has_a_parent_field(api: httpx.Client) -> None:
    sub = fields_of(api, "Tickets")["subIssueType"]
    assert sub["picklistParentValueField"] == "issueType"
    assert all(v["parentValue"] for v in sub["picklistValues"])


def test_udf_metadata_uses_type(api: httpx.Client) -> None:
    udfs = api.get("V1.0/ConfigurationItems/entityInformation/userDefinedFields").json()
    names = {f["name"]: f for f in udfs["fields"]}
    assert {"RAM", "OS Type", "Purchase Date", "Local Admin Password"} <= set(names)
    assert all("type" in f and "dataType" not in f for f in udfs["fields"])
    assert names["RAM"]["type"] == "decimal"
    os_values = names["OS Type"]["picklistValues"]
    assert all(v["value"] == v["label"] for v in os_values)


@pytest.mark.parametrize(
    "entity",
    [
        "Companies",
        "ConfigurationItems",
        "Tickets",
        "Contracts",
        "Opportunities",
        "Projects",
        "Contacts",
        "Products",
    ],
)
def test_records_agree_with_metadata(sandbox: Sandbox, api: httpx.Client, entity: str) -> None:
    fields = fields_of(api, entity)
    picklists = {
        name: {int(v["value"]) for v in f["picklistValues"]}
        for name, f in fields.items()
        if f["isPickList"]
    }
    udf_names = {
        f["name"]
        for f in api.get(f"V1.0/{entity}/entityInformation/userDefinedFields").json()["fields"]
    }
    for record in sandbox.records(entity):
        assert set(record) - {"userDefinedFields"} == set(fields)
        for name, allowed in picklists.items():
            assert record[name] is None or record[name] in allowed, (name, record[name])
        for udf in record.get("userDefinedFields", []):
            assert udf["name"] in udf_names
            assert udf["value"] is None or isinstance(udf["value"], str)


def test_webhook_field_picklist_matches_supported_fields(api: httpx.Client) -> None:
    picklist = fields_of(api, "CompanyWebhookFields")["fieldID"]["picklistValues"]
    supported = {n for n, f in fields_of(api, "Companies").items() if f["isSupportedWebhookField"]}
    assert {v["label"] for v in picklist} == supported
