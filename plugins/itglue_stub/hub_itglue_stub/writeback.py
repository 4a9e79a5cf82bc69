"""Write-back: only a configuration's ``warranty-expires-at`` may be written.

Writes land in :mod:`hub_itglue_stub.dataset`'s in-process overlay. A write
is skipped, and says why, when the remote value moved away from what the hub
last read (``expected``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from hub.connector import CallGate, WriteResult
from hub_itglue_stub import dataset
from hub_itglue_stub.access import authenticate, denied_streams, permission_message

WRITABLE: dict[str, frozenset[str]] = {"configurations": frozenset({"warranty-expires-at"})}


def _bad_date(value: Any) -> bool:
    if value is None:
        return False
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return True
    return not isinstance(value, str)


def write_back(
    settings: Mapping[str, Any],
    stream: str,
    remote_id: str,
    changes: Mapping[str, Any],
    expected: Mapping[str, Any],
    gate: CallGate,
) -> WriteResult:
    """Write ``changes`` to one record unless a field moved; return what happened."""
    writable = WRITABLE.get(stream, frozenset())
    refused = sorted(set(changes) - writable)
    if not changes or refused:
        allowed = ", ".join(f"{s}.{f}" for s, fs in WRITABLE.items() for f in sorted(fs))
        what = ", ".join(refused) or "nothing"
        return WriteResult(
            "failed", f"IT Glue (stub) cannot write {what} on {stream}: only {allowed} is writable"
        )
    bad = [f for f, v in changes.items() if _bad_date(v)]
    if bad:
        return WriteResult("failed", f"{', '.join(bad)} must be a date (YYYY-MM-DD) or empty")
    with gate.call(stream):
        authenticate(settings)
        if stream in denied_streams(settings):
            return WriteResult("failed", permission_message(stream))
        current = dataset.find(stream, remote_id)
    if current is None:
        return WriteResult("failed", f"there is no {stream} record with id {remote_id!r} any more")
    moved = {f: current.get(f) for f, v in expected.items() if current.get(f) != v}
    if moved:
        detail = ", ".join(f"{f} is now {v!r}, not {expected[f]!r}" for f, v in moved.items())
        return WriteResult(
            "skipped",
            f"changed in IT Glue since the hub last read it ({detail})",
            remote_value=next(iter(moved.values())) if len(moved) == 1 else moved,
        )
    with gate.call(stream):
        updated = dataset.update(stream, remote_id, dict(changes))
    values = {f: updated.get(f) for f in changes}
    return WriteResult(
        "written", "", remote_value=next(iter(values.values())) if len(values) == 1 else values
    )
