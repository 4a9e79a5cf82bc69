"""Refuse request input that no database column can hold: NUL characters, huge ids.

PostgreSQL text and JSON cannot store U+0000, so a token name, a setting or
a mapping key containing one would fail deep inside a write as a server
error. Every request's query string, form fields and JSON strings are
checked once, up front, and such a request is answered 400 saying why.

Ids in paths (``<int:...>``) are the tables' 32-bit integer keys: a larger
number made PostgreSQL fail the lookup ("integer out of range", a 500). Such
a path matches no route, so it is a 404 like any id that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import BadRequest

NUL = "\x00"
MESSAGE = "Text in the request contains a NUL character (U+0000); remove it and try again."


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _has_nul() -> bool:
    pairs = [*request.args.items(multi=True), *request.form.items(multi=True)]
    if any(NUL in key or NUL in value for key, value in pairs):
        return True
    if request.is_json:
        return any(NUL in text for text in _strings(request.get_json(silent=True)))
    return False


def refuse_nul_text() -> None:
    """Answer 400 when the request carries a NUL character anywhere the hub would read."""
    if _has_nul():
        refusal = BadRequest(description=MESSAGE)
        # The API's error handler puts ``data["message"]`` in its JSON body.
        refusal.data = {"message": MESSAGE}  # type: ignore[attr-defined]
        raise refusal


def register_input_guard(app: Flask) -> None:
    """Check every request before its view (and before CSRF, which reads the form too)."""
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_nul_text)
