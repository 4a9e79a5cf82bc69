"""Handlers of the Autotask REST paths, after authentication and limits.

:func:`handle` turns a matched route plus the request's query string and
JSON body into ``(status, body)``. Queries page by ascending id: a POST query
is continued by POSTing the same body to ``<Entity>/query/next?paging=...``;
a GET query's ``nextPageUrl`` is the GET query URL with a ``paging``
parameter, so GET continues with GET.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from hub_autotask.sandbox import catalog, metadata
from hub_autotask.sandbox.errors import ApiError, business_rule
from hub_autotask.sandbox.limits import HourlyCounter
from hub_autotask.sandbox.query import Query, count, page, parse_query
from hub_autotask.sandbox.routes import Match
from hub_autotask.sandbox.store import Row, Store
from hub_autotask.sandbox.writes import Writer

FIRST_PAGE = -1


@dataclass
class ApiContext:
    """What the handlers need from the running sandbox."""

    store: Store
    writer: Writer
    counter: HourlyCounter
    zone_url: str
    denied: set[str]


def handle(
    ctx: ApiContext, match: Match, params: dict[str, str], body: Any, person: int
) -> tuple[int, dict[str, Any]]:
    """Serve one matched API request and return ``(status, json body)``."""
    route = match.route
    kind = route.kind
    if kind == "threshold":
        return 200, {
            "externalRequestThreshold": ctx.counter.limit,
            "requestThresholdTimeframe": 60,
            "currentTimeframeRequestCount": ctx.counter.count(),
        }
    assert route.entity is not None
    table = ctx.store.table(route.entity)
    spec = table.spec
    if kind == "info":
        return 200, metadata.entity_information(spec, spec.name.lower() in ctx.denied)
    if kind == "fields":
        return 200, metadata.field_information(ctx.store, spec)
    if kind == "udfs":
        return 200, metadata.udf_information(spec)
    if kind == "get":
        row = table.get(match.record_id or 0)
        if (
            row is not None
            and match.parent_id is not None
            and spec.parent
            and row[table.column[spec.parent.field]] != match.parent_id
        ):
            row = None
        return 200, {"item": table.to_record(row) if row is not None else None}
    if kind in ("query", "next", "count"):
        return _query(ctx, match, params, body)
    if kind == "children":
        return _children(ctx, match, params)
    if kind in ("create", "update", "replace"):
        if not isinstance(body, dict):
            raise business_rule("Value cannot be null. Parameter name: restModelInput")
        if kind == "create":
            item_id = ctx.writer.create(spec.name, body, person, parent_id=match.parent_id)
        else:
            item_id = ctx.writer.update(
                spec.name, body, person, parent_id=match.parent_id, replace=kind == "replace"
            )
        return 200, {"itemId": item_id}
    if kind == "delete":
        ctx.writer.delete(spec.name, match.record_id or 0, person, parent_id=match.parent_id)
        return 200, {"itemId": match.record_id}
    raise ApiError(500, f"unhandled route kind {kind}")


def _query(
    ctx: ApiContext, match: Match, params: dict[str, str], body: Any
) -> tuple[int, dict[str, Any]]:
    route = match.route
    assert route.entity is not None
    table = ctx.store.table(route.entity)
    if route.method == "GET":
        if "search" not in params:
            raise business_rule("Value cannot be null. Parameter name: search")
        try:
            body = json.loads(params["search"])
        except json.JSONDecodeError as exc:
            raise business_rule(f"The search parameter is not valid JSON: {exc.msg}") from exc
    elif body is None:
        raise business_rule("Value cannot be null. Parameter name: queryModel")
    query = parse_query(table, body)
    if route.kind == "count":
        return 200, {"queryCount": count(query, table)}
    start, previous = _paging(params)
    rows, next_start = page(
        table, query.predicate, max(start, query.id_floor), query.max_records,
        last_id=query.id_ceiling,
    )  # fmt: skip
    if route.method == "GET":
        base = f"{ctx.zone_url}V1.0/{table.name}/query?search={_encode(query.body)}&paging="
    else:
        base = f"{ctx.zone_url}V1.0/{table.name}/query/next?search={_encode(query.body)}&paging="
    return 200, _page_answer(table, rows, query, start, previous, next_start, base)


def _children(ctx: ApiContext, match: Match, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
    assert match.route.entity is not None
    table = ctx.store.table(match.route.entity)
    spec = table.spec
    assert spec.parent is not None
    column = table.column[spec.parent.field]
    parent_id = match.parent_id

    def scope(row: Row) -> bool:
        return bool(row[column] == parent_id)

    start, previous = _paging(params)
    rows, next_start = page(table, scope, start, 500)
    query = Query(500, None, scope, {})
    base = f"{ctx.zone_url}V1.0/{spec.parent.parent}/{parent_id}/{spec.parent.segment}?paging="
    return 200, _page_answer(table, rows, query, start, previous, next_start, base)


def _paging(params: dict[str, str]) -> tuple[int, list[int]]:
    if "paging" not in params:
        return FIRST_PAGE, []
    try:
        paging = {str(k).lower(): v for k, v in json.loads(params["paging"]).items()}
        next_ids = paging.get("nextids") or [FIRST_PAGE]
        return int(next_ids[0]), [int(i) for i in paging.get("previousids") or []]
    except (ValueError, TypeError, AttributeError) as exc:
        raise business_rule(f"The paging parameter is not valid: {exc}") from exc


def _encode(data: Any) -> str:
    return quote(json.dumps(data, separators=(",", ":"), ensure_ascii=False), safe="")


def _page_answer(
    table: Any,
    rows: list[Row],
    query: Query,
    start: int,
    previous: list[int],
    next_start: int | None,
    base: str,
) -> dict[str, Any]:
    size = query.max_records
    next_url = prev_url = None
    if next_start is not None:
        paging = {"pageSize": size, "previousIds": [*previous, start], "nextIds": [next_start]}
        next_url = base + _encode(paging)
    if previous:
        paging = {"pageSize": size, "previousIds": previous[:-1], "nextIds": [previous[-1]]}
        prev_url = base + _encode(paging)
    items = [table.to_record(row, query.include) for row in rows]
    return {
        "items": items,
        "pageDetails": {
            "count": len(items),
            "requestCount": size,
            "prevPageUrl": prev_url,
            "nextPageUrl": next_url,
        },
    }


def spec_of(match: Match) -> catalog.EntitySpec | None:
    """Return the entity spec a matched route serves, if any."""
    return catalog.BY_NAME.get(match.route.entity or "")
