"""Apply: turn an integration's mirror into hub records, idempotently, with no API calls.

Streams are applied in the connector's order (picklists and companies before
what refers to them). Each stream is read in chunks; a chunk costs one read
of its mirror rows, one of the hub rows made from them, and bulk writes of
only what changed. Fields a mapping does not name (a record's local-only
fields) are never written.

A record that leaves the selection (a narrower company or asset selection, a
remote value mapped to another hub value) leaves the hub: deleted when apply
made it, only unlinked when it is a pre-existing hub company the admin or an
exact name linked (``Company.adopted``). Widening the selection again brings
it back (an unlinked company is found again by its name).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from redis.lock import Lock
from sqlalchemy import String, Text, cast, delete, func, inspect, select, update
from sqlalchemy.orm import aliased

from hub.apply.config import ApplyConfig, load_config
from hub.apply.convert import Column, Unconvertible, columns_of, convert
from hub.apply.locks import model_lock, renew
from hub.bulk_sql import Batch, insert_batch, update_batch
from hub.connector import ModelMapping
from hub.contracts import IMPORTED_SEPARATELY
from hub.extensions import db
from hub.jsontext import loads
from hub.models import HUB_MODELS, Company, Contract, Integration, MirrorRecord, RecordError
from hub.models.base import utcnow
from hub.models.records import Picklist

CHUNK = 2000
MAX_EXTRACTED = 90  # SQL functions take at most 100 arguments (PostgreSQL, older SQLite)
_NOT_HUB = (None, "", "psa")
_SPACES = re.compile(r"\s+")


def normalise_name(name: str | None) -> str:
    """Return a name for exact matching: case- and whitespace-insensitive."""
    return _SPACES.sub(" ", (name or "").strip()).casefold()


def reference_key(value: Any) -> str | None:
    """Return the text form of a remote id or picklist value (``True`` -> ``"true"``)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


@dataclass
class ModelResult:
    """What applying one model did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    unlinked: int = 0
    skipped: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Return the counters, errors counted."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "unlinked": self.unlinked,
            "skipped": self.skipped,
            "errors": len(self.errors),
        }


class Applier:
    """Applies one integration's mappings; keeps the remote-id -> hub-id index between them."""

    def __init__(
        self,
        integration: Integration,
        config: ApplyConfig | None = None,
        *,
        write_guard: Callable[[], AbstractContextManager[None]] | None = None,
    ) -> None:
        """With ``write_guard``, each chunk's writes run inside it and commit at once.

        That is how apply interleaves with a sync's page writes (SQLite has one
        writer at a time); without it a mapping commits when it is done.
        """
        self.integration = integration
        self.config = config or load_config(integration)
        self.refs: dict[str, dict[str, int]] = {}
        self.write_guard = write_guard

    def run(
        self, models: list[str] | None = None, *, changed_since: datetime | None = None
    ) -> dict[str, ModelResult]:
        """Apply every mapping (or those feeding ``models``) and commit.

        With ``changed_since``, a mapping reads only mirror rows pulled since
        then, unless a stream it refers to gained or lost hub records in this
        apply (then the references of unchanged rows may resolve differently).
        """
        results = {}
        moved: set[str] = set()
        for mapping in self.mappings():
            if models and mapping.model not in models:
                continue
            refers = {stream for stream, _ in mapping.references.values()}
            since = None if refers & moved else changed_since
            with model_lock(self.integration.id, mapping.model):  # until committed
                result = self.apply(mapping, since)
                db.session.commit()
            if result.created or result.deleted or result.unlinked:
                moved.add(mapping.stream)
            results[mapping.model] = result
        return results

    def mappings(self) -> list[ModelMapping]:
        """Return the mappings apply projects, in order (contracts are imported one by one)."""
        return [m for m in self.config.mappings if m.model not in IMPORTED_SEPARATELY]

    def _index(self, stream: str) -> dict[str, int]:
        """Return remote id -> hub id for the hub records made from ``stream``."""
        if stream not in self.refs:
            index: dict[str, int] = {}
            for mapping in self.config.mappings:
                if mapping.stream == stream:
                    model = HUB_MODELS[mapping.model]
                    rows = db.session.execute(
                        select(model.remote_id, model.id).where(
                            model.integration_id == self.integration.id,
                            model.mirror_id.is_not(None),
                        )
                    )
                    index.update({str(r): i for r, i in rows})
            index.update(self.config.values.get(stream, {}))
            self.refs[stream] = index
        return self.refs[stream]

    def _mirror_chunks(
        self,
        stream: str,
        since: datetime | None,
        until: datetime | None = None,
        keys: tuple[str, ...] | None = None,
    ) -> Iterator[list[tuple[int, str, dict[str, Any]]]]:
        """Yield the stream's live mirror rows in chunks: ``(id, remote id, data)``.

        With ``keys``, ``data`` holds only those top-level fields (the null ones
        left out), extracted by the database: decoding whole records in Python
        cost more than the rest of apply.
        """
        last = 0
        data = MirrorRecord.data if keys is None else extract_fields(keys)
        while True:
            query = (
                select(MirrorRecord.id, MirrorRecord.remote_id, data)
                .where(
                    MirrorRecord.integration_id == self.integration.id,
                    MirrorRecord.stream == stream,
                    MirrorRecord.deleted_at.is_(None),
                    MirrorRecord.id > last,
                )
                .order_by(MirrorRecord.id)
                .limit(CHUNK)
            )
            if since is not None:
                query = query.where(MirrorRecord.pulled_at >= since)
            if until is not None:
                query = query.where(MirrorRecord.pulled_at < until)
            rows = db.session.execute(query).all()
            if not rows:
                return
            last = rows[-1][0]
            if keys is None:
                yield [(r[0], r[1], r[2]) for r in rows]
            else:
                yield [(r[0], r[1], _fields(keys, r[2])) for r in rows]

    def apply(
        self, mapping: ModelMapping, since: datetime | None = None, until: datetime | None = None
    ) -> ModelResult:
        """Apply one mapping (only rows pulled in ``[since, until)``); return counts and errors.

        Holds the model's apply lock (see :mod:`hub.apply.locks`) throughout.
        """
        with model_lock(self.integration.id, mapping.model) as lock:
            return self._apply(mapping, since, until, lock)

    def _apply(
        self,
        mapping: ModelMapping,
        since: datetime | None,
        until: datetime | None,
        lock: Lock | None,
    ) -> ModelResult:
        model: Any = HUB_MODELS[mapping.model]
        columns = columns_of(inspect(model))
        local = set(getattr(model, "LOCAL_FIELDS", ()))
        attrs = [a for a in mapping.fields if a in columns and a not in local]
        refs = [a for a in mapping.references if a in columns]
        # field -> its source column: a source other than the PSA's means the hub owns the value
        sourced = {a: c for a, c in getattr(model, "SOURCED_FIELDS", {}).items() if a in attrs}
        result = ModelResult()
        include = self.config.include.get(mapping.model, set())
        # Remote values mapped to another hub value need no record of their own; the hub
        # values chosen are kept whatever they were made from.
        chosen = self.config.values.get(mapping.stream, {})
        kept = set(chosen.values())
        index = self._index(mapping.stream)
        by_name = self._unlinked_companies() if model is Company else {}
        now = utcnow()
        for chunk in self._mirror_chunks(mapping.stream, since, until, fields_read(mapping)):
            mirror_ids = [c[0] for c in chunk]
            wanted = [model.id, model.mirror_id, *(getattr(model, a) for a in attrs + refs),
                      *(getattr(model, c) for c in sourced.values())]  # fmt: skip
            existing = {
                row[1]: row
                for row in db.session.execute(
                    select(*wanted).where(model.mirror_id.in_(mirror_ids))
                )
            }
            inserts: list[dict[str, Any]] = []
            updates: list[dict[str, Any]] = []
            drop: list[int] = []
            leave: list[int] = []
            for mirror_id, remote_id, data in chunk:
                old = existing.get(mirror_id)
                selected = remote_id in include or _selected(mapping, data)
                if remote_id in chosen and (old is None or old[0] not in kept):
                    selected = False
                if not selected:
                    if old is None:
                        result.skipped += 1
                    else:
                        leave.append(old[0])
                    continue
                values = self._project(mapping, columns, attrs, refs, remote_id, data, result)
                if values is None:  # a required reference did not resolve
                    result.skipped += 1
                    if old is not None:
                        drop.append(old[0])
                    continue
                if old is None:
                    match = (
                        by_name.pop(normalise_name(values.get("name")), None) if by_name else None
                    )
                    link = {"mirror_id": mirror_id, "remote_id": remote_id,
                            "integration_id": self.integration.id}  # fmt: skip
                    if match is not None:
                        link["adopted"] = True
                        updates.append({"id": match, **values, **link, "updated_at": now})
                        index[remote_id] = match
                        result.updated += 1
                    else:
                        inserts.append({**values, **link, "tenant_id": self.integration.tenant_id,
                                        "created_at": now, "updated_at": now})  # fmt: skip
                    continue
                current = dict(zip(attrs + refs + list(sourced.values()), old[2:], strict=True))
                changed = {k: v for k, v in values.items() if current.get(k) != v
                           and current.get(sourced.get(k, ""), "psa") in _NOT_HUB}  # fmt: skip
                index[remote_id] = old[0]
                if changed:
                    updates.append({"id": old[0], **changed, "updated_at": now})
                    result.updated += 1
                else:
                    result.unchanged += 1
            batches = _batches(model, inserts, updates)  # adapted before the writer's turn
            with self.write_guard() if self.write_guard else contextlib.nullcontext():
                self._write(model, mapping.stream, batches, (inserts, drop, leave), index, result)
                if self.write_guard:
                    db.session.commit()
            renew(lock)
        with self.write_guard() if self.write_guard else contextlib.nullcontext():
            self._remove_deleted(model, mapping.stream, result)
            if self.write_guard:
                db.session.commit()
        # Values the admin mapped to existing hub records win over the records made here.
        index.update(self.config.values.get(mapping.stream, {}))
        return result

    def fill_references(self, mapping: ModelMapping, attrs: list[str]) -> int:
        """Fill reference columns a part-way apply left empty; return how many rows changed.

        A stream applied before the streams it optionally refers to were
        complete (tickets before all assets) leaves those references empty.
        Once they are complete, one UPDATE per column sets them from the
        mirror: the record's remote key, the referenced stream's mirror row
        with that id, and the hub record made from it.
        """
        model: Any = HUB_MODELS[mapping.model]
        filled = 0
        for attr in attrs:
            stream, remote_field = mapping.references[attr]
            targets = [HUB_MODELS[m.model] for m in self.config.mappings if m.stream == stream]
            if len(targets) != 1:
                continue
            target = targets[0]
            own, theirs = aliased(MirrorRecord), aliased(MirrorRecord)
            key = cast(own.data[remote_field].as_string(), String)
            found = (
                select(target.id)
                .select_from(own)
                .join(
                    theirs,
                    (theirs.integration_id == self.integration.id)
                    & (theirs.stream == stream)
                    & (theirs.remote_id == key),
                )
                .join(target, target.mirror_id == theirs.id)
                .where(own.id == model.mirror_id)
                .scalar_subquery()
            )
            column = getattr(model, attr)
            statement = (
                update(model)
                .where(
                    model.integration_id == self.integration.id,
                    model.mirror_id.is_not(None),
                    column.is_(None),
                    found.is_not(None),
                )
                .values({attr: found})
                .execution_options(synchronize_session=False)
            )
            with self.write_guard() if self.write_guard else contextlib.nullcontext():
                done = db.session.execute(statement)
                filled += int(done.rowcount or 0)  # type: ignore[attr-defined]
                if self.write_guard:
                    db.session.commit()
        self.refs.pop(mapping.stream, None)
        return filled

    def _write(
        self,
        model: Any,
        stream: str,
        batches: list[Batch],
        changes: tuple[list[dict[str, Any]], list[int], list[int]],
        index: dict[str, int],
        result: ModelResult,
    ) -> None:
        """Write one chunk: inserts and updates (``batches``), lost references, deselections."""
        inserts, drop, leave = changes
        for batch in batches:
            batch.execute()
        if inserts:
            # Plain executemany, then one read of the new ids: RETURNING with many rows
            # is much slower here than reading the ids back.
            created = db.session.execute(
                select(model.remote_id, model.id).where(
                    model.mirror_id.in_([row["mirror_id"] for row in inserts])
                )
            )
            index.update({str(remote_id): hub_id for remote_id, hub_id in created})
            result.created += len(inserts)
        if drop:
            self._remove(model, stream, drop, result)
        if leave:
            self._remove(model, stream, leave, result, deselected=True)

    def _project(
        self,
        mapping: ModelMapping,
        columns: dict[str, Column],
        attrs: list[str],
        refs: list[str],
        remote_id: str,
        data: dict[str, Any],
        result: ModelResult,
    ) -> dict[str, Any] | None:
        values: dict[str, Any] = {}
        for attr in refs:
            stream, remote_field = mapping.references[attr]
            key = reference_key(data.get(remote_field))
            hub_id = self._index(stream).get(key) if key is not None else None
            if hub_id is None and attr in mapping.requires:
                return None
            kind = self._picklist_kind(stream) if hub_id is None and key is not None else ""
            if kind:
                # A value the remote metadata does not list: the record stays, without it.
                said = f"{key!r} is not a known {kind} value: left empty"
                result.errors.append((remote_id, f"{_words(attr)} (from {remote_field}) {said}"))
            values[attr] = hub_id
        udfs = _udfs(data) if mapping.custom else {}
        for attr in attrs:
            column = columns[attr]
            value = None
            for source in mapping.fields[attr]:
                raw = udfs.get(source.field) if source.custom else lookup(data, source.field)
                value, error = convert(column, raw)
                if error:
                    result.errors.append(
                        (remote_id, f"{_words(attr)} (from {source.label()}) {error}")
                    )
                if value is not None:
                    break
            if value is None and not column.nullable:
                try:
                    value = column.convert(f"({mapping.stream} {remote_id})")
                except Unconvertible:  # not a text column: its default, if it has one
                    value = column.default
                if value is None:
                    result.errors.append((remote_id, f"{_words(attr)} is missing: not applied"))
                    return None
                result.errors.append((remote_id, f"{_words(attr)} is missing; shown as {value!r}"))
            values[attr] = value
        return values

    def _picklist_kind(self, stream: str) -> str:
        """Return the words for the picklist ``stream`` feeds ("company type"), or ``""``."""
        for mapping in self.config.mappings:
            if mapping.stream == stream and issubclass(HUB_MODELS[mapping.model], Picklist):
                return mapping.model.replace("_", " ")
        return ""

    def _unlinked_companies(self) -> dict[str, int]:
        rows = db.session.execute(
            select(Company.name, Company.id).where(
                Company.tenant_id == self.integration.tenant_id, Company.mirror_id.is_(None)
            )
        )
        return {normalise_name(name): hub_id for name, hub_id in rows}

    def _remove(
        self,
        model: Any,
        stream: str,
        ids: list[int],
        result: ModelResult,
        *,
        deselected: bool = False,
    ) -> None:
        """Take hub records out of the integration: delete, flag (contracts) or unlink."""
        gone = set(ids)
        index = self.refs.get(stream, {})
        chosen = self.config.values.get(stream, {})
        for remote_id in [r for r, i in index.items() if i in gone and chosen.get(r) != i]:
            del index[remote_id]
        if model is Contract and not deselected:
            # Contracts removed in the PSA are flagged, never silently dropped.
            db.session.execute(
                update(Contract).where(Contract.id.in_(ids)).values(remote_removed_at=utcnow())
            )
            result.deleted += len(ids)
            return
        result.unlinked += release_records(model, ids)
        result.deleted += delete_records(model, ids)

    def _remove_deleted(self, model: Any, stream: str, result: ModelResult) -> None:
        gone = select(MirrorRecord.id).where(
            MirrorRecord.integration_id == self.integration.id,
            MirrorRecord.stream == stream,
            MirrorRecord.deleted_at.is_not(None),
        )
        query = select(model.id).where(model.mirror_id.in_(gone))
        if model is Contract:
            query = query.where(Contract.remote_removed_at.is_(None))
        ids = list(db.session.scalars(query))
        if ids:
            self._remove(model, stream, ids, result)


def release_records(model: Any, ids: list[int]) -> int:
    """Unlink the adopted records among ``ids`` (pre-existing hub companies); return how many."""
    if not hasattr(model, "adopted") or not ids:
        return 0
    adopted = model.id.in_(ids) & model.adopted.is_(True)
    unlink = {"integration_id": None, "mirror_id": None, "remote_id": None, "adopted": False}
    done = db.session.execute(update(model).where(adopted).values(**unlink))
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


def delete_records(model: Any, ids: list[int]) -> int:
    """Delete the records among ``ids`` still linked to a remote one; return how many."""
    if not ids:
        return 0
    done = db.session.execute(delete(model).where(model.id.in_(ids), model.mirror_id.is_not(None)))
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


def _words(attr: str) -> str:
    return attr.removesuffix("_id").replace("_", " ").capitalize()


def _batches(
    model: Any, inserts: list[dict[str, Any]], updates: list[dict[str, Any]]
) -> list[Batch]:
    """Return a chunk's writes: one insert, and one update by id per set of changed columns."""
    batches = []
    if inserts:
        names = list(inserts[0])
        rows = [[row[n] for n in names] for row in inserts]
        batches.append(insert_batch(model.__table__, names, rows))
    groups: dict[tuple[str, ...], list[list[Any]]] = {}
    for row in updates:
        columns = tuple(sorted(k for k in row if k != "id"))
        groups.setdefault(columns, []).append([*(row[c] for c in columns), row["id"]])
    batches.extend(
        update_batch(model.__table__, columns, group) for columns, group in groups.items()
    )
    return batches


def _selected(mapping: ModelMapping, data: dict[str, Any]) -> bool:
    for remote_field, accepted in mapping.select.items():
        value = data.get(remote_field)
        if reference_key(value) not in {reference_key(a) for a in accepted}:
            return False
    return True


def lookup(data: dict[str, Any], path: str) -> Any:
    """Return ``data[path]``, or follow a dotted path through nested objects.

    A list of ``{"name": ..., "value": ...}`` (custom fields, as some PSAs send
    ``userDefinedFields``) is searched by name: ``userDefinedFields.RAM``.
    """
    if path in data:
        return data[path]
    head, _, rest = path.partition(".")
    value = data.get(head)
    if not rest:
        return value
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item.get("name") == rest:
                return item.get("value")
        return None
    return lookup(value, rest) if isinstance(value, dict) else None


def fields_read(mapping: ModelMapping) -> tuple[str, ...] | None:
    """Return the top-level remote fields apply reads for ``mapping`` (``None``: all of them).

    ``None`` when a name could not be written safely as a SQLite JSON path,
    or there are more than one SQL function call can take.
    """
    keys: dict[str, None] = {}
    for sources in mapping.fields.values():
        for source in sources:
            if source.custom:
                keys["userDefinedFields"] = None
            else:
                keys[source.field] = None  # a top-level name with a dot in it, or ...
                keys[source.field.split(".", 1)[0]] = None  # ... a path into an object
    for _, remote_field in mapping.references.values():
        keys[remote_field] = None
    for remote_field in mapping.select:
        keys[remote_field] = None
    if len(keys) > MAX_EXTRACTED or any('"' in key or "\\" in key for key in keys):
        return None
    return tuple(keys)


def extract_fields(keys: tuple[str, ...]) -> Any:
    """Return a column expression of ``keys``' values as a JSON array (text), in order."""
    if db.session.get_bind().dialect.name == "sqlite":
        paths = [f'$."{key}"' for key in keys]
        # one path gives a bare value; two or more give the JSON array read back here
        return func.json_extract(MirrorRecord.data, *(paths * 2 if len(paths) == 1 else paths))
    return cast(func.jsonb_build_array(*(MirrorRecord.data[key] for key in keys)), Text)


def _fields(keys: tuple[str, ...], text: str | bytes) -> dict[str, Any]:
    return {key: value for key, value in zip(keys, loads(text), strict=False) if value is not None}


def _udfs(data: dict[str, Any]) -> dict[str, Any]:
    found = data.get("userDefinedFields")
    if not isinstance(found, list):
        return {}
    return {str(u.get("name")): u.get("value") for u in found if isinstance(u, dict)}


def apply_integration(
    integration_id: int,
    models: list[str] | None = None,
    *,
    run_id: int | None = None,
    changed_since: datetime | None = None,
) -> dict[str, dict[str, int]]:
    """Apply an integration's mirror to hub records; return counts per hub model.

    With ``run_id``, record-level problems become the run's record errors.
    With ``changed_since`` (after a sync), only what was pulled since is
    applied, unless the mapping configuration changed since the last apply.
    """
    integration = db.session.get(Integration, integration_id)
    if integration is None:
        return {}
    applier = Applier(integration)
    fingerprint = applier.config.fingerprint()
    options = dict(integration.options or {})
    if options.get("applied_config") != fingerprint:
        changed_since = None
    results = applier.run(models, changed_since=changed_since)
    if not models:
        integration.options = {**options, "applied_config": fingerprint}
        db.session.commit()
    if run_id is not None:
        for model, result in results.items():
            stream = applier.config.mapping(model).stream
            db.session.add_all(
                RecordError(run_id=run_id, stream=stream, remote_id=remote_id, message=message)
                for remote_id, message in result.errors[:1000]
            )
        db.session.commit()
    return {model: result.counts() for model, result in results.items()}
