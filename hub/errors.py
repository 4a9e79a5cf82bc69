"""Errors the hub raises, each with a message an admin can act on.

::

    HubError
    ├── ConfigurationError        bad settings, unknown tenant/connector, a second primary
    │   └── ValidationFailed      settings or input that failed schema validation
    ├── ConnectionFailed          the remote system could not be reached or answered oddly
    │   ├── AuthenticationFailed  credentials rejected
    │   ├── PermissionDenied      the remote user may not read or write an entity
    │   └── RateLimited           throttled; retriable after a pause
    └── DataError                 a remote record that cannot be stored as it is

Messages never contain secrets: ``scrub`` removes every known secret value
from any text before it is shown or logged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class HubError(Exception):
    """Root of every error the hub reports to a person."""

    retriable = False

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class ConfigurationError(HubError):
    """Something the operator or admin configured is wrong or missing."""


class ValidationFailed(ConfigurationError):
    """Input that failed validation; ``errors`` maps each bad field to its problems."""

    def __init__(self, errors: Mapping[str, list[str] | str], what: str = "settings") -> None:
        self.errors = {k: [v] if isinstance(v, str) else list(v) for k, v in errors.items()}
        parts = [f"{field}: {'; '.join(msgs)}" for field, msgs in sorted(self.errors.items())]
        super().__init__(f"invalid {what}: " + ", ".join(parts))


class ConnectionFailed(HubError):
    """The remote system could not be reached, or refused the request."""


class AuthenticationFailed(ConnectionFailed):
    """The remote system rejected the credentials."""


class PermissionDenied(ConnectionFailed):
    """The remote user is not allowed to read or write an entity."""


class RateLimited(ConnectionFailed):
    """The remote system (or the hub's own budget) asks us to slow down."""

    retriable = True

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DataError(HubError):
    """A remote record that cannot be stored as it is."""


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """Return ``text`` with every non-empty secret replaced by ``[secret]``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[secret]")
    return text
