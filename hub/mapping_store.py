"""Storing an admin's mapping change and queueing the re-apply it needs (no API calls).

Every mapping page and endpoint changes ``Integration.options["apply"]``
(see :mod:`hub.apply.config`) through :func:`change_apply_options`, which
commits and queues one apply. Also here: reading a mapped value out of a
mirror record the way apply does, and the mirror rows of a stream.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select

from hub.apply.config import load_config
from hub.apply.engine import lookup, reference_key
from hub.connector import FieldSource, ModelMapping
from hub.errors import ConfigurationError
from hub.extensions import db
from hub.jobs import request_apply
from hub.models import Integration, MirrorRecord


def change_apply_options(
    integration: Integration, change: Callable[[dict[str, Any]], None]
) -> bool:
    """Let ``change`` edit a copy of the apply options, store it, commit, queue an apply.

    Returns whether a new apply was queued (``False``: one is queued already).
    """
    options = copy.deepcopy(dict(integration.options or {}))
    apply_options = options.setdefault("apply", {})
    change(apply_options)
    integration.options = options
    db.session.commit()
    return request_apply(integration)


def apply_pending(integration: Integration) -> bool:
    """Return whether the hub records do not show the current mapping yet (an apply is due)."""
    applied = (integration.options or {}).get("applied_config")
    return bool(applied != load_config(integration).fingerprint())


def mapping_for(integration: Integration, model: str) -> ModelMapping | None:
    """Return the effective mapping that feeds hub ``model`` (``None``: nothing does)."""
    try:
        return load_config(integration).mapping(model)
    except ConfigurationError:
        return None


def read_sources(data: dict[str, Any], sources: Iterable[FieldSource]) -> Any:
    """Return the first non-empty value of ``sources`` in a mirror record, as apply reads it."""
    for source in sources:
        value = _custom(data, source.field) if source.custom else lookup(data, source.field)
        if value not in (None, ""):
            return value
    return None


def _custom(data: dict[str, Any], name: str) -> Any:
    for item in data.get("userDefinedFields") or []:
        if isinstance(item, dict) and item.get("name") == name:
            return item.get("value")
    return None


def mirror_rows(
    integration: Integration, stream: str, limit: int | None = None
) -> list[MirrorRecord]:
    """Return the live mirror rows of one stream of the integration (the first ``limit``)."""
    return list(
        db.session.scalars(
            select(MirrorRecord)
            .where(
                MirrorRecord.integration_id == integration.id,
                MirrorRecord.tenant_id == integration.tenant_id,
                MirrorRecord.stream == stream,
                MirrorRecord.deleted_at.is_(None),
            )
            .order_by(MirrorRecord.id)
            .limit(limit)
        )
    )


def value_key(value: Any) -> str | None:
    """Return the text form of a remote value or id, as apply compares them."""
    return reference_key(value)
