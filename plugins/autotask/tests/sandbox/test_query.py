"""Query semantics: operators, groups, UDF conditions, limits and projections."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hub_autotask.sandbox import Sandbox

from .conftest import EVERYTHING, query_all


def ids(client: httpx.Client, entity: str, filters: list[dict[str, Any]]) -> set[int]:
    return {item["id"] for item in query_all(client, entity, {"filter": filters})}


def local(sandbox: Sandbox, entity: str, test: Any) -> set[int]:
    return {r["id"] for r in sandbox.records(entity) if test(r)}


def error_of(answer: httpx.Response) -> str:
    assert answer.status_code == 500, answer.text
    return " ".join(answer.json()["errors"])


@pytest.mark.parametrize(
    ("op", "value", "test"),
    [
        ("eq", 1, lambda v: v == 1),
        ("noteq", 1, lambda v: v is not None and v != 1),
        ("gt", 3, lambda v: v is not None and v > 3),
        ("gte", 3, lambda v: v is not None and v >= 3),
        ("lt", 3, lambda v: v is not None and v < 3),
        ("lte", 3, lambda v: v is not None and v <= 3),
        ("in", [2, 3], lambda v: v in (2, 3)),
        ("notIn", [1, 7], lambda v: v is not None and v not in (1, 7)),
    ],
)
def test_comparison_operators(
    sandbox: Sandbox, api: httpx.Client, op: str, value: Any, test: Any
) -> None:
    got = ids(api, "Companies", [{"op": op, "field": "companyType", "value": value}])
    assert got == local(sandbox, "Companies", lambda r: test(r["companyType"]))
    assert got


def test_string_operators_are_case_insensitive(sandbox: Sandbox, api: httpx.Client) -> None:
    name = next(r["companyName"] for r in sandbox.records("Companies") if r["id"] == 0)
    for op, value, test in (
        ("eq", name.upper(), lambda s: s.lower() == name.lower()),
        ("beginsWith", "NORTH", lambda s: s.lower().startswith("north")),
        ("endsWith", "MSP", lambda s: s.lower().endswith("msp")),
        ("contains", "WIND", lambda s: "wind" in s.lower()),
    ):
        got = ids(api, "Companies", [{"op": op, "field": "companyName", "value": value}])
        assert got == local(sandbox, "Companies", lambda r, t=test: t(r["companyName"]))
        assert 0 in got


def test_exist_and_not_exist(sandbox: Sandbox, api: httpx.Client) -> None:
    has = ids(api, "Companies", [{"op": "exist", "field": "webAddress"}])
    hasnt = ids(api, "Companies", [{"op": "notExist", "field": "webAddress"}])
    assert has and hasnt and not has & hasnt
    assert has | hasnt == local(sandbox, "Companies", lambda r: True)


def test_nested_groups_and_top_level_and(sandbox: Sandbox, api: httpx.Client) -> None:
    filters: list[dict[str, Any]] = [
        {"op": "eq", "field": "isActive", "value": True},
        {
            "op": "or",
            "items": [
                {"op": "eq", "field": "companyType", "value": 3},
                {
                    "op": "and",
                    "items": [
                        {"op": "eq", "field": "companyType", "value": 1},
                        {"op": "beginsWith", "field": "companyName", "value": "s"},
                    ],
                },
            ],
        },
    ]
    expected = local(
        sandbox,
        "Companies",
        lambda r: (
            r["isActive"]
            and (
                r["companyType"] == 3
                or (r["companyType"] == 1 and r["companyName"].lower().startswith("s"))
            )
        ),
    )
    assert ids(api, "Companies", filters) == expected


def test_datetimes_compare_as_instants_in_any_format(sandbox: Sandbox, api: httpx.Client) -> None:
    for value in (
        "2025-01-01T00:00:00Z",
        "2025-01-01T00:00:00",
        "2025-01-01T00:00:00.0000000Z",
        "2025-01-01T01:00:00+01:00",
        "2025-01-01",
    ):
        got = ids(
            api, "ConfigurationItems", [{"op": "gt", "field": "lastModifiedTime", "value": value}]
        )
        expected = local(
            sandbox,
            "ConfigurationItems",
            lambda r: r["lastModifiedTime"].rstrip("Z") > "2025-01-01T00:00:00",
        )
        assert got == expected, value


def test_udf_condition(sandbox: Sandbox, api: httpx.Client) -> None:
    got = ids(api, "Companies", [{"op": "eq", "field": "Tier", "udf": True, "value": "gold"}])
    expected = local(
        sandbox,
        "Companies",
        lambda r: any(u["name"] == "Tier" and u["value"] == "Gold" for u in r["userDefinedFields"]),
    )
    assert got == expected and got


def test_more_than_one_udf_condition_is_500(api: httpx.Client) -> None:
    body = {
        "filter": [
            {"op": "exist", "field": "Tier", "udf": True},
            {"op": "exist", "field": "NAV ID", "udf": True},
        ]
    }
    assert "user-defined" in error_of(api.post("V1.0/Companies/query", json=body))


@pytest.mark.parametrize("max_records", [0, 501, -1])
def test_max_records_outside_1_to_500_is_500(api: httpx.Client, max_records: int) -> None:
    body = {"MaxRecords": max_records, "filter": EVERYTHING}
    assert (
        error_of(api.post("V1.0/Companies/query", json=body))
        == "maxCountOfRecordsToReturn must be between 1 and 500"
    )


def test_max_records_defaults_to_500(api: httpx.Client) -> None:
    data = api.post("V1.0/ConfigurationItems/query", json={"filter": EVERYTHING}).json()
    assert data["pageDetails"]["requestCount"] == 500
    assert data["pageDetails"]["count"] == len(data["items"]) == 500


def test_key_names_are_case_insensitive(api: httpx.Client) -> None:
    body = {"maxrecords": 3, "INCLUDEFIELDS": ["companyName"], "Filter": EVERYTHING}
    data = api.post("V1.0/Companies/query", json=body).json()
    assert len(data["items"]) == 3
    assert set(data["items"][0]) == {"id", "companyName", "userDefinedFields"}


def test_include_fields_projects_plus_id_and_udfs(api: httpx.Client) -> None:
    body = {"IncludeFields": ["serialNumber"], "filter": EVERYTHING, "MaxRecords": 5}
    items = api.post("V1.0/ConfigurationItems/query", json=body).json()["items"]
    assert all(set(item) == {"id", "serialNumber", "userDefinedFields"} for item in items)
    body = {"IncludeFields": ["name"], "filter": EVERYTHING}  # no UDFs on this entity
    items = api.post("V1.0/ConfigurationItemTypes/query", json=body).json()["items"]
    assert all(set(item) == {"id", "name"} for item in items)


def test_missing_filter_is_500_and_empty_filter_is_no_rows(api: httpx.Client) -> None:
    message = error_of(api.post("V1.0/Companies/query", json={"MaxRecords": 5}))
    assert message == "Value cannot be null. Parameter name: filters"
    data = api.post("V1.0/Companies/query", json={"filter": []}).json()
    assert data["items"] == [] and data["pageDetails"]["count"] == 0


def test_unknown_field_is_500(api: httpx.Client) -> None:
    body = {"filter": [{"op": "eq", "field": "companyNam", "value": "x"}]}
    assert "companyNam" in error_of(api.post("V1.0/Companies/query", json=body))


def test_unknown_operator_is_silently_ignored(sandbox: Sandbox, api: httpx.Client) -> None:
    body = {"filter": [{"op": "ne", "field": "companyType", "value": 1}]}
    assert len(query_all(api, "Companies", body)) == len(sandbox.records("Companies"))


def test_more_than_500_or_conditions_is_500(api: httpx.Client) -> None:
    many = [{"op": "eq", "field": "id", "value": i} for i in range(501)]
    assert error_of(
        api.post("V1.0/Companies/query", json={"filter": [{"op": "or", "items": many}]})
    )
    big_in = {"filter": [{"op": "in", "field": "id", "value": list(range(501))}]}
    assert error_of(api.post("V1.0/Companies/query", json=big_in))
    ok = {"filter": [{"op": "or", "items": many[:500]}]}
    assert api.post("V1.0/Companies/query", json=ok).status_code == 200


def test_get_query_with_search_parameter(sandbox: Sandbox, api: httpx.Client) -> None:
    search = json.dumps({"filter": [{"op": "eq", "field": "companyType", "value": 7}]})
    data = api.get("V1.0/Companies/query", params={"search": search}).json()
    assert {i["id"] for i in data["items"]} == local(
        sandbox, "Companies", lambda r: r["companyType"] == 7
    )


def test_count(sandbox: Sandbox, api: httpx.Client) -> None:
    body = {"filter": [{"op": "eq", "field": "isActive", "value": False}]}
    expected = len(local(sandbox, "Companies", lambda r: not r["isActive"]))
    assert api.post("V1.0/Companies/query/count", json=body).json() == {"queryCount": expected}
    answer = api.get("V1.0/Companies/query/count", params={"search": json.dumps(body)})
    assert answer.json() == {"queryCount": expected}


def test_id_ranges_page_and_count_only_their_records(sandbox: Sandbox, api: httpx.Client) -> None:
    """Ranges of ids (how a caller splits a table), bounds as numbers or text, some in an or."""
    all_ids = sorted(r["id"] for r in sandbox.records("ConfigurationItems"))
    assert len(all_ids) > 1200  # a range spans pages
    low, high = all_ids[100], all_ids[900]

    def on_id(op: str, value: Any) -> dict[str, Any]:
        return {"op": op, "field": "id", "value": value}

    cases: list[tuple[list[dict[str, Any]], Any]] = [
        ([on_id("gt", low), on_id("lte", high)], lambda i: low < i <= high),
        ([on_id("gte", str(low)), on_id("lt", high)], lambda i: low <= i < high),
        ([on_id("eq", high)], lambda i: i == high),
        ([on_id("lt", low)], lambda i: i < low),
        ([on_id("gte", high), on_id("lte", low)], lambda i: False),
        ([{"op": "or", "items": [on_id("lte", low), on_id("gt", high)]}],
         lambda i: i <= low or i > high),
    ]  # fmt: skip
    for filters, test in cases:
        expected = {i for i in all_ids if test(i)}
        assert ids(api, "ConfigurationItems", filters) == expected, filters
        counted = api.post("V1.0/ConfigurationItems/query/count", json={"filter": filters})
        assert counted.json() == {"queryCount": len(expected)}, filters
