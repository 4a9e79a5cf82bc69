"""Lenient parsing of remote timestamps into one sortable UTC form."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def parse_timestamp(value: Any) -> datetime | None:
    """Return an aware UTC datetime for ISO-ish text (0-9 fraction digits, no zone = UTC)."""
    if not isinstance(value, str):
        return None
    if len(value) >= 16 and value[4] == "-" and value[7] == "-" and value[13] == ":":
        # Fast path (apply parses hundreds of thousands): C parsing of the common shapes.
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    match = _ISO.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
            micro, tzinfo=UTC,
        )  # fmt: skip
    except ValueError:
        return None
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return moment


def format_timestamp(moment: datetime) -> str:
    """Return ``moment`` as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (sorts as text)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def normalise_timestamp(value: Any) -> str | None:
    """Return the sortable UTC text of a remote timestamp, or ``None`` if it is not one."""
    moment = parse_timestamp(value)
    return format_timestamp(moment) if moment else None
