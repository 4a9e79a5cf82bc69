"""The bundled data set and its in-process overlay of written-back values.

Records are stored as IT Glue sends them (JSON:API resources:
``{"id", "type", "attributes"}``) and served flattened, with the attributes
next to ``id`` and ``type``, so the primary key and change field are
top-level keys. Write-back changes land in a process-wide overlay, visible
to every later read in the same process; :func:`reset` forgets them.
"""

from __future__ import annotations

import copy
import json
import threading
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

from hub.connector import Record

_lock = threading.Lock()
_overlay: dict[tuple[str, str], dict[str, Any]] = {}


@cache
def _resources(stream: str) -> tuple[dict[str, Any], ...]:
    text = resources.files("hub_itglue_stub").joinpath("data", f"{stream}.json").read_text("utf-8")
    rows: list[dict[str, Any]] = json.loads(text)["data"]
    return tuple(sorted(rows, key=lambda row: int(row["id"])))


def _flatten(resource: dict[str, Any]) -> Record:
    record: Record = {"id": str(resource["id"]), "type": resource["type"]}
    record.update(copy.deepcopy(resource["attributes"]))
    return record


def records(stream: str) -> list[Record]:
    """Return every record of ``stream``, flattened, ordered by numeric id, overlay applied."""
    out = []
    with _lock:
        for resource in _resources(stream):
            record = _flatten(resource)
            record.update(copy.deepcopy(_overlay.get((stream, record["id"]), {})))
            out.append(record)
    return out


def find(stream: str, remote_id: str) -> Record | None:
    """Return one record by id, or ``None`` when there is none."""
    return next((r for r in records(stream) if r["id"] == str(remote_id)), None)


def update(stream: str, remote_id: str, changes: dict[str, Any]) -> Record:
    """Apply ``changes`` to one record in the overlay, bump its ``updated-at``, return it."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    with _lock:
        entry = _overlay.setdefault((stream, str(remote_id)), {})
        entry.update(copy.deepcopy(changes))
        entry["updated-at"] = stamp
    record = find(stream, remote_id)
    assert record is not None, "update() is only called for records that exist"
    return record


def reset() -> None:
    """Forget every written-back value (tests)."""
    with _lock:
        _overlay.clear()
