"""Compact in-memory storage of sandbox records.

Each entity is a :class:`Table`: one list of column values per record (in the
order of the Swagger model's properties, plus a final slot holding the UDF
values as a tuple), a dict from id to row and a sorted id list for keyset
paging. Records become dicts only when served. Rows are never changed in
place: a write builds a new list and swaps it in under the store lock, so
readers never need the lock.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterator
from typing import Any

from hub_autotask.sandbox.catalog import SPECS, EntitySpec
from hub_autotask.sandbox.udfs import MASK, UdfDef, udfs_for

Row = list[Any]


class Table:
    """Records of one entity, stored as rows of column values."""

    def __init__(self, spec: EntitySpec) -> None:
        """Create an empty table laid out after ``spec``'s Swagger model."""
        self.spec = spec
        self.name = spec.name
        self.fields: tuple[str, ...] = tuple(name for name, _, _ in spec.fields)
        self.types: dict[str, tuple[str, str | None]] = {n: (t, f) for n, t, f in spec.fields}
        self.column: dict[str, int] = {name: i for i, name in enumerate(self.fields)}
        self.by_lower: dict[str, str] = {name.lower(): name for name in self.fields}
        self.has_udfs = spec.has_udfs
        self.udfs: tuple[UdfDef, ...] = udfs_for(spec.name) if self.has_udfs else ()
        self.udf_index: dict[str, int] = {u.name.lower(): i for i, u in enumerate(self.udfs)}
        self.width = len(self.fields) + 1
        self.udf_slot = len(self.fields)
        self.rows: dict[int, Row] = {}
        self.ids: list[int] = []
        self.next_id = 1

    def blank(self) -> Row:
        """Return a new row with every column null and null UDF values."""
        row: Row = [None] * self.width
        row[self.udf_slot] = (None,) * len(self.udfs)
        return row

    def load(self, rows: list[Row]) -> None:
        """Bulk-load generated rows (ids ascending) at start-up."""
        for row in rows:
            self.rows[row[0]] = row
        self.ids = sorted(self.rows)
        self.next_id = (self.ids[-1] + 1) if self.ids else self.next_id

    def get(self, record_id: int) -> Row | None:
        """Return the row with ``record_id`` or None."""
        return self.rows.get(record_id)

    def put(self, row: Row) -> None:
        """Insert or replace a row (caller holds the store lock)."""
        record_id = row[0]
        if record_id not in self.rows:
            position = bisect.bisect_left(self.ids, record_id)
            self.ids.insert(position, record_id)
            self.next_id = max(self.next_id, record_id + 1)
        self.rows[record_id] = row

    def remove(self, record_id: int) -> Row | None:
        """Delete a row and return it (caller holds the store lock)."""
        row = self.rows.pop(record_id, None)
        if row is not None:
            position = bisect.bisect_left(self.ids, record_id)
            if position < len(self.ids) and self.ids[position] == record_id:
                del self.ids[position]
        return row

    def allocate_id(self) -> int:
        """Return a fresh id above every id used so far."""
        record_id = self.next_id
        self.next_id += 1
        return record_id

    def iter_from(self, start_id: int) -> Iterator[Row]:
        """Yield rows with ``id >= start_id`` in ascending id order."""
        ids = self.ids
        rows = self.rows
        position = bisect.bisect_left(ids, start_id)
        while position < len(ids):
            row = rows.get(ids[position])
            position += 1
            if row is not None:
                yield row

    def value(self, row: Row, name: str) -> Any:
        """Return the value of column ``name`` in ``row``."""
        return row[self.column[name]]

    def udf_values(self, row: Row) -> dict[str, str | None]:
        """Return the raw (unmasked) UDF values of ``row`` by UDF name."""
        values = row[self.udf_slot] or ()
        return {udf.name: values[i] if i < len(values) else None for i, udf in enumerate(self.udfs)}

    def to_record(self, row: Row, include: frozenset[str] | None = None) -> dict[str, Any]:
        """Return ``row`` as the API serves it (protected UDFs masked).

        With ``include`` only those fields plus ``id`` (and ``userDefinedFields``)
        are returned.
        """
        if include is None:
            record = dict(zip(self.fields, row, strict=False))
        else:
            record = {
                name: row[i]
                for i, name in enumerate(self.fields)
                if name == "id" or name in include
            }
        if self.has_udfs:
            values = row[self.udf_slot] or ()
            record["userDefinedFields"] = [
                {
                    "name": udf.name,
                    "value": MASK if udf.protected and values[i] is not None else values[i],
                }
                for i, udf in enumerate(self.udfs)
            ]
        return record

    def __len__(self) -> int:
        """Return the number of records."""
        return len(self.rows)


class Store:
    """All tables of one simulated Autotask database, with one write lock."""

    def __init__(self) -> None:
        """Create empty tables for every modeled entity."""
        self.lock = threading.RLock()
        self.tables: dict[str, Table] = {spec.name: Table(spec) for spec in SPECS}
        self._lower = {name.lower(): table for name, table in self.tables.items()}

    def table(self, entity: str) -> Table:
        """Return the table of ``entity`` (case-insensitive); KeyError if unknown."""
        return self._lower[entity.lower()]

    def counts(self) -> dict[str, int]:
        """Return the number of records per entity."""
        return {name: len(table) for name, table in self.tables.items()}
