"""Pull plans and pages: keyset paging by id, long ranges split into id-range partitions.

A cursor is a JSON dict ``{"after", "upto", "since", "ids_only"}``. A page is
one ``POST <Entity>/query`` of up to 500 records with ``id gt after`` (``id
gte 0`` at the start), ``id lte upto`` and, when ``since`` is set, ``<change
field> gt since``. The next cursor moves ``after`` to the page's highest id,
so resuming from any checkpoint neither repeats nor skips a record.

This is Autotask's documented alternative to following ``nextPageUrl``: the
cursor stays a small dict that survives a crash and another process (a
``nextPageUrl`` embeds the whole query and must be POSTed with the same body),
it composes with the ``upto`` bound of partitions, and nothing but the zone's
own paths ever receives the credentials. ``nextPageUrl`` is only read as the
"there is more" signal, so a range ends without an extra empty call.

Planning costs one ``query/count`` and returns one open range. A long
range is split while it runs (:func:`split_cursor`): the ids of the page
just pulled give the density from which the rest is cut into id ranges, the
last one open-ended, so the ranges are disjoint and cover every id however
far off the estimate is. That needs no extra call: an ``IncludeFields:
["id"]`` probe before the first page would cost one call and the same
round trip. ThresholdInformation is read at most once a minute.
"""

from __future__ import annotations

import itertools
import math
import statistics
import threading
import time
from collections.abc import Mapping
from typing import Any

from hub.connector import CallGate, Cursor, Page, PullPlan, Record
from hub.errors import AuthenticationFailed, ConfigurationError, ConnectionFailed
from hub.sync.timestamps import parse_timestamp
from hub_autotask.client import AutotaskClient
from hub_autotask.streams import AutotaskStream, stream

PAGE_SIZE = 500
SPLIT_MARGIN = 0.03  # how far off a split's density estimate may be before a part overflows
FIELD_CHECK_MAX_AGE = 3600.0

_field_checks: dict[tuple[str, str, str, str], tuple[float, bool]] = {}
_field_lock = threading.Lock()


def autotask_time(since: str) -> str:
    """Return the watermark as Autotask filters expect it: UTC ISO-8601 with ``Z``.

    Microseconds are kept (.NET parses up to seven digits), so ``gt`` is exact.
    """
    moment = parse_timestamp(since)
    if moment is None:
        raise ConfigurationError(f"since {since!r} is not an ISO-8601 timestamp")
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def filters(source: AutotaskStream, cursor: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the query filter of ``cursor``: its id range and change watermark."""
    after, upto, since = cursor.get("after"), cursor.get("upto"), cursor.get("since")
    clauses: list[dict[str, Any]] = [
        {"op": "gte", "field": "id", "value": 0}
        if after is None
        else {"op": "gt", "field": "id", "value": int(after)}
    ]
    if upto is not None:
        clauses.append({"op": "lte", "field": "id", "value": int(upto)})
    if since and source.spec.change_field:
        clauses.append(
            {"op": "gt", "field": source.spec.change_field, "value": autotask_time(str(since))}
        )
    return clauses


def _density(records: list[Record]) -> float | None:
    """Ids per record on a page (at least 1), or ``None`` with fewer than two ids.

    The median step between neighbouring ids: one jump over a run of
    deleted (or never used) ids must not make the page look sparse.
    """
    ids = sorted(int(r["id"]) for r in records if isinstance(r, dict) and r.get("id") is not None)
    if len(ids) < 2:
        return None
    return max(1.0, float(statistics.median(b - a for a, b in itertools.pairwise(ids))))


def records_left(cursor: Cursor, records: list[Record]) -> int | None:
    """Estimate the records a bounded range holds after ``cursor`` (``None``: open-ended)."""
    after, upto = cursor.get("after"), cursor.get("upto")
    density = _density(records)
    if after is None or upto is None or density is None:
        return None
    return max(0, math.ceil((int(upto) - int(after)) / density))


def split_cursor(
    cursor: Cursor, records: list[Record], remaining: int, parts: int
) -> list[Cursor] | None:
    """Split the rest of a keyset range into ``parts`` id ranges (first replaces ``cursor``).

    The cuts come from the id density of the page just pulled: every part
    but the last spans whole pages of records (a little less, so an estimate
    a few percent off does not cost a nearly empty extra page), and the last
    one runs to the range's end (open-ended if the range was), so the ranges
    always cover it all.
    """
    cursor = _check_cursor(cursor)
    after, upto = cursor.get("after"), cursor.get("upto")
    density = _density(records)
    if after is None or density is None or parts < 2:
        return None
    if upto is not None:
        remaining = math.ceil((int(upto) - int(after)) / density)
    pages = math.ceil(remaining / PAGE_SIZE)
    per_part = math.ceil(pages / parts)
    span = max(1, int(per_part * PAGE_SIZE * (1 - SPLIT_MARGIN) * density))
    bounds: list[int | None] = [int(after)]
    for _ in range(parts - 1):
        cut = int(bounds[-1] or 0) + span
        if (upto is not None and cut >= int(upto)) or len(bounds) * per_part >= pages:
            break
        bounds.append(cut)
    if len(bounds) < 2:
        return None
    bounds.append(upto)
    return [{**cursor, "after": bounds[i], "upto": bounds[i + 1]} for i in range(len(bounds) - 1)]


def _change_field_exists(client: AutotaskClient, gate: CallGate, entity: str, field: str) -> bool:
    key = (client.zone, client.credentials.fingerprint(), entity, field)
    now = time.monotonic()
    with _field_lock:
        known = _field_checks.get(key)
    if known and now - known[0] < FIELD_CHECK_MAX_AGE:
        return known[1]
    exists = any(f.get("name") == field for f in client.fields(gate, entity))
    with _field_lock:
        _field_checks[key] = (now, exists)
    return exists


def _report_usage(client: AutotaskClient, gate: CallGate) -> None:
    try:
        client.report_usage(gate)
    except AuthenticationFailed:
        raise
    except ConnectionFailed:
        pass  # usage figures are advisory: the pull itself reports real failures


def _start(
    client: AutotaskClient,
    gate: CallGate,
    source: AutotaskStream,
    since: str | None,
    ids_only: bool,
) -> Cursor:
    """Return the cursor of a whole pull; ``since`` dropped when the change field is missing."""
    base: Cursor = {"after": None, "upto": None, "since": None, "ids_only": bool(ids_only)}
    field = source.spec.change_field
    if since and field:
        if source.verify_change_field and not _change_field_exists(
            client, gate, source.entity, field
        ):
            since = None  # this tenant lacks the change field: pull in full
        base["since"] = autotask_time(since) if since else None
    return base


def count(settings: Mapping[str, Any], name: str, since: str | None, gate: CallGate) -> int:
    """Return how many records the stream holds (changed after ``since``): one call."""
    source = stream(name)
    client = AutotaskClient(settings)
    if source.kind != "entity":
        # Counted right after being pulled: the field list the pull read will do.
        return len(_picklist_records(client, gate, source, ids_only=True, recent=True))
    base = _start(client, gate, source, since, ids_only=True)
    return client.count(gate, source.entity, filters(source, base))


def plan_pull(
    settings: Mapping[str, Any], name: str, since: str | None, ids_only: bool, gate: CallGate
) -> PullPlan:
    """Count the matching records and return one cursor (the engine splits long ones)."""
    source = stream(name)
    if source.kind != "entity":
        base: Cursor = {"after": None, "upto": None, "since": None, "ids_only": bool(ids_only)}
        return PullPlan(total=None, cursors=[base])
    client = AutotaskClient(settings)
    base = _start(client, gate, source, since, ids_only)
    _report_usage(client, gate)
    if base.get("since") is not None:
        # An incremental pull usually finds a page or less: its first query tells more
        # than a count would, for the same price.
        return PullPlan(total=None, cursors=[base])
    total = client.count(gate, source.entity, filters(source, base))
    return PullPlan(total=total, cursors=[base])


def _check_cursor(cursor: Any) -> Cursor:
    if not isinstance(cursor, dict):
        raise ConfigurationError(f"an Autotask cursor must be a dict, not {cursor!r}")
    for key in ("after", "upto"):
        value = cursor.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ConfigurationError(f"cursor {key} must be an integer id or null: {cursor!r}")
    since = cursor.get("since")
    if since is not None and not isinstance(since, str):
        raise ConfigurationError(f"cursor since must be a timestamp or null: {cursor!r}")
    return cursor


def pull_page(settings: Mapping[str, Any], name: str, cursor: Cursor, gate: CallGate) -> Page:
    """Return the page at ``cursor`` and the cursor after it (``None`` at the range's end)."""
    source = stream(name)
    cursor = _check_cursor(cursor)
    client = AutotaskClient(settings)
    if source.kind != "entity":
        return Page(_picklist_records(client, gate, source, bool(cursor.get("ids_only"))), None)
    body: dict[str, Any] = {"MaxRecords": PAGE_SIZE, "filter": filters(source, cursor)}
    if cursor.get("ids_only"):
        body["IncludeFields"] = ["id"]
    answer = client.query(gate, source.entity, body)
    items = [item for item in answer.get("items") or [] if _within(item, cursor)]
    details = answer.get("pageDetails") or {}
    more = bool(items) and (bool(details.get("nextPageUrl")) or len(items) >= PAGE_SIZE)
    records: list[Record] = [{"id": i["id"]} for i in items] if cursor.get("ids_only") else items
    next_cursor = {**cursor, "after": max(int(i["id"]) for i in items)} if more else None
    left = records_left(next_cursor, items) if next_cursor is not None else 0
    return Page(records=records, next_cursor=next_cursor, remaining=left)


def _within(item: Any, cursor: Cursor) -> bool:
    """Guard the partition bounds even if Autotask ignored part of the filter."""
    if not isinstance(item, dict) or item.get("id") is None:
        return False
    key = int(item["id"])
    after, upto = cursor.get("after"), cursor.get("upto")
    return (after is None or key > after) and (upto is None or key <= upto)


def _picklist_records(
    client: AutotaskClient,
    gate: CallGate,
    source: AutotaskStream,
    ids_only: bool,
    *,
    recent: bool = False,
) -> list[Record]:
    fields = {f.get("name"): f for f in client.fields(gate, source.entity, recent=recent)}
    records: list[Record]
    if source.kind == "company_types":
        values = (fields.get("companyType") or {}).get("picklistValues") or []
        records = [
            {
                "id": int(v["value"]) if str(v["value"]).lstrip("-").isdigit() else v["value"],
                "label": v.get("label") or str(v["value"]),
                "isActive": bool(v.get("isActive", True)),
                "isSystem": bool(v.get("isSystem", False)),
                "sortOrder": v.get("sortOrder"),
            }
            for v in values
        ]
    else:
        if "isActive" not in fields:
            raise ConnectionFailed("Autotask's Companies have no isActive field to read statuses")
        records = [
            {"id": "true", "label": "Active", "isActive": True},
            {"id": "false", "label": "Inactive", "isActive": False},
        ]
    return [{"id": r["id"]} for r in records] if ids_only else records


def fetch_records(
    settings: Mapping[str, Any], name: str, remote_ids: list[str], gate: CallGate
) -> list[Record]:
    """Return the records with these ids, one query per 500; missing ones are left out."""
    source = stream(name)
    if source.kind != "entity":
        raise ConfigurationError(f"{name} is read from Autotask's metadata, not by id")
    try:
        ids = sorted({int(str(i)) for i in remote_ids})
    except ValueError:
        raise ConfigurationError(f"not Autotask record ids: {remote_ids!r}") from None
    client = AutotaskClient(settings)
    found: list[Record] = []
    for start in range(0, len(ids), PAGE_SIZE):
        chunk = ids[start : start + PAGE_SIZE]
        clause = {"op": "in", "field": "id", "value": chunk}
        answer = client.query(gate, source.entity, {"MaxRecords": PAGE_SIZE, "filter": [clause]})
        found.extend(i for i in answer.get("items") or [] if isinstance(i, dict) and "id" in i)
    return found
