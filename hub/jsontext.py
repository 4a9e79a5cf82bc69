"""Fast JSON for the database: orjson, and pre-serialised text passed through untouched.

The mirror serialises each record once (to hash it) and stores that same text:
:class:`RawJSON` marks text that is already JSON, and :func:`dumps` (the
engines' ``json_serializer``) passes it through instead of encoding it again.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson


class RawJSON(str):
    """A string that already holds JSON text."""

    __slots__ = ()


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(value: Any) -> str:
    """Return JSON text of ``value`` (``RawJSON`` as it is)."""
    if isinstance(value, RawJSON):
        return str(value)
    return orjson.dumps(value, default=_default, option=orjson.OPT_NON_STR_KEYS).decode()


def loads(text: str | bytes) -> Any:
    """Parse JSON text."""
    return orjson.loads(text)


def canonical(value: Any) -> bytes:
    """Return compact JSON with sorted keys: the same record always gives the same bytes."""
    return orjson.dumps(value, default=_default, option=orjson.OPT_SORT_KEYS)
