"""Converting remote values into the types of hub record columns, leniently.

A value that cannot be converted becomes ``None`` and an error in words; a
string too long for its column is cut and reported. Masked values (``*****``,
what a PSA may send for protected custom fields) are never stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Boolean, Date, Integer, Numeric, String
from sqlalchemy.orm import Mapper

from hub.models.base import JSONType, UTCDateTime
from hub.sync.timestamps import parse_timestamp

MASKED = "*****"


class Unconvertible(ValueError):
    """A remote value that does not fit its hub column; the message says why."""


@dataclass(frozen=True)
class Column:
    """A hub column as apply writes it: its converter and whether it may be empty."""

    name: str
    convert: Callable[[Any], Any]
    nullable: bool
    default: Any = None


def _string(length: int | None) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        text = value if isinstance(value, str) else str(value)
        text = text.replace("\x00", "")
        if length and len(text) > length:
            raise Unconvertible(
                f"is {len(text)} characters, more than {length}: cut", text[:length]
            )
        return text

    return convert


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    moment = parse_timestamp(value)
    if moment is None:
        raise Unconvertible(f"{str(value)[:40]!r} is not a date")
    # Date-only fields are not time-zone converted: keep the calendar date as sent.
    return date.fromisoformat(str(value).strip()[:10]) if len(str(value)) >= 10 else moment.date()


def _datetime(value: Any) -> datetime:
    moment = parse_timestamp(value)
    if moment is None:
        raise Unconvertible(f"{str(value)[:40]!r} is not a date and time")
    return moment


def _decimal(value: Any) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise Unconvertible(f"{str(value)[:40]!r} is not a number") from None
    if not number.is_finite():
        raise Unconvertible(f"{value!r} is not a finite number")
    return number


def _integer(value: Any) -> int:
    try:
        return int(Decimal(str(value).strip()))
    except (InvalidOperation, ValueError):
        raise Unconvertible(f"{str(value)[:40]!r} is not a whole number") from None


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    text = str(value).strip().lower()
    if text in ("true", "yes", "1", "y"):
        return True
    if text in ("false", "no", "0", "n", ""):
        return False
    raise Unconvertible(f"{str(value)[:40]!r} is not yes or no")


def columns_of(mapper: Mapper[Any]) -> dict[str, Column]:
    """Return a converter for every column of a hub model."""
    found = {}
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        kind = column.type
        convert: Callable[[Any], Any]
        if isinstance(kind, UTCDateTime):
            convert = _datetime
        elif isinstance(kind, Date):
            convert = _date
        elif isinstance(kind, Numeric):
            convert = _decimal
        elif isinstance(kind, Boolean):
            convert = _boolean
        elif isinstance(kind, Integer):
            convert = _integer
        elif isinstance(kind, String):
            convert = _string(kind.length)
        elif kind is JSONType or type(kind) is type(JSONType):
            convert = lambda value: value  # noqa: E731
        else:
            convert = _string(None)
        default = column.default
        scalar = default.arg if default is not None and default.is_scalar else None
        found[attr.key] = Column(attr.key, convert, bool(column.nullable), scalar)
    return found


def convert(column: Column, value: Any) -> tuple[Any, str | None]:
    """Return the converted value and an error in words (or ``None``)."""
    if value is None or value == "":
        return None, None
    if value == MASKED:
        return None, "is masked (a protected custom field the API user may not read)"
    try:
        return column.convert(value), None
    except Unconvertible as exc:
        fallback = exc.args[1] if len(exc.args) > 1 else None
        return fallback, str(exc.args[0])
