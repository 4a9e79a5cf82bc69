"""Pull a whole stream through the connector facade, checking each step on the way.

:func:`pull_stream` is what the contract suite uses, and what a plugin's own
tests can use: it plans the pull, follows every partition's cursors to the
end through a :class:`CountingGate`, and fails with a plain message when a
page made no gated call, a call was left holding its slot, a cursor is not
JSON, or a cursor stops advancing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hub.connector import Cursor, Page, PullPlan, Record
from hub.connectors import Connector
from hub.testing.gates import CountingGate

MAX_PAGES = 100_000


class ContractViolation(AssertionError):
    """A connector broke the pull contract; the message says how."""


@dataclass
class PullResult:
    """Everything one full pull of a stream produced."""

    plan: PullPlan
    records: list[Record] = field(default_factory=list)
    pages: int = 0


def checkpoint(cursor: Cursor) -> Cursor:
    """Return ``cursor`` after a JSON round trip, as the core stores checkpoints."""
    try:
        restored: Cursor = json.loads(json.dumps(cursor))
    except (TypeError, ValueError) as exc:
        raise ContractViolation(f"cursor {cursor!r} is not JSON-serialisable: {exc}") from None
    return restored


def pull_page(
    connector: Connector,
    settings: Mapping[str, Any],
    stream: str,
    cursor: Cursor,
    gate: CountingGate,
) -> Page:
    """Pull one page and check it went through ``gate`` and released every slot."""
    before = gate.total
    page = connector.pull_page(settings, stream, cursor, gate)
    if gate.total == before:
        raise ContractViolation(f"{stream}: a page was pulled without a call through the gate")
    if gate.in_flight:
        raise ContractViolation(f"{stream}: a gated call was still in flight after the page")
    for record in page.records:
        try:
            json.dumps(record)
        except (TypeError, ValueError) as exc:
            raise ContractViolation(f"{stream}: record is not JSON: {exc}: {record!r}") from None
    return page


def pull_partition(
    connector: Connector,
    settings: Mapping[str, Any],
    stream: str,
    cursor: Cursor | None,
    gate: CountingGate,
) -> tuple[list[Record], int]:
    """Follow one partition from ``cursor`` to its end; return its records and page count."""
    records: list[Record] = []
    seen: set[str] = set()
    pages = 0
    while cursor is not None:
        key = json.dumps(checkpoint(cursor), sort_keys=True)
        if key in seen or pages >= MAX_PAGES:
            raise ContractViolation(f"{stream}: the cursor stopped advancing at {cursor!r}")
        seen.add(key)
        page = pull_page(connector, settings, stream, checkpoint(cursor), gate)
        records.extend(page.records)
        pages += 1
        cursor = page.next_cursor
    return records, pages


def pull_stream(
    connector: Connector,
    settings: Mapping[str, Any],
    stream: str,
    gate: CountingGate | None = None,
    *,
    since: str | None = None,
    ids_only: bool = False,
) -> PullResult:
    """Plan a pull of ``stream`` and follow every partition to the end."""
    gate = gate if gate is not None else CountingGate()
    plan = connector.plan_pull(settings, stream, since, gate, ids_only=ids_only)
    if not plan.cursors and plan.total != 0:
        raise ContractViolation(f"{stream}: the pull plan has no cursor but {plan.total} records")
    result = PullResult(plan=plan)
    for cursor in plan.cursors:
        records, pages = pull_partition(connector, settings, stream, cursor, gate)
        result.records.extend(records)
        result.pages += pages
    return result
