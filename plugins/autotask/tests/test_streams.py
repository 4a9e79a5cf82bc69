"""The streams, as declared, agree with Autotask's own Swagger description."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

import pytest
from hub_autotask.streams import ALL, BY_ENTITY_TYPE, STREAMS, stream

from hub.errors import ConfigurationError
from hub.testing import HUB_MODELS

#: Key fields the hub maps, per entity (from the API notes); each must exist in Swagger.
KEY_FIELDS = {
    "Companies": ["companyName", "companyType", "isActive", "parentCompanyID", "ownerResourceID"],
    "Contacts": ["companyID", "firstName", "lastName", "isActive", "emailAddress"],
    "ConfigurationItems": ["companyID", "configurationItemType", "warrantyExpirationDate"],
    "ConfigurationItemTypes": ["name", "isActive"],
    "ConfigurationItemCategories": ["name", "nickname", "isActive"],
    "Products": ["name", "isActive"],
    "Contracts": ["contractName", "status", "companyID", "startDate", "endDate"],
    "ContractServices": ["contractID", "serviceID", "unitPrice", "unitCost"],
    "Services": ["name", "unitPrice", "periodType"],
    "ContractServiceUnits": ["contractID", "contractServiceID", "units", "price"],
    "Opportunities": ["title", "companyID", "status", "amount"],
    "Tickets": ["ticketNumber", "title", "companyID", "status", "priority"],
    "Projects": ["projectName", "companyID", "status"],
    "Resources": ["firstName", "lastName", "email", "isActive"],
}


@cache
def swagger() -> dict[str, Any]:
    """Autotask's Swagger document (the copy the sandbox ships)."""
    text = resources.files("hub_autotask.sandbox").joinpath("swagger.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def model_fields(entity: str) -> set[str]:
    """Return the property names of the model ``GET /V1.0/<entity>/{id}`` answers."""
    ref = swagger()["paths"][f"/V1.0/{entity}/{{id}}"]["get"]["responses"]["200"]["schema"]["$ref"]
    model = re.search(r"\[(\w+),", ref)
    assert model, ref
    return set(swagger()["definitions"][model.group(1)]["properties"])


@pytest.mark.parametrize("source", [s for s in ALL if s.kind == "entity"], ids=lambda s: s.name)
def test_entities_fields_and_change_fields_exist_in_swagger(source: Any) -> None:
    """Every entity stream can be queried and counted, and its change field is a real field."""
    paths = swagger()["paths"]
    assert "post" in paths[f"/V1.0/{source.entity}/query"]
    assert "post" in paths[f"/V1.0/{source.entity}/query/count"]
    fields = model_fields(source.entity)
    assert "id" in fields
    if source.spec.change_field:
        assert source.spec.change_field in fields
    missing = [f for f in KEY_FIELDS[source.entity] if f not in fields]
    assert not missing


def test_streams_as_data() -> None:
    """snake_case names from the entity, id keys, hub models from the known set, parents first."""
    names = [s.name for s in STREAMS]
    assert names.index("companies") < names.index("contacts") < names.index("configuration_items")
    assert names.index("contracts") < names.index("contract_services")
    assert names.index("company_types") < names.index("companies")
    assert all(s.primary_key == "id" for s in STREAMS)
    assert {s.hub_model for s in STREAMS} - {None} <= HUB_MODELS
    for source in ALL:
        if source.kind == "entity":
            snake = re.sub(r"(?<!^)(?=[A-Z])", "_", source.entity).lower()
            assert source.name == snake


def test_webhooks_cover_what_autotask_supports() -> None:
    """Companies, contacts, CIs and tickets; their webhook entities exist in Swagger."""
    assert {s.name for s in STREAMS if s.webhooks} == {
        "companies",
        "contacts",
        "configuration_items",
        "tickets",
    }
    paths = swagger()["paths"]
    for source in BY_ENTITY_TYPE.values():
        assert "post" in paths[f"/V1.0/{source.webhook_entity}"]
        assert f"/V1.0/{source.webhook_entity}/{{parentId}}/Fields" in paths
        fields_entity = source.webhook_entity.removesuffix("s") + "Fields"
        assert f"/V1.0/{fields_entity}/entityInformation/fields" in paths


def test_writes_through_parents_match_swagger() -> None:
    """Entities without a top-level PATCH declare the parent path Swagger offers."""
    paths = swagger()["paths"]
    for source in ALL:
        if source.kind != "entity" or source.entity == "ContractServiceUnits":
            continue
        top = paths.get(f"/V1.0/{source.entity}", {})
        if "patch" in top:
            assert source.parent is None
        else:
            assert source.parent, source.name
            parent, segment, _ = source.parent
            assert "patch" in paths[f"/V1.0/{parent}/{{parentId}}/{segment}"]


def test_unknown_stream_names_the_known_ones() -> None:
    """A typo is a ConfigurationError listing the streams."""
    with pytest.raises(ConfigurationError, match="companies"):
        stream("compnies")
