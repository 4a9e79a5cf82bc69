"""The connection test: zone lookup, login, then a one-record query per stream.

Login is ``ThresholdInformation`` (cheap, and it reports the quota). Each
entity stream is probed with ``MaxRecords: 1, IncludeFields: ["id"]``; the
two picklist streams share one ``Companies/entityInformation/fields`` call.
Probes run four at a time (on different endpoints, so the thread limit is
not at risk). Bad credentials and denied entities end up in the report,
never as exceptions.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from hub.connector import CallGate, ConnectionReport, EntityAccess
from hub.errors import AuthenticationFailed, HubError, scrub
from hub_autotask.client import AutotaskClient
from hub_autotask.responses import ui_name
from hub_autotask.streams import ALL, AutotaskStream

PROBE = {
    "MaxRecords": 1,
    "IncludeFields": ["id"],
    "filter": [{"op": "gte", "field": "id", "value": 0}],
}
PARALLEL_PROBES = 4


def _probe(client: AutotaskClient, gate: CallGate, source: AutotaskStream) -> str:
    """Return "" when ``source`` is readable, else what to change; raises on bad login."""
    try:
        if source.kind == "entity":
            client.query(gate, source.entity, PROBE)
        else:
            client.fields(gate, source.entity)
    except AuthenticationFailed:
        raise
    except HubError as exc:
        return scrub(str(exc), client.secrets)
    return ""


def check_connection(settings: Mapping[str, Any], gate: CallGate) -> ConnectionReport:
    """Return whether the credentials work and, per stream, whether the API user may read it."""
    secrets = [str(settings.get("secret") or "")]
    try:
        client = AutotaskClient(settings)
        zone = client.zone
        usage = client.report_usage(gate, force=True)
    except HubError as exc:
        return ConnectionReport(ok=False, message=scrub(str(exc), secrets))
    entity_streams = [s for s in ALL if s.kind == "entity"]
    try:
        with ThreadPoolExecutor(PARALLEL_PROBES, thread_name_prefix="autotask-probe") as pool:
            answers = dict(
                zip(
                    [s.name for s in entity_streams],
                    pool.map(lambda s: _probe(client, gate, s), entity_streams),
                    strict=True,
                )
            )
        metadata = _probe(client, gate, next(s for s in ALL if s.kind != "entity"))
    except AuthenticationFailed as exc:
        return ConnectionReport(ok=False, message=scrub(str(exc), secrets))
    problems = {s.name: answers.get(s.name, metadata) for s in ALL}
    entities = [EntityAccess(s.name, not problems[s.name], problems[s.name]) for s in ALL]
    where = f"Connected to Autotask ({zone}) as {client.credentials.username}"
    if usage:
        where += f"; {usage[0]} of {usage[1]} API calls used this hour"
    denied = sorted({ui_name(s.entity) for s in ALL if problems[s.name]})
    if denied:
        return ConnectionReport(
            ok=False,
            message=f"{where}, but the API user cannot read: {', '.join(denied)}. Each stream "
            "below says what to change on the API user's security level.",
            entities=entities,
        )
    return ConnectionReport(
        ok=True, message=f"{where}; every stream is readable.", entities=entities
    )
