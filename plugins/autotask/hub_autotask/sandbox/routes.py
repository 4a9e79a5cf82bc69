"""The route table of the simulated Autotask API, built from ``swagger.json``.

Routes are derived from Swagger's paths for every modeled entity, so each
(method, path) the sandbox serves exists in Autotask's description. The one
exception is the paging continuation ``<Entity>/query/next``, which Autotask
puts in ``nextPageUrl`` but does not describe; it is marked
``in_swagger=False``. Matching is case-insensitive, like IIS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from hub_autotask.sandbox import catalog, swagger
from hub_autotask.sandbox.errors import ApiError, method_not_allowed, not_found


@dataclass(frozen=True)
class Route:
    """One served (method, path template) and what handles it."""

    method: str
    template: str
    kind: str
    entity: str | None = None
    in_swagger: bool = True

    @property
    def thread_key(self) -> str:
        """Return the object endpoint the thread limit counts (top-level entity)."""
        return self.template.split("/")[2]


@dataclass(frozen=True)
class Match:
    """A route matched against a concrete path, with its path parameters."""

    route: Route
    record_id: int | None = None
    parent_id: int | None = None


def _entity_routes(spec: catalog.EntitySpec) -> list[Route]:
    name = spec.name
    routes: list[Route] = []
    if spec.parent:
        base = f"/V1.0/{spec.parent.parent}/{{parentId}}/{spec.parent.segment}"
        item = f"{base}/{{id}}"
        routes.append(Route("GET", base, "children", name))
    else:
        base = f"/V1.0/{name}"
        item = f"{base}/{{id}}"
    for suffix, kind in (
        ("/entityInformation", "info"),
        ("/entityInformation/fields", "fields"),
        ("/entityInformation/userDefinedFields", "udfs"),
    ):
        routes.append(Route("GET", base + suffix, kind, name))
    routes.append(Route("GET", item, "get", name))
    writes = {"POST": "create", "PATCH": "update", "PUT": "replace"}
    routes += [
        Route(m, base, kind, name) for m, kind in writes.items() if m in swagger.path_methods(base)
    ]
    if "DELETE" in swagger.path_methods(item):
        routes.append(Route("DELETE", item, "delete", name))
    top = f"/V1.0/{name}"
    if "POST" in swagger.path_methods(f"{top}/query"):
        for method in ("GET", "POST"):
            routes.append(Route(method, f"{top}/query", "query", name))
            routes.append(Route(method, f"{top}/query/count", "count", name))
        routes.append(Route("POST", f"{top}/query/next", "next", name, in_swagger=False))
        if spec.parent:  # also reachable at top level for reading (e.g. /V1.0/Contacts/{id})
            routes.append(Route("GET", f"{top}/{{id}}", "get", name))
            for suffix, kind in (
                ("/entityInformation", "info"),
                ("/entityInformation/fields", "fields"),
                ("/entityInformation/userDefinedFields", "udfs"),
            ):
                routes.append(Route("GET", top + suffix, kind, name))
    return [r for r in routes if not r.in_swagger or r.method in swagger.path_methods(r.template)]


@cache
def route_table() -> tuple[Route, ...]:
    """Return every route the sandbox serves (enumerable for the fidelity tests)."""
    routes = [
        Route("GET", "/V1.0/ThresholdInformation", "threshold"),
        Route("GET", "/V1.0/ZoneInformation", "zone"),
    ]
    seen: set[tuple[str, str]] = set()
    for spec in catalog.SPECS:
        for route in _entity_routes(spec):
            if (route.method, route.template) not in seen:
                seen.add((route.method, route.template))
                routes.append(route)
    return tuple(routes)


@cache
def _compiled() -> dict[str, list[tuple[re.Pattern[str], list[Route]]]]:
    by_pattern: dict[str, list[Route]] = {}
    for route in route_table():
        by_pattern.setdefault(route.template, []).append(route)
    for spec in catalog.SPECS:  # known entity, no such method: 405 like ASP.NET, not 404
        by_pattern.setdefault(f"/V1.0/{spec.name}", [])
    index: dict[str, list[tuple[re.Pattern[str], list[Route]]]] = {}
    for template, routes in by_pattern.items():
        pattern = (
            re.escape(template)
            .replace(r"\{id\}", r"(?P<id>-?\d+)")
            .replace(r"\{parentId\}", r"(?P<parentId>-?\d+)")
        )
        key = template.split("/")[2].lower()
        index.setdefault(key, []).append((re.compile(f"^{pattern}/?$", re.IGNORECASE), routes))
    return index


def resolve(method: str, path: str) -> Match:
    """Return the route serving ``method path`` (path starts with ``/V1.0/``).

    Raises :class:`ApiError` 404 when no path matches and 405 when the path
    exists but not with this method.
    """
    parts = path.split("/")
    candidates = _compiled().get(parts[2].lower(), []) if len(parts) > 2 else []
    for pattern, routes in candidates:
        found = pattern.match(path)
        if not found:
            continue
        for route in routes:
            if route.method == method:
                groups = found.groupdict()
                record = groups.get("id")
                parent = groups.get("parentId")
                return Match(
                    route,
                    int(record) if record is not None else None,
                    int(parent) if parent is not None else None,
                )
        raise method_not_allowed(method)
    raise not_found(path)


def is_api_error(exc: BaseException) -> bool:
    """Return whether ``exc`` is an answer rather than a crash."""
    return isinstance(exc, ApiError)
