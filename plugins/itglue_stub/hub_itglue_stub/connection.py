"""The connection test: log in, then probe each stream for read access."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.connector import CallGate, ConnectionReport, EntityAccess
from hub_itglue_stub.access import denied_streams, key_is_valid, permission_message
from hub_itglue_stub.settings import base_url
from hub_itglue_stub.streams import STREAMS


def check_connection(settings: Mapping[str, Any], gate: CallGate) -> ConnectionReport:
    """Return whether the key is accepted and, per stream, whether it may read it."""
    url = base_url(settings)
    with gate.call("organizations"):
        accepted = key_is_valid(settings)
    if not accepted:
        return ConnectionReport(
            ok=False,
            message=f"{url} rejected the API key: it must start with 'ITG.'. Create a key "
            "under Account > Settings > API Keys and paste it here.",
        )
    denied = denied_streams(settings)
    entities = []
    for spec in STREAMS:
        with gate.call(spec.name):
            readable = spec.name not in denied
        entities.append(
            EntityAccess(spec.name, readable, "" if readable else permission_message(spec.name))
        )
    unreadable = [e.stream for e in entities if not e.readable]
    if unreadable:
        return ConnectionReport(
            ok=False,
            message=f"Connected to {url}, but the API key cannot read: {', '.join(unreadable)}.",
            entities=entities,
        )
    return ConnectionReport(ok=True, message=f"Connected to {url}.", entities=entities)
