"""How CLI commands report errors: one line, exit 2 for usage errors, 1 for failures."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from hub.errors import ConfigurationError, HubError

F = TypeVar("F", bound=Callable[..., Any])


class OneLineError(click.ClickException):
    """A ClickException shown as a single ``error: ...`` line."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]

    def show(self, file: Any = None) -> None:
        """Print the one-line message to stderr."""
        click.echo(f"error: {self.format_message()}", err=True, file=file or sys.stderr)


def reports_errors(func: F) -> F:
    """Turn :class:`HubError` into a one-line message and the right exit status."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConfigurationError as exc:
            raise OneLineError(str(exc), 2) from None
        except HubError as exc:
            raise OneLineError(str(exc), 1) from None

    return wrapper  # type: ignore[return-value]
