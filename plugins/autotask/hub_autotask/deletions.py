"""Deletion logs: Autotask records deleted tickets in ``DeletedTicketLogs``.

For tickets, the ids deleted since the last pull are read from the log
(``deletedDateTime gt since``, keyset paged by the log's own id), so the
core can mark them deleted without sweeping every ticket id. Other streams
have no log: deletions there are found by counting and id sweeps.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.connector import CallGate
from hub_autotask.client import AutotaskClient
from hub_autotask.pulling import PAGE_SIZE, autotask_time

#: stream -> (log entity, field holding the deleted record's id, time of deletion)
LOGS: dict[str, tuple[str, str, str]] = {
    "tickets": ("DeletedTicketLogs", "ticketID", "deletedDateTime"),
}
MAX_PAGES = 200  # 100,000 deletions since one pull is a mass deletion, not a log to read


def deleted_ids(
    settings: Mapping[str, Any], stream: str, since: str, gate: CallGate
) -> list[str] | None:
    """Return the ids of ``stream`` records deleted after ``since``; ``None`` without a log."""
    if stream not in LOGS:
        return None
    entity, id_field, when = LOGS[stream]
    client = AutotaskClient(settings)
    watermark = autotask_time(since)
    found: list[str] = []
    after = -1
    for _ in range(MAX_PAGES):
        answer = client.query(
            gate,
            entity,
            {
                "MaxRecords": PAGE_SIZE,
                "IncludeFields": ["id", id_field],
                "filter": [
                    {"op": "gt", "field": "id", "value": after},
                    {"op": "gt", "field": when, "value": watermark},
                ],
            },
        )
        items = [i for i in answer.get("items") or [] if isinstance(i, dict) and "id" in i]
        found.extend(str(i[id_field]) for i in items if i.get(id_field) is not None)
        more = (answer.get("pageDetails") or {}).get("nextPageUrl") or len(items) >= PAGE_SIZE
        if not items or not more:
            break
        after = max(int(i["id"]) for i in items)
    return sorted(set(found), key=int)
