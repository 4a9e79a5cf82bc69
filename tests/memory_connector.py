"""A connector plugin over in-memory records, for testing the generic sync engine.

It is a real plugin (registered with the plugin manager), not a fake of the
engine: tests change its records and make it crash the process mid-pull.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import has_app_context
from marshmallow import Schema, fields

from hub import hookimpl
from hub.connector import CallGate, ConnectorInfo, Cursor, Page, PullPlan, StreamSpec
from hub.extensions import db

NAME = "memory"
SPLIT = 1000


class MemorySettings(Schema):
    """A token (secret) and a label."""

    token = fields.String(required=True, metadata={"secret": True, "label": "Token"})
    label = fields.String(load_default="memory")


class State:
    """The remote data and test switches (inherited by forked workers)."""

    records: dict[str, list[dict[str, Any]]] = {"widgets": [], "gadgets": []}
    page_size = 10
    crash_marker: Path | None = None
    crash_after_pages = 0
    request_log: Path | None = None
    broken: dict[str, list[dict[str, Any]]] = {}  # served with the first page, as they are
    deletion_log: list[tuple[str, int]] | None = None  # (deleted at, id) of widgets, if logged


def reset(widgets: int = 35, gadgets: int = 12) -> None:
    """Fill the remote with ``widgets`` and ``gadgets`` records (two id ranges for widgets)."""
    ids = [*range(1, widgets // 2 + 1), *range(SPLIT + 1, SPLIT + 1 + widgets - widgets // 2)]
    State.records = {
        "widgets": [
            {"id": i, "name": f"widget {i}", "modified": _hours_after_new_year(i)} for i in ids
        ],
        "gadgets": [{"id": i, "name": f"gadget {i}"} for i in range(1, gadgets + 1)],
    }
    State.crash_marker = None
    State.crash_after_pages = 0
    State.request_log = None
    State.broken = {}
    State.deletion_log = None


def _hours_after_new_year(hours: int) -> str:
    moment = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=hours)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _log(line: str) -> None:
    if State.request_log is not None:
        # A remote call made while the caller's session holds a transaction (and with it a
        # pooled connection, on SQLite perhaps the writer turn) is logged as such.
        if has_app_context() and db.session().in_transaction():
            line += " open-transaction"
        with State.request_log.open("a") as fh:
            fh.write(line + "\n")


@hookimpl
def hub_register_connectors(register: Callable[[ConnectorInfo], None]) -> None:
    """Register the memory connector."""
    register(
        ConnectorInfo(
            name=NAME,
            label="Memory",
            settings_schema=MemorySettings,
            max_concurrency=2,
            hourly_call_limit=1000,
        )
    )


@hookimpl
def hub_list_streams(connector: str) -> list[StreamSpec] | None:
    """Widgets change (``modified``); gadgets are always pulled in full."""
    if connector != NAME:
        return None
    return [
        StreamSpec("widgets", change_field="modified", hub_model="company"),
        StreamSpec("gadgets", hub_model="asset"),
    ]


def _matching(stream: str, since: str | None) -> list[dict[str, Any]]:
    rows = sorted(State.records[stream], key=lambda r: r["id"])
    if since:
        rows = [r for r in rows if r.get("modified", "") > since]
    return rows


@hookimpl
def hub_plan_pull(
    connector: str,
    settings: Mapping[str, Any],
    stream: str,
    since: str | None,
    ids_only: bool,
    gate: CallGate,
) -> PullPlan | None:
    """Count, and split widgets into two id ranges."""
    if connector != NAME:
        return None
    with gate.call(stream):
        total = len(_matching(stream, since))
    _log(f"{stream} plan")
    base = {"since": since, "ids_only": ids_only, "after": 0}
    if stream == "widgets":
        return PullPlan(total, [{**base, "upto": SPLIT}, {**base, "after": SPLIT, "upto": None}])
    return PullPlan(total, [{**base, "upto": None}])


@hookimpl
def hub_pull_page(
    connector: str, settings: Mapping[str, Any], stream: str, cursor: Cursor, gate: CallGate
) -> Page | None:
    """Return the next page after ``cursor['after']`` within its range."""
    if connector != NAME:
        return None
    if State.crash_marker is not None and not State.crash_marker.exists():
        served = int(os.environ.get("MEMORY_PAGES_SERVED", "0")) + 1
        os.environ["MEMORY_PAGES_SERVED"] = str(served)
        if served > State.crash_after_pages:
            State.crash_marker.write_text("crashed")
            os._exit(9)  # the worker process dies as if killed
    with gate.call(stream):
        rows = [
            r
            for r in _matching(stream, cursor["since"])
            if r["id"] > cursor["after"] and (cursor["upto"] is None or r["id"] <= cursor["upto"])
        ][: State.page_size]
    _log(f"{stream} after={cursor['after']}" + (" ids-only" if cursor["ids_only"] else ""))
    if cursor["ids_only"]:
        rows = [{"id": r["id"]} for r in rows]
    following = {**cursor, "after": rows[-1]["id"]} if len(rows) == State.page_size else None
    if cursor["after"] == 0:
        rows = [*rows, *State.broken.get(stream, [])]
    return Page(rows, following)


@hookimpl
def hub_deleted_ids(
    connector: str, settings: Mapping[str, Any], stream: str, since: str, gate: CallGate
) -> list[str] | None:
    """Widgets' deletion log, when the test keeps one."""
    if connector != NAME or stream != "widgets" or State.deletion_log is None:
        return None
    _log(f"{stream} deletion-log")
    with gate.call("deletion-log"):
        return [str(i) for at, i in State.deletion_log if at > since]


@hookimpl
def hub_split_cursor(
    connector: str,
    stream: str,
    cursor: Cursor,
    records: list[dict[str, Any]],
    remaining: int,
    parts: int,
) -> list[Cursor] | None:
    """Split an id range evenly by id (ids are dense here)."""
    if connector != NAME or not records:
        return None
    after = cursor["after"]
    end = cursor["upto"] if cursor["upto"] is not None else after + remaining
    step = (end - after) // parts
    if step < 1:
        return None
    bounds = [after + step * i for i in range(parts)] + [cursor["upto"]]
    return [{**cursor, "after": bounds[i], "upto": bounds[i + 1]} for i in range(parts)]
