"""Autotask query semantics: the query body, filter compilation and keyset paging.

A query body is ``{"MaxRecords", "IncludeFields", "filter"}`` with
case-insensitive keys. Filters compile into one predicate over stored rows:
strings compare case-insensitively, date-times as instants, the top-level
list is ANDed, ``and``/``or`` groups nest, an unknown operator is silently
ignored (it matches everything, as Autotask does) and an unknown field is a
500. Comparisons against null follow SQL: only ``notExist`` (and ``eq`` with
a null value) match a null column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hub_autotask.sandbox.dates import instant_key
from hub_autotask.sandbox.errors import business_rule
from hub_autotask.sandbox.store import Row, Table

Predicate = Callable[[Row], bool]
MAX_PAGE = 500
MAX_OR_CONDITIONS = 500
NO_FLOOR, NO_CEILING = -(2**62), 2**62  # ids a query without id bounds scans between
OPERATORS = frozenset(
    {
        "eq",
        "noteq",
        "gt",
        "gte",
        "lt",
        "lte",
        "beginswith",
        "endswith",
        "contains",
        "exist",
        "notexist",
        "in",
        "notin",
    }
)


def _always(_row: Row) -> bool:
    return True


@dataclass(frozen=True)
class Query:
    """A validated query: page size, projection and compiled filter."""

    max_records: int
    include: frozenset[str] | None
    predicate: Predicate
    body: dict[str, Any]
    id_floor: int = NO_FLOOR
    id_ceiling: int = NO_CEILING


def parse_query(table: Table, body: Any) -> Query:
    """Validate a query body against ``table`` and compile it.

    Raises :class:`ApiError` (500) the way Autotask rejects bad queries.
    """
    if not isinstance(body, dict):
        raise business_rule("Value cannot be null. Parameter name: filters")
    keys = {str(key).lower(): value for key, value in body.items()}
    max_records = keys.get("maxrecords")
    if max_records is None:
        max_records = MAX_PAGE
    if (
        isinstance(max_records, bool)
        or not isinstance(max_records, int)
        or not 1 <= max_records <= MAX_PAGE
    ):
        raise business_rule("maxCountOfRecordsToReturn must be between 1 and 500")
    include = None
    fields = keys.get("includefields")
    if fields:
        if not isinstance(fields, list):
            raise business_rule("IncludeFields must be an array of field names")
        include = frozenset(_field_name(table, str(name)) for name in fields)
    if "filter" not in keys or keys["filter"] is None:
        raise business_rule("Value cannot be null. Parameter name: filters")
    items = keys["filter"]
    if not isinstance(items, list):
        raise business_rule("filter must be an array of conditions")
    counter = _Counter()
    predicate = _group(table, "and", items, counter, inside_or=False) if items else None
    if counter.udf > 1:
        raise business_rule("Only one user-defined field condition is allowed per query.")
    if counter.ors > MAX_OR_CONDITIONS:
        raise business_rule(
            f"The query contains {counter.ors} 'or' conditions; the maximum is {MAX_OR_CONDITIONS}."
        )
    # An empty filter list is valid and returns no rows.
    return Query(max_records, include, predicate or (lambda _row: False), body, *_id_bounds(items))


def _id_bounds(items: list[Any]) -> tuple[int, int]:
    """Return the lowest and highest ids the top-level ``id`` conditions allow.

    Paging by ``id gt <last id>`` is Autotask's documented alternative to
    ``nextPageUrl``, and a caller splitting a table into id ranges adds
    ``id lte <end>``: scanning only between the bounds keeps both cheap on
    large tables, as Autotask's index on ``id`` does.
    """
    floor, ceiling = NO_FLOOR, NO_CEILING
    for item in items:
        if not isinstance(item, dict):
            continue
        keys = {str(k).lower(): v for k, v in item.items()}
        if str(keys.get("field", "")).lower() != "id" or keys.get("udf"):
            continue
        op, value = str(keys.get("op", "")).lower(), keys.get("value")
        if isinstance(value, bool) or not isinstance(value, int | str):
            continue
        try:
            number = int(value)
        except ValueError:
            continue
        if op in ("gt", "gte", "eq"):
            floor = max(floor, number + 1 if op == "gt" else number)
        if op in ("lt", "lte", "eq"):
            ceiling = min(ceiling, number - 1 if op == "lt" else number)
    return floor, ceiling


def page(
    table: Table,
    predicate: Predicate,
    start_id: int,
    size: int,
    scope: Predicate | None = None,
    last_id: int = NO_CEILING,
) -> tuple[list[Row], int | None]:
    """Return up to ``size`` matching rows with ``start_id <= id <= last_id`` and the next start id.

    Scanning stops at the first match past the page (its id starts the next page).
    """
    found: list[Row] = []
    for row in table.iter_from(start_id):
        if row[0] > last_id:
            break
        if (scope is None or scope(row)) and predicate(row):
            if len(found) == size:
                return found, row[0]
            found.append(row)
    return found, None


def count(query: Query, table: Table) -> int:
    """Return how many rows match ``query`` (a scan between its id bounds)."""
    predicate, ceiling = query.predicate, query.id_ceiling
    matched = 0
    for row in table.iter_from(query.id_floor):
        if row[0] > ceiling:
            break
        if predicate(row):
            matched += 1
    return matched


def _field_name(table: Table, name: str) -> str:
    canonical = table.by_lower.get(name.lower())
    if canonical is None:
        raise business_rule(f"Unable to find {name} in the {table.spec.singular} entity.")
    return canonical


class _Counter:
    def __init__(self) -> None:
        self.udf = 0
        self.ors = 0


def _group(
    table: Table, op: str, items: list[Any], counter: _Counter, inside_or: bool
) -> Predicate:
    parts = []
    for item in items:
        if not isinstance(item, dict):
            raise business_rule("Each filter item must be an object")
        parts.append(_condition(table, item, counter, inside_or or op == "or"))
    parts = [p for p in parts if p is not _always]
    if not parts:
        return _always
    if len(parts) == 1:
        return parts[0]
    if op == "or":
        return lambda row: any(p(row) for p in parts)
    return lambda row: all(p(row) for p in parts)


def _condition(table: Table, item: dict[str, Any], counter: _Counter, inside_or: bool) -> Predicate:
    keys = {str(key).lower(): value for key, value in item.items()}
    op = str(keys.get("op", "")).lower()
    if op in ("and", "or"):
        return _group(table, op, keys.get("items") or [], counter, inside_or)
    if op not in OPERATORS:
        return _always  # Autotask silently ignores unknown operators.
    if inside_or:
        counter.ors += 1
    field = keys.get("field")
    if not field:
        raise business_rule("A filter condition needs a field")
    if keys.get("udf"):
        counter.udf += 1
        index = table.udf_index.get(str(field).lower())
        if index is None:
            raise business_rule(
                f"Unable to find {field} in the {table.spec.singular} entity's user-defined fields."
            )
        kind = {"decimal": "number", "datetime": "datetime"}.get(table.udfs[index].type, "string")
        slot = table.udf_slot

        def get(row: Row) -> Any:
            values = row[slot]
            return values[index] if values and index < len(values) else None
    else:
        name = _field_name(table, str(field))
        column = table.column[name]
        kind = _kind(*table.types[name])

        def get(row: Row) -> Any:
            return row[column]

    value = keys.get("value")
    if op in ("in", "notin"):
        if not isinstance(value, list):
            raise business_rule(f"The value of an '{op}' condition must be an array")
        counter.ors += len(value)  # Autotask expands in-lists into or-conditions.
    return _leaf(op, get, kind, value)


def _kind(type_name: str, fmt: str | None) -> str:
    if type_name == "string":
        return "datetime" if fmt == "date-time" else "string"
    return {"integer": "integer", "number": "number", "boolean": "boolean"}.get(type_name, "string")


def _normalizer(kind: str) -> Callable[[Any], Any]:
    if kind == "string":
        return lambda v: str(v).lower()
    if kind == "integer":
        return lambda v: int(v) if not isinstance(v, str) else int(v.strip())
    if kind == "number":
        return float
    if kind == "boolean":
        return lambda v: v if isinstance(v, bool) else str(v).strip().lower() in ("true", "1")
    return lambda v: instant_key(str(v))


def _leaf(op: str, get: Callable[[Row], Any], kind: str, value: Any) -> Predicate:
    norm = _normalizer(kind)
    if op in ("exist", "notexist"):
        present: Predicate = lambda row: (v := get(row)) is not None and v != ""  # noqa: E731
        return present if op == "exist" else (lambda row: not present(row))
    try:
        if op in ("in", "notin"):
            targets = {norm(v) for v in value if v is not None}
        else:
            target = norm(value) if value is not None else None
    except (TypeError, ValueError) as exc:
        raise business_rule(f"Invalid filter value {value!r}: {exc}") from exc

    def val(row: Row) -> Any:
        raw = get(row)
        return None if raw is None else norm(raw)

    if op == "in":
        return lambda row: (v := val(row)) is not None and v in targets
    if op == "notin":
        return lambda row: (v := val(row)) is not None and v not in targets
    if target is None:
        return (lambda row: get(row) is None) if op == "eq" else (lambda _row: False)
    if op in ("beginswith", "endswith", "contains"):
        text = str(value).lower()
        tests: dict[str, Callable[[str], bool]] = {
            "beginswith": lambda s: s.startswith(text),
            "endswith": lambda s: s.endswith(text),
            "contains": lambda s: text in s,
        }
        test = tests[op]
        return lambda row: (v := get(row)) is not None and test(str(v).lower())
    compare: dict[str, Callable[[Any], bool]] = {
        "eq": lambda v: v == target,
        "noteq": lambda v: v != target,
        "gt": lambda v: v > target,
        "gte": lambda v: v >= target,
        "lt": lambda v: v < target,
        "lte": lambda v: v <= target,
    }
    check = compare[op]

    def leaf(row: Row) -> bool:
        v = val(row)
        return v is not None and check(v)

    return leaf
