"""Pull plans and pages: paging by numeric id, two id-range partitions for big streams.

A cursor is a JSON dict ``{"after", "upto", "since", "ids_only"}``: the page
holds the next ``page_size`` records whose id is above ``after`` and at most
``upto`` (either bound may be ``None``), changed after ``since`` when the
stream has a change field. ``next_cursor`` moves ``after`` to the page's last
id, so a pull resumed from any checkpoint neither repeats nor skips a record.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from hub.connector import CallGate, Cursor, Page, PullPlan, Record
from hub.errors import ConfigurationError
from hub_itglue_stub import dataset
from hub_itglue_stub.access import require_readable
from hub_itglue_stub.streams import stream_spec

PARTITION_FACTOR = 2  # split a stream in two when it holds at least 2 pages


def _instant(value: str, what: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{what} {value!r} is not an ISO-8601 timestamp") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _matching(stream: str, since: str | None) -> list[Record]:
    spec = stream_spec(stream)
    rows = dataset.records(stream)
    if since is None or spec.change_field is None:
        return rows
    watermark = _instant(since, "since")
    field = spec.change_field
    return [r for r in rows if r.get(field) and _instant(r[field], field) > watermark]


def _within(record: Record, cursor: Cursor) -> bool:
    key = int(record["id"])
    after, upto = cursor.get("after"), cursor.get("upto")
    return (after is None or key > int(after)) and (upto is None or key <= int(upto))


def plan_pull(
    settings: Mapping[str, Any], stream: str, since: str | None, ids_only: bool, gate: CallGate
) -> PullPlan:
    """Count the matching records and return one cursor, or two id-range partitions."""
    with gate.call(stream):
        require_readable(settings, stream)
        rows = _matching(stream, since)
    base: Cursor = {"after": None, "upto": None, "since": since, "ids_only": ids_only}
    if len(rows) < PARTITION_FACTOR * int(settings.get("page_size", 50)):
        return PullPlan(total=len(rows), cursors=[base])
    split = rows[len(rows) // 2 - 1]["id"]
    return PullPlan(total=len(rows), cursors=[{**base, "upto": split}, {**base, "after": split}])


def count(settings: Mapping[str, Any], stream: str, since: str | None, gate: CallGate) -> int:
    """Count the records of ``stream`` changed after ``since`` (one call)."""
    with gate.call(stream):
        require_readable(settings, stream)
        return len(_matching(stream, since))


def pull_page(settings: Mapping[str, Any], stream: str, cursor: Cursor, gate: CallGate) -> Page:
    """Return the page at ``cursor`` and the cursor after it (``None`` at the end)."""
    size = int(settings.get("page_size", 50))
    with gate.call(stream):
        require_readable(settings, stream)
        rows = [r for r in _matching(stream, cursor.get("since")) if _within(r, cursor)]
    page, more = rows[:size], len(rows) > size
    records = [{"id": r["id"]} for r in page] if cursor.get("ids_only") else page
    next_cursor = {**cursor, "after": page[-1]["id"]} if more else None
    return Page(records=records, next_cursor=next_cursor)
