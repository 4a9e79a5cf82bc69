"""Autotask's own Swagger 2.0 description, loaded once from package data.

The sandbox takes entity field names and types, and the paths it serves, from
``swagger.json`` (Autotask's published API description) rather than from
memory, so what it answers stays inside what the real API documents.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

#: Properties that appear in Swagger models but never in real JSON answers
#: (they describe .NET expression trees used by Autotask internally).
INTERNAL_PROPERTIES = frozenset({"soapParentPropertyId"})


@cache
def load_swagger() -> dict[str, Any]:
    """Return the parsed ``swagger.json`` shipped with the sandbox package."""
    text = resources.files("hub_autotask.sandbox").joinpath("swagger.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def definitions() -> dict[str, Any]:
    """Return the ``definitions`` section (model name -> JSON schema)."""
    defs: dict[str, Any] = load_swagger()["definitions"]
    return defs


def paths() -> dict[str, dict[str, Any]]:
    """Return the ``paths`` section (path template -> method -> operation)."""
    found: dict[str, dict[str, Any]] = load_swagger()["paths"]
    return found


@cache
def model_fields(model: str) -> tuple[tuple[str, str, str | None], ...]:
    """Return ``(name, type, format)`` for each real property of ``model``.

    ``userDefinedFields`` and internal properties are left out: the store keeps
    user-defined fields apart from ordinary columns.
    """
    props: dict[str, Any] = definitions()[model]["properties"]
    fields = []
    for name, schema in props.items():
        if name in INTERNAL_PROPERTIES or name == "userDefinedFields":
            continue
        fields.append((name, str(schema.get("type", "object")), schema.get("format")))
    return tuple(fields)


def model_has_udfs(model: str) -> bool:
    """Return whether records of ``model`` carry a ``userDefinedFields`` list."""
    return "userDefinedFields" in definitions()[model]["properties"]


def path_methods(template: str) -> frozenset[str]:
    """Return the upper-case HTTP methods Swagger lists for a path template."""
    return frozenset(method.upper() for method in paths().get(template, {}))


def response_model(template: str, method: str) -> str | None:
    """Return the definition name of a path's 200 answer, or None."""
    operation = paths().get(template, {}).get(method.lower())
    if not operation:
        return None
    schema = operation.get("responses", {}).get("200", {}).get("schema") or {}
    ref = schema.get("$ref", "")
    return ref.removeprefix("#/definitions/") or None
