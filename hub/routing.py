"""URL converters shared by the admin pages and the JSON API."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

ROW_ID_MAX = 2**31 - 1  # PostgreSQL's integer, the type of every row id


class RowIdConverter(IntegerConverter):
    """``<int:...>`` in every route: a row id, so at most :data:`ROW_ID_MAX`.

    A larger number in a URL is then a 404 like any id that does not exist,
    instead of an "integer out of range" error from the database.
    """

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", ROW_ID_MAX)
        super().__init__(url_map, *args, **kwargs)


def row_id_schema(_converter: RowIdConverter) -> dict[str, Any]:
    """Return the OpenAPI schema of a row id path parameter."""
    return {"type": "integer", "minimum": 0, "maximum": ROW_ID_MAX}
