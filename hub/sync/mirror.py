"""Storing pages of remote records in the mirror with bulk upserts.

One query reads the stored hashes of a page's ids, one statement writes the
new and changed rows; unchanged rows are not written at all.

A record is stored without its null top-level fields: most fields of a PSA
record are null, and writing, hashing and reading them back was
most of the mirror's cost. A missing field reads as null everywhere (apply,
``json_extract``, ``->>``); the names of a stream's fields are kept once in
``mirror_fields``, and :func:`whole` puts the nulls back for anyone who
wants the record as it was sent (``hub mirror``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select, update

from hub.bulk_sql import select_in, upsert_rows
from hub.extensions import db
from hub.jsontext import RawJSON, canonical, loads
from hub.models import MirrorField, MirrorRecord
from hub.models.base import utcnow
from hub.sync.timestamps import normalise_timestamp


class IntegrationRef(Protocol):
    """What the mirror needs of an integration: its id and its tenant's."""

    @property
    def id(self) -> int:
        """The integration's id."""
        ...

    @property
    def tenant_id(self) -> int:
        """The tenant's id."""
        ...


@dataclass
class StoreResult:
    """What storing one page did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[str | None, str]] = field(default_factory=list)
    max_changed: str | None = None


def _clean(record: dict[str, Any], text: bytes) -> tuple[dict[str, Any], bytes, bool]:
    # PostgreSQL cannot store NUL in JSON text; keep the rest of the record.
    if b"\\u0000" not in text:
        return record, text, False
    cleaned = loads(text.replace(b"\\u0000", b""))
    return cleaned, canonical(cleaned), True


@dataclass
class PreparedPage:
    """A page made ready to store, without the database: compact text, hashes, change stamps.

    ``rows`` maps a remote id to ``(text, changed_at, content hash)``.
    """

    rows: dict[str, tuple[RawJSON, str | None, str]] = field(default_factory=dict)
    fields: set[str] = field(default_factory=set)
    errors: list[tuple[str | None, str]] = field(default_factory=list)
    max_changed: str | None = None


def prepare_page(
    records: list[dict[str, Any]], *, primary_key: str, change_field: str | None
) -> PreparedPage:
    """Serialise and hash ``records`` as the mirror stores them; note what is wrong with them.

    Needs no database, so a sync does it before taking the writer's turn
    (on SQLite one writer at a time is the bottleneck of parallel pulls).
    """
    page = PreparedPage()
    for record in records:
        key = record.get(primary_key) if isinstance(record, dict) else None
        if key is None or key == "":
            page.errors.append((None, f"a record has no {primary_key}; it was skipped"))
            continue
        remote_id = str(key)
        page.fields.update(record)
        record = {name: value for name, value in record.items() if value is not None}
        text = canonical(record)
        record, text, had_nul = _clean(record, text)
        if had_nul:
            page.errors.append((remote_id, "NUL characters were removed from the record"))
        changed = record.get(change_field) if change_field else None
        changed_at = None
        if changed is not None:
            changed_at = normalise_timestamp(changed)
            if changed_at is None:
                page.errors.append(
                    (remote_id, f"{change_field} {str(changed)[:40]!r} is not a valid date")
                )
        if changed_at and (page.max_changed is None or changed_at > page.max_changed):
            page.max_changed = changed_at
        digest = hashlib.sha1(text).hexdigest()  # noqa: S324 - not security
        page.rows[remote_id] = (RawJSON(text.decode()), changed_at, digest)  # stored as hashed
    return page


def store_page(
    integration: IntegrationRef,
    stream: str,
    records: list[dict[str, Any]],
    *,
    primary_key: str,
    change_field: str | None,
    pulled_at: datetime | None = None,
) -> StoreResult:
    """Upsert ``records`` into the mirror of ``stream``; return counts and record errors."""
    page = prepare_page(records, primary_key=primary_key, change_field=change_field)
    return write_page(integration, stream, page, pulled_at)


def write_page(
    integration: IntegrationRef,
    stream: str,
    page: PreparedPage,
    pulled_at: datetime | None = None,
) -> StoreResult:
    """Upsert a prepared page into the mirror of ``stream``; return counts and record errors.

    Only new and changed records are written. ``pulled_at`` (default: now)
    stamps the rows written, which is what apply selects the rows of a run by.
    """
    result = StoreResult(errors=list(page.errors), max_changed=page.max_changed)
    if not page.rows:
        return result
    pulled_at = pulled_at or utcnow()
    _remember_fields(integration.id, stream, page.fields)
    stored = {
        remote_id: (content_hash, deleted_at)
        for remote_id, content_hash, deleted_at in select_in(
            MirrorRecord.__table__,  # type: ignore[arg-type]
            ("remote_id", "content_hash", "deleted_at"),
            {"integration_id": integration.id, "stream": stream},
            "remote_id",
            list(page.rows),
        )
    }
    to_write = []
    tenant_id = integration.tenant_id
    for remote_id, (text, changed_at, digest) in page.rows.items():
        old = stored.get(remote_id)
        if old is None:
            result.created += 1
        elif old[0] != digest or old[1] is not None:
            result.updated += 1
        else:
            result.unchanged += 1
            continue
        to_write.append((tenant_id, integration.id, stream, remote_id, text,
                         changed_at, digest, pulled_at, None))  # fmt: skip
    if to_write:
        _upsert(to_write)
    return result


def _remember_fields(integration_id: int, stream: str, names: set[str]) -> None:
    """Add the field names of a page that ``mirror_fields`` does not hold yet."""
    table: Any = MirrorField.__table__
    where = {"integration_id": integration_id, "stream": stream}
    known = {name for (name,) in select_in(table, ("name",), where, "name", sorted(names))}
    new = [(integration_id, stream, name) for name in sorted(names - known)]
    columns = ("integration_id", "stream", "name")
    # Two processes may add the same name at once: the second adds nothing.
    upsert_rows(table, columns, new, conflict=columns, update=())


def field_names(integration_id: int, stream: str) -> list[str]:
    """Return the top-level field names the stream's records have had, sorted."""
    return list(
        db.session.scalars(
            select(MirrorField.name)
            .where(MirrorField.integration_id == integration_id, MirrorField.stream == stream)
            .order_by(MirrorField.name)
        )
    )


def whole(data: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """Return a stored record as it was sent: every field of ``fields`` it lacks is null."""
    return {**dict.fromkeys(fields), **data}


_COLUMNS = ("tenant_id", "integration_id", "stream", "remote_id", "data", "changed_at",
            "content_hash", "pulled_at", "deleted_at")  # fmt: skip
_UPDATED = ("data", "changed_at", "content_hash", "pulled_at", "deleted_at")


def _upsert(rows: list[tuple[Any, ...]]) -> None:
    upsert_rows(
        MirrorRecord.__table__,  # type: ignore[arg-type]
        _COLUMNS,
        rows,
        conflict=("integration_id", "stream", "remote_id"),
        update=_UPDATED,
    )


def mark_deleted(integration: IntegrationRef, stream: str, remote_ids: list[str]) -> int:
    """Mark mirror rows deleted; return how many were live."""
    if not remote_ids:
        return 0
    now: datetime = utcnow()
    count = 0
    for start in range(0, len(remote_ids), 500):
        chunk = remote_ids[start : start + 500]
        res = db.session.execute(
            update(MirrorRecord)
            .where(
                MirrorRecord.integration_id == integration.id,
                MirrorRecord.stream == stream,
                MirrorRecord.remote_id.in_(chunk),
                MirrorRecord.deleted_at.is_(None),
            )
            .values(deleted_at=now)
        )
        count += res.rowcount or 0  # type: ignore[attr-defined]
    return count
