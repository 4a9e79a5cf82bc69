"""Bulk writes on the session's own connection, without SQLAlchemy's per-row work.

SQLAlchemy's ``executemany`` runs every parameter of every row through
Python (compiled parameter dicts, bind processors): on the mirror's and
apply's hot paths that cost more than the database's own work. These
helpers build each statement's SQL once, adapt only the columns the driver
cannot take as they are, and hand the driver plain tuples, inside the
session's transaction.

Values are stored exactly as SQLAlchemy would store them, so its reads and
comparisons are unchanged: on SQLite, datetimes in its text format, dates
as ISO dates, decimals as floats and JSON as text; on PostgreSQL, JSON as
text cast to the column's type. Columns left out get their Python-side
defaults, as an ORM or Core insert would.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Numeric, Table
from sqlalchemy.types import TypeEngine

from hub.extensions import db
from hub.jsontext import dumps

Adapter = Callable[[Any], Any]


def sqlite_datetime(value: datetime | None) -> str | None:
    """Return ``value`` as SQLAlchemy stores datetimes on SQLite (its zone dropped)."""
    if value is None:
        return None
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_date(value: date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat()


def _sqlite_number(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _base_type(kind: TypeEngine[Any]) -> TypeEngine[Any]:
    """The type a variant or decorator stands for (``JSON`` for ``JSON().with_variant(...)``)."""
    impl = getattr(kind, "impl_instance", None) or getattr(kind, "impl", None)
    return impl if isinstance(impl, TypeEngine) else kind


def _adapter(kind: TypeEngine[Any], dialect: str) -> Adapter | None:
    base = _base_type(kind)
    if isinstance(base, JSON):
        return dumps  # None too: SQLAlchemy's JSON stores it as JSON null
    if dialect != "sqlite":
        return None
    if isinstance(base, DateTime):
        return sqlite_datetime
    if isinstance(base, Date):
        return _sqlite_date
    if isinstance(base, Numeric):
        return _sqlite_number
    return None


class _Statement:
    """One table's SQL for a set of columns, and how to adapt each row's values."""

    def __init__(self, sql: str, adapters: Sequence[Adapter | None]) -> None:
        self.sql = sql
        self.adapters = adapters
        self.plain = not any(adapters)

    def rows(self, rows: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
        if self.plain:
            return [tuple(row) for row in rows]
        pairs = [(index, adapt) for index, adapt in enumerate(self.adapters) if adapt]
        # The same value object often fills a column of every row (a page's pulled_at,
        # a chunk's created_at): adapt it once.
        last: dict[int, tuple[Any, Any]] = {}
        adapted = []
        for row in rows:
            values = list(row)
            for index, adapt in pairs:
                value = values[index]
                seen = last.get(index)
                if seen is not None and seen[0] is value:
                    values[index] = seen[1]
                else:
                    values[index] = adapted_value = adapt(value)
                    last[index] = (value, adapted_value)
            adapted.append(tuple(values))
        return adapted


def _marker(table: Table, column: str, dialect: str) -> str:
    if dialect == "sqlite":
        return "?"
    kind = _base_type(table.c[column].type)
    return "CAST(%s AS JSONB)" if isinstance(kind, JSON) else "%s"


def _quote(name: str) -> str:
    return db.session.get_bind().dialect.identifier_preparer.quote(name)


def _defaults(table: Table, columns: Sequence[str]) -> dict[str, Any]:
    """The Python-side defaults of the columns left out (evaluated once per statement)."""
    found = {}
    for column in table.columns:
        default = column.default
        if column.name in columns or column.primary_key or default is None:
            continue
        if getattr(default, "is_scalar", False):
            found[column.name] = default.arg  # type: ignore[attr-defined]
        elif getattr(default, "is_callable", False):
            found[column.name] = default.arg(None)  # type: ignore[attr-defined]
    return found


@functools.lru_cache(maxsize=256)
def _insert(
    table: Table,
    columns: tuple[str, ...],
    dialect: str,
    conflict: tuple[str, ...] = (),
    update: tuple[str, ...] = (),
) -> tuple[_Statement, tuple[Any, ...]]:
    defaults = _defaults(table, columns)
    names = (*columns, *defaults)
    # Identifiers come from the table's metadata, quoted; every value is a parameter.
    into = ", ".join(_quote(n) for n in names)
    markers = ", ".join(_marker(table, n, dialect) for n in names)
    sql = f"INSERT INTO {_quote(table.name)} ({into}) VALUES ({markers})"  # noqa: S608
    if conflict:
        sets = ", ".join(f"{_quote(n)} = excluded.{_quote(n)}" for n in update)
        action = f"DO UPDATE SET {sets}" if update else "DO NOTHING"
        sql += f" ON CONFLICT ({', '.join(_quote(n) for n in conflict)}) {action}"
    adapters = [_adapter(table.c[n].type, dialect) for n in names]
    return _Statement(sql, adapters), tuple(defaults.values())


def _dialect() -> str:
    return db.session.get_bind().dialect.name


@dataclass(frozen=True)
class Batch:
    """One statement and its rows, adapted for the driver already: only the database work is left.

    Built before a writer's turn on SQLite, so the turn holds only that work.
    """

    sql: str
    rows: list[tuple[Any, ...]]

    def execute(self) -> None:
        """Run the statement for every row (one executemany) in the session's transaction."""
        if self.rows:
            db.session.connection().exec_driver_sql(self.sql, self.rows)


def insert_batch(table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Batch:
    """Return the insert of ``rows`` (values in ``columns`` order), to execute later."""
    statement, extra = _insert(table, tuple(columns), _dialect())
    values = statement.rows([*row, *extra] for row in rows) if extra else statement.rows(rows)
    return Batch(statement.sql, values)


def insert_rows(table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` (values in ``columns`` order) with one executemany."""
    if rows:
        insert_batch(table, columns, rows).execute()


def upsert_rows(
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    conflict: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert ``rows``; a row whose ``conflict`` columns exist updates its ``update`` columns.

    With no ``update`` columns such a row is left as it is.
    """
    if not rows:
        return
    statement, extra = _insert(table, tuple(columns), _dialect(), tuple(conflict), tuple(update))
    values = statement.rows([*row, *extra] for row in rows) if extra else statement.rows(rows)
    db.session.connection().exec_driver_sql(statement.sql, values)


@functools.lru_cache(maxsize=256)
def _update(table: Table, columns: tuple[str, ...], dialect: str) -> _Statement:
    marker = "?" if dialect == "sqlite" else "%s"
    sets = ", ".join(f"{_quote(n)} = {_marker(table, n, dialect)}" for n in columns)
    sql = f"UPDATE {_quote(table.name)} SET {sets} WHERE {_quote('id')} = {marker}"  # noqa: S608
    return _Statement(sql, [*(_adapter(table.c[n].type, dialect) for n in columns), None])


def update_batch(table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Batch:
    """Return the update by id of ``rows`` (values in ``columns`` order, then the id)."""
    statement = _update(table, tuple(columns), _dialect())
    return Batch(statement.sql, statement.rows(rows))


def update_rows(table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Update rows by id: each row is its values in ``columns`` order, then its id."""
    if rows:
        update_batch(table, columns, rows).execute()


@functools.lru_cache(maxsize=64)
def _select_in(
    table: Table,
    columns: tuple[str, ...],
    where: tuple[str, ...],
    key: str,
    count: int,
    dialect: str,
) -> str:
    marker = "?" if dialect == "sqlite" else "%s"
    conditions = [f"{_quote(name)} = {marker}" for name in where]
    conditions.append(f"{_quote(key)} IN ({', '.join([marker] * count)})")
    chosen = ", ".join(_quote(name) for name in columns)
    return f"SELECT {chosen} FROM {_quote(table.name)} WHERE {' AND '.join(conditions)}"  # noqa: S608


def select_in(
    table: Table,
    columns: Sequence[str],
    where: dict[str, Any],
    key: str,
    values: Sequence[Any],
) -> list[tuple[Any, ...]]:
    """Return ``columns`` of the rows matching ``where`` whose ``key`` is among ``values``.

    Values come back as the driver gives them (no result processing).
    """
    if not values:
        return []
    sql = _select_in(table, tuple(columns), tuple(where), key, len(values), _dialect())
    result = db.session.connection().exec_driver_sql(sql, (*where.values(), *values))
    return [tuple(row) for row in result]


@functools.lru_cache(maxsize=64)
def _increment(table: Table, columns: tuple[str, ...], where: tuple[str, ...], dialect: str) -> str:
    marker = "?" if dialect == "sqlite" else "%s"
    sets = ", ".join(f"{_quote(c)} = COALESCE({_quote(c)}, 0) + {marker}" for c in columns)
    conditions = " AND ".join(f"{_quote(name)} = {marker}" for name in where)
    return f"UPDATE {_quote(table.name)} SET {sets} WHERE {conditions}"  # noqa: S608


def increment(table: Table, counts: dict[str, int], where: dict[str, Any]) -> None:
    """Add ``counts`` to the counter columns of the rows matching ``where``, in SQL."""
    sql = _increment(table, tuple(counts), tuple(where), _dialect())
    db.session.connection().exec_driver_sql(sql, (*counts.values(), *where.values()))
