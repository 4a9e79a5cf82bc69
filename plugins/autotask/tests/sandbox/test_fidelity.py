"""The sandbox stays inside Autotask's own Swagger description.

Every served (method, path) exists in ``swagger.json`` (except the paging
continuation ``query/next``, which Autotask returns in ``nextPageUrl`` but
does not describe), and every answer validates against the Swagger
definition of that path's 200 response.

Relaxations, because Swagger 2.0 cannot say what the live API does:
- every property may be null (Swagger 2.0 has no ``nullable``; Autotask sends
  ``null`` for empty fields);
- ``#/definitions/Object`` and ``RestUserAccessLevel`` accept any value (they
  are declared as empty objects but carry booleans, ids and strings such as
  ``isSupportedWebhookField``, ``itemId`` and ``userAccessForQuery``);
- ``date-time`` means Autotask's format (0-7 fractional digits, ``Z`` or no
  zone), not RFC 3339.
Models are made strict (``additionalProperties: false``) so an invented
field name fails.
"""

from __future__ import annotations

import copy
import re
from functools import cache
from typing import Any

import httpx
import jsonschema
import pytest
from hub_autotask.sandbox import Sandbox, swagger
from hub_autotask.sandbox.routes import route_table

from .conftest import EVERYTHING

DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z?$")
ANY = ("Object", "RestUserAccessLevel")


def _relax(schema: Any) -> Any:
    if isinstance(schema, dict):
        schema = {k: _relax(v) for k, v in schema.items()}
        if "properties" in schema:
            schema["properties"] = {
                name: {"anyOf": [prop, {"type": "null"}]}
                for name, prop in schema["properties"].items()
            }
            schema["additionalProperties"] = False
        return schema
    if isinstance(schema, list):
        return [_relax(item) for item in schema]
    return schema


@cache
def validator_for(definition: str) -> jsonschema.Draft4Validator:
    definitions = {
        name: _relax(copy.deepcopy(body)) for name, body in swagger.definitions().items()
    }
    for name in ANY:
        definitions[name] = {}
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date-time")(
        lambda value: not isinstance(value, str) or bool(DATETIME.match(value))
    )
    schema = {"$ref": f"#/definitions/{definition}", "definitions": definitions}
    return jsonschema.Draft4Validator(schema, format_checker=checker)


def assert_valid(template: str, method: str, body: Any) -> None:
    definition = swagger.response_model(template, method)
    assert definition, f"no 200 schema for {method} {template}"
    errors = sorted(validator_for(definition).iter_errors(body), key=str)
    assert not errors, f"{method} {template}: {errors[0].message} at {list(errors[0].path)}"


def test_every_route_exists_in_swagger() -> None:
    paths = swagger.paths()
    for route in route_table():
        if not route.in_swagger:
            assert route.template.endswith("/query/next")
            continue
        assert route.template in paths, route.template
        assert route.method.lower() in paths[route.template], (route.method, route.template)


ENTITY_ROUTES = sorted(
    {(r.template, r.entity) for r in route_table() if r.kind == "query" and r.method == "POST"}
)


@pytest.mark.parametrize(("template", "entity"), ENTITY_ROUTES)
def test_query_answers_validate(
    sandbox: Sandbox, api: httpx.Client, template: str, entity: str
) -> None:
    answer = api.post(template.removeprefix("/"), json={"MaxRecords": 500, "filter": EVERYTHING})
    assert answer.status_code == 200
    assert_valid(template, "post", answer.json())
    count = api.post(template.removeprefix("/") + "/count", json={"filter": EVERYTHING})
    assert_valid(template + "/count", "post", count.json())
    base = template.removesuffix("/query")
    for suffix in (
        "/entityInformation",
        "/entityInformation/fields",
        "/entityInformation/userDefinedFields",
    ):
        assert_valid(base + suffix, "get", api.get(base.removeprefix("/") + suffix).json())
    items = answer.json()["items"]
    if items:
        single = api.get(f"{base.removeprefix('/')}/{items[0]['id']}").json()
        assert_valid(base + "/{id}", "get", single)


def test_child_list_and_write_answers_validate(sandbox: Sandbox, api: httpx.Client) -> None:
    contract = next(c for c in sandbox.records("Contracts") if c["contractType"] == 7)["id"]
    for segment in ("Services", "ServiceUnits"):
        answer = api.get(f"V1.0/Contracts/{contract}/{segment}").json()
        assert answer["items"]
        assert_valid(f"/V1.0/Contracts/{{parentId}}/{segment}", "get", answer)
    answer = api.get("V1.0/Companies/0/Contacts").json()
    assert_valid("/V1.0/Companies/{parentId}/Contacts", "get", answer)
    created = api.post(
        "V1.0/ConfigurationItemCategories",
        json={"name": "Fidelity", "nickname": "FID", "isActive": True},
    )
    assert_valid("/V1.0/ConfigurationItemCategories", "post", created.json())


def test_threshold_and_zone_answers_validate(sandbox: Sandbox, api: httpx.Client) -> None:
    assert_valid("/V1.0/ThresholdInformation", "get", api.get("V1.0/ThresholdInformation").json())
    zone = httpx.get(
        f"{sandbox.zone_lookup_url}v1.0/zoneInformation",
        params={"user": sandbox.credentials["username"]},
    ).json()
    assert_valid("/V1.0/ZoneInformation", "get", zone)


def test_relaxed_schema_still_rejects_invented_fields(sandbox: Sandbox) -> None:
    record = sandbox.records("Companies")[0]
    with pytest.raises(AssertionError):
        assert_valid("/V1.0/Companies/{id}", "get", {"item": {**record, "companyTypo": 1}})
    with pytest.raises(AssertionError):
        assert_valid("/V1.0/Companies/{id}", "get", {"item": {**record, "companyType": "1"}})
