"""Keyset paging, continuation rules, single records and child lists."""

from __future__ import annotations

import json
from itertools import pairwise
from urllib.parse import parse_qs, urlsplit

import httpx
from hub_autotask.sandbox import Sandbox

from .conftest import EVERYTHING, query_all


def test_post_query_pages_through_everything_in_id_order(
    sandbox: Sandbox, api: httpx.Client
) -> None:
    items = query_all(api, "ConfigurationItems", {"MaxRecords": 500, "filter": EVERYTHING})
    ids = [item["id"] for item in items]
    assert ids == sorted(ids)
    assert items == sandbox.records("ConfigurationItems")
    # the CI ids have a large gap between blocks; paging crosses it
    assert max(b - a for a, b in pairwise(ids)) > 1_000_000


def test_next_page_url_shape(sandbox: Sandbox, api: httpx.Client) -> None:
    body = {"MaxRecords": 10, "filter": EVERYTHING}
    details = api.post("V1.0/Companies/query", json=body).json()["pageDetails"]
    assert details["count"] == 10 and details["requestCount"] == 10
    assert details["prevPageUrl"] is None
    url = details["nextPageUrl"]
    assert url.startswith(f"{sandbox.zone_url}V1.0/Companies/query/next?")
    params = parse_qs(urlsplit(url).query)
    paging = json.loads(params["paging"][0])
    assert paging["pageSize"] == 10 and paging["previousIds"] == [-1]
    assert paging["nextIds"] == [sandbox.records("Companies")[10]["id"]]
    assert json.loads(params["search"][0]) == body


def test_post_continuation_needs_post_with_the_body(api: httpx.Client) -> None:
    body = {"MaxRecords": 5, "filter": EVERYTHING}
    url = api.post("V1.0/Companies/query", json=body).json()["pageDetails"]["nextPageUrl"]
    assert api.get(url).status_code == 405
    no_body = api.post(url)
    assert no_body.status_code == 500 and no_body.json()["errors"]
    second = api.post(url, json=body).json()
    assert second["pageDetails"]["prevPageUrl"]
    previous = api.post(second["pageDetails"]["prevPageUrl"], json=body).json()
    first = api.post("V1.0/Companies/query", json=body).json()
    assert previous["items"] == first["items"]


def test_get_query_continues_with_get(sandbox: Sandbox, api: httpx.Client) -> None:
    search = json.dumps({"MaxRecords": 20, "filter": EVERYTHING})
    answer = api.get("V1.0/Companies/query", params={"search": search})
    items = []
    while True:
        data = answer.json()
        items += data["items"]
        if not data["pageDetails"]["nextPageUrl"]:
            break
        answer = api.get(data["pageDetails"]["nextPageUrl"])
        assert answer.status_code == 200
    assert [i["id"] for i in items] == [r["id"] for r in sandbox.records("Companies")]


def test_get_one_record_or_null(sandbox: Sandbox, api: httpx.Client) -> None:
    first = sandbox.records("Tickets")[0]
    assert api.get(f"V1.0/Tickets/{first['id']}").json() == {"item": first}
    missing = api.get("V1.0/Tickets/1")
    assert missing.status_code == 200 and missing.json() == {"item": None}


def test_child_lists(sandbox: Sandbox, api: httpx.Client) -> None:
    contract = next(c for c in sandbox.records("Contracts") if c["contractType"] == 7)
    services = api.get(f"V1.0/Contracts/{contract['id']}/Services").json()
    expected = [s for s in sandbox.records("ContractServices") if s["contractID"] == contract["id"]]
    assert services["items"] == expected and expected
    assert services["pageDetails"]["count"] == len(expected)
    company = next(c for c in sandbox.records("Companies") if c["id"] == 0)
    contacts = api.get(f"V1.0/Companies/{company['id']}/Contacts").json()["items"]
    assert contacts and all(c["companyID"] == company["id"] for c in contacts)
    one = api.get(f"V1.0/Companies/{company['id']}/Contacts/{contacts[0]['id']}").json()
    assert one["item"] == contacts[0]


def test_child_lists_page_at_500(fresh: Sandbox, client_for: object) -> None:
    contract = next(c for c in fresh.records("Contracts") if c["contractType"] == 7)
    service = fresh.records("Services")[0]["id"]
    for _ in range(520):
        fresh.create(
            "ContractServices",
            {"contractID": contract["id"], "serviceID": service, "unitPrice": 1.0},
        )
    client = client_for(fresh)  # type: ignore[operator]
    first = client.get(f"V1.0/Contracts/{contract['id']}/Services").json()
    assert first["pageDetails"]["count"] == 500
    rest = client.get(first["pageDetails"]["nextPageUrl"]).json()
    expected = [s for s in fresh.records("ContractServices") if s["contractID"] == contract["id"]]
    assert first["items"] + rest["items"] == expected


def test_id_gt_paging_alternative(sandbox: Sandbox, api: httpx.Client) -> None:
    seen: list[int] = []
    last = -1
    while True:
        body = {
            "MaxRecords": 400,
            "IncludeFields": ["id"],
            "filter": [{"op": "gt", "field": "id", "value": last}],
        }
        items = api.post("V1.0/ConfigurationItems/query", json=body).json()["items"]
        if not items:
            break
        seen += [item["id"] for item in items]
        last = seen[-1]
    assert seen == [r["id"] for r in sandbox.records("ConfigurationItems")]
