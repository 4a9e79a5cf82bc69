"""Autotask date-time handling: lenient parsing, instant keys and formatting.

Autotask answers with 0-7 fractional digits (trailing zeros trimmed, as .NET
serialises them), usually with ``Z`` and sometimes without a zone (then UTC).
Date-only fields carry midnight and no zone: ``2027-03-31T00:00:00``.
Filters compare date-times as instants, so every value is reduced to a
fixed-width UTC key (``YYYY-MM-DDTHH:MM:SS.fffffff``) that sorts correctly
as a plain string.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)


def instant_key(value: str) -> str:
    """Return the fixed-width UTC sort key of an ISO date-time string.

    Raises ValueError when ``value`` is not an ISO date or date-time.
    """
    # Fast path for the shapes Autotask (and the sandbox) store: filters scan
    # every row, so this runs hundreds of thousands of times per query.
    if len(value) >= 19 and value[10] == "T" and value[4] == "-" and value[16] == ":":
        rest = value[19:]
        if rest.endswith("Z"):
            rest = rest[:-1]
        if not rest:
            return value[:19] + ".0000000"
        if rest[0] == "." and 1 < len(rest) <= 8 and rest[1:].isdigit():
            return f"{value[:19]}.{rest[1:]:0<7}"
    match = _ISO.match(value.strip())
    if not match:
        raise ValueError(f"not a date-time: {value!r}")
    year, month, day, hour, minute, second, frac, zone = match.groups()
    key = f"{year}-{month}-{day}T{hour or '00'}:{minute or '00'}:{second or '00'}"
    fraction = (frac or "").ljust(7, "0")
    if zone and zone != "Z":
        moment = datetime.fromisoformat(f"{key}{zone[:3]}:{zone[-2:]}").astimezone(UTC)
        key = moment.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{key}.{fraction}"


def is_datetime(value: str) -> bool:
    """Return whether ``value`` parses as an Autotask date-time."""
    return bool(_ISO.match(value.strip()))


def format_instant(moment: datetime, *, zone: bool = True) -> str:
    """Format a UTC datetime as Autotask does (trimmed 7-digit fraction, ``Z``)."""
    base = moment.strftime("%Y-%m-%dT%H:%M:%S")
    ticks = moment.microsecond * 10
    fraction = f"{ticks:07d}".rstrip("0")
    text = f"{base}.{fraction}" if fraction else base
    return text + ("Z" if zone else "")


def format_date(day: date) -> str:
    """Format a date-only field value (midnight, no zone)."""
    return f"{day.isoformat()}T00:00:00"


def utc_now() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


def anchor_midnight() -> datetime:
    """Return today's UTC midnight: seed data is generated relative to it."""
    now = utc_now()
    return datetime(now.year, now.month, now.day, tzinfo=UTC)


def days_before(anchor: datetime, days: float) -> datetime:
    """Return the instant ``days`` days before ``anchor``."""
    return anchor - timedelta(days=days)
