"""Write-back: ``PATCH`` only the changed fields of one record, unless it moved.

The record is read by id first. When any ``expected`` value differs from
Autotask's current one the write is skipped, saying what moved; a record
that is gone (``{"item": null}``) fails. The write is ``PATCH /V1.0/<Entity>``
(or ``/<Parent>/<parentId>/<Child>`` for entities written through their
parent) with ``{"id", **changes}`` and nothing else: ``PUT`` would null every
field left out. Refusals (permissions, business rules) come back as
``WriteResult("failed", <Autotask's words>)``; only bad credentials and
throttling are raised, so the core can stop or retry the job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hub.connector import CallGate, WriteResult
from hub.errors import AuthenticationFailed, HubError, RateLimited, scrub
from hub.sync.timestamps import parse_timestamp
from hub_autotask.client import AutotaskClient
from hub_autotask.fields import DATE_ONLY, UDF_PREFIX
from hub_autotask.responses import ui_name
from hub_autotask.streams import stream

MASK = "*****"
READ_ONLY_ENTITIES = frozenset({"ContractServiceUnits"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def current_value(record: Mapping[str, Any], field: str) -> Any:
    """Return ``field`` of an Autotask record; ``userDefinedFields.<name>`` reads a UDF."""
    if field.startswith(UDF_PREFIX):
        wanted = field[len(UDF_PREFIX) :]
        for udf in record.get("userDefinedFields") or []:
            if isinstance(udf, dict) and udf.get("name") == wanted:
                return udf.get("value")
        return None
    return record.get(field)


def same(remote: Any, expected: Any) -> bool:
    """Return whether two values are equal, leniently for timestamps and numbers."""
    if remote == expected:
        return True
    if isinstance(remote, str) and isinstance(expected, str):
        a, b = parse_timestamp(remote), parse_timestamp(expected)
        if a is not None and a == b:
            return True
    try:
        return remote is not None and expected is not None and float(remote) == float(expected)
    except (TypeError, ValueError):
        return False


def patch_body(record_id: int, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Return the PATCH body: the id, the changed fields, changed UDFs as their list."""
    body: dict[str, Any] = {"id": record_id}
    udfs = []
    for field, value in changes.items():
        if field in DATE_ONLY and isinstance(value, str) and _DATE.match(value):
            value = value + "T00:00:00"  # date-only fields are not time-zone converted
        if field.startswith(UDF_PREFIX):
            udfs.append({"name": field[len(UDF_PREFIX) :], "value": value})
        else:
            body[field] = value
    if udfs:
        body["userDefinedFields"] = udfs
    return body


def _refusal(changes: Mapping[str, Any], entity: str) -> str | None:
    if not changes:
        return "nothing to write: no field was changed"
    if "id" in changes:
        return "the id of an Autotask record cannot be written"
    masked = sorted(f for f, v in changes.items() if v == MASK)
    if masked:
        return f"refusing to write the masked value {MASK!r} to {', '.join(masked)}"
    if entity in READ_ONLY_ENTITIES:
        return f"Autotask's {ui_name(entity)} are read-only through the API"
    return None


def write_back(
    settings: Mapping[str, Any],
    name: str,
    remote_id: str,
    changes: Mapping[str, Any],
    expected: Mapping[str, Any],
    gate: CallGate,
) -> WriteResult:
    """Write ``changes`` to one record unless a field moved; return what happened."""
    source = stream(name)
    if source.kind != "entity":
        return WriteResult("failed", f"{name} is read from Autotask's metadata and is not writable")
    refused = _refusal(changes, source.entity)
    if refused:
        return WriteResult("failed", refused)
    try:
        record_id = int(str(remote_id))
    except ValueError:
        return WriteResult("failed", f"{remote_id!r} is not an Autotask record id")
    client = AutotaskClient(settings)
    what = f"{ui_name(source.entity)} {record_id}"
    try:
        current = client.get(gate, source.entity, record_id)
        if current is None:
            return WriteResult(
                "failed",
                f"{what} no longer exists in Autotask (deleted, or no longer visible to the "
                "API user): nothing was written",
            )
        moved = {f: current_value(current, f) for f, v in expected.items()}
        moved = {f: v for f, v in moved.items() if not same(v, expected[f])}
        if moved:
            detail = ", ".join(f"{f} is now {v!r}, not {expected[f]!r}" for f, v in moved.items())
            return WriteResult(
                "skipped",
                f"{what} changed in Autotask since the hub last read it ({detail}): "
                "nothing was written",
                remote_value=next(iter(moved.values())) if len(moved) == 1 else moved,
            )
        path = source.entity
        if source.parent:
            parent, segment, field = source.parent
            path = f"{parent}/{current.get(field)}/{segment}"
        client.call(
            gate,
            "PATCH",
            path,
            body=patch_body(record_id, changes),
            action=f"the update of {what}",
        )
    except (AuthenticationFailed, RateLimited):
        raise
    except HubError as exc:
        return WriteResult("failed", scrub(str(exc), client.secrets))
    values = dict(changes)
    return WriteResult(
        "written", "", remote_value=next(iter(values.values())) if len(values) == 1 else values
    )
