"""Creates, PATCH/PUT updates, child writes, business rules and deletes."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from hub_autotask.sandbox import Sandbox


@pytest.fixture()
def client(fresh: Sandbox, client_for: Callable[[Sandbox], httpx.Client]) -> httpx.Client:
    return client_for(fresh)


def ci(fresh: Sandbox) -> dict:
    return next(c for c in fresh.records("ConfigurationItems") if c["warrantyExpirationDate"])


def test_patch_with_id_in_body_bumps_change_field(fresh: Sandbox, client: httpx.Client) -> None:
    before = ci(fresh)
    answer = client.patch(
        "V1.0/ConfigurationItems",
        json={"id": before["id"], "warrantyExpirationDate": "2027-03-31T00:00:00"},
    )
    assert answer.status_code == 200 and answer.json() == {"itemId": before["id"]}
    after = fresh.record("ConfigurationItems", before["id"])
    assert after is not None
    assert after["warrantyExpirationDate"] == "2027-03-31T00:00:00"
    assert after["lastModifiedTime"] > before["lastModifiedTime"].rstrip("Z")
    assert after["serialNumber"] == before["serialNumber"]
    assert fresh.received_writes()[-1]["method"] == "PATCH"


def test_patch_on_an_id_path_is_405(fresh: Sandbox, client: httpx.Client) -> None:
    answer = client.patch(f"V1.0/ConfigurationItems/{ci(fresh)['id']}", json={"isActive": False})
    assert answer.status_code == 405


def test_put_nulls_writable_fields_left_out(fresh: Sandbox, client: httpx.Client) -> None:
    company = next(c for c in fresh.records("Companies") if c["city"] and c["id"])
    body = {k: company[k] for k in ("id", "companyName", "companyType", "phone", "ownerResourceID")}
    assert client.put("V1.0/Companies", json=body).status_code == 200
    after = fresh.record("Companies", company["id"])
    assert after is not None
    assert after["city"] is None and after["address1"] is None
    assert after["createDate"] == company["createDate"]  # read-only survives
    partial = client.put("V1.0/Companies", json={"id": company["id"], "phone": "1"})
    assert partial.status_code == 500  # required companyName nulled


def test_create_returns_item_id(fresh: Sandbox, client: httpx.Client) -> None:
    owner = fresh.records("Resources")[0]["id"]
    answer = client.post(
        "V1.0/Companies",
        json={
            "companyName": "Neue Firma GmbH",
            "companyType": 3,
            "phone": "+49 1",
            "ownerResourceID": owner,
        },
    )
    assert answer.status_code == 200
    new_id = answer.json()["itemId"]
    record = fresh.record("Companies", new_id)
    assert record is not None and record["companyName"] == "Neue Firma GmbH"
    assert record["lastTrackedModifiedDateTime"] and record["createDate"]


def test_child_writes_go_through_the_parent(fresh: Sandbox, client: httpx.Client) -> None:
    assert client.post("V1.0/Contacts", json={"firstName": "A"}).status_code == 405
    company = fresh.records("Companies")[3]["id"]
    answer = client.post(
        f"V1.0/Companies/{company}/Contacts",
        json={"firstName": "Zoë", "lastName": "D'Angelo", "isActive": 1},
    )
    contact = answer.json()["itemId"]
    assert fresh.record("Contacts", contact)["companyID"] == company
    patched = client.patch(
        f"V1.0/Companies/{company}/Contacts", json={"id": contact, "title": "CFO"}
    )
    assert patched.status_code == 200
    contract = next(c for c in fresh.records("Contracts") if c["contractType"] == 7)
    service = fresh.records("Services")[0]["id"]
    created = client.post(
        f"V1.0/Contracts/{contract['id']}/Services", json={"serviceID": service, "unitPrice": 12.5}
    )
    assert created.status_code == 200
    assert client.post("V1.0/ContractServices", json={}).status_code == 405


@pytest.mark.parametrize(
    ("path", "body", "needle"),
    [
        ("V1.0/ConfigurationItems", {"productID": 29682600, "isActive": True}, "companyID"),
        (
            "V1.0/Companies",
            {"companyName": "X", "companyType": 5, "phone": "1", "ownerResourceID": 29682885},
            "picklist",
        ),
        (
            "V1.0/ConfigurationItems",
            {"companyID": 999999, "productID": 29682600, "isActive": True},
            "does not exist",
        ),
        (
            "V1.0/Companies",
            {"companyName": "X" * 101, "companyType": 1, "phone": "1", "ownerResourceID": 29682885},
            "length",
        ),
    ],
)
def test_business_rule_failures_are_500(
    client: httpx.Client, path: str, body: dict, needle: str
) -> None:
    answer = client.post(path, json=body)
    assert answer.status_code == 500
    assert needle in " ".join(answer.json()["errors"])


def test_companies_and_cis_cannot_be_deleted(fresh: Sandbox, client: httpx.Client) -> None:
    assert client.delete("V1.0/Companies/0").status_code == 405
    assert client.delete(f"V1.0/ConfigurationItems/{ci(fresh)['id']}").status_code == 405


def test_contacts_can_be_deleted_through_the_parent(fresh: Sandbox, client: httpx.Client) -> None:
    contact = fresh.records("Contacts")[0]
    answer = client.delete(f"V1.0/Companies/{contact['companyID']}/Contacts/{contact['id']}")
    assert answer.status_code == 200
    assert fresh.record("Contacts", contact["id"]) is None


def test_udf_writes_and_unknown_udf(fresh: Sandbox, client: httpx.Client) -> None:
    target = ci(fresh)["id"]
    body = {"id": target, "userDefinedFields": [{"name": "RAM", "value": "32"}]}
    assert client.patch("V1.0/ConfigurationItems", json=body).status_code == 200
    udfs = {
        u["name"]: u["value"]
        for u in fresh.record("ConfigurationItems", target)["userDefinedFields"]
    }
    assert udfs["RAM"] == "32.0000"
    body = {"id": target, "userDefinedFields": [{"name": "Nope", "value": "1"}]}
    assert client.patch("V1.0/ConfigurationItems", json=body).status_code == 500


def test_ticket_assignment_rule(fresh: Sandbox, client: httpx.Client) -> None:
    ticket = fresh.records("Tickets")[0]["id"]
    resource = fresh.records("Resources")[0]["id"]
    answer = client.patch(
        "V1.0/Tickets",
        json={"id": ticket, "assignedResourceID": resource, "assignedResourceRoleID": None},
    )
    assert answer.status_code == 500
    assert "assignedResourceRoleID" in answer.json()["errors"][0]
