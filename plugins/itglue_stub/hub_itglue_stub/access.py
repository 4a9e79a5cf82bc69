"""What an API key may do, as the stub's pretend IT Glue decides it.

A key must start with ``ITG.``; anything else is rejected like a revoked key.
A key of the form ``ITG.denied-<stream>[+<stream>...]`` is accepted but may
not read the named streams, so tests can see a per-stream permission failure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.errors import AuthenticationFailed, PermissionDenied

KEY_PREFIX = "ITG."
DENIED_PREFIX = "denied-"


def key_is_valid(settings: Mapping[str, Any]) -> bool:
    """Return whether IT Glue would accept the settings' API key."""
    key = str(settings.get("api_key") or "")
    return key.startswith(KEY_PREFIX) and len(key) > len(KEY_PREFIX)


def denied_streams(settings: Mapping[str, Any]) -> set[str]:
    """Return the streams the settings' API key may not read."""
    rest = str(settings.get("api_key") or "")[len(KEY_PREFIX) :]
    if not rest.startswith(DENIED_PREFIX):
        return set()
    return {name for name in rest[len(DENIED_PREFIX) :].split("+") if name}


def authenticate(settings: Mapping[str, Any]) -> None:
    """Raise :class:`AuthenticationFailed` unless the API key would be accepted."""
    if not key_is_valid(settings):
        raise AuthenticationFailed(
            "IT Glue rejected the API key: it must start with 'ITG.'. Create a key under "
            "Account > Settings > API Keys and paste it here."
        )


def permission_message(stream: str) -> str:
    """Return what an admin must change so the API key can read ``stream``."""
    return (
        f"the API key cannot read {stream}: in IT Glue, give the key's account access to "
        f"{stream.replace('_', ' ')} (Account > Settings > API Keys), or deselect that stream"
    )


def require_readable(settings: Mapping[str, Any], stream: str) -> None:
    """Raise unless the API key is valid and may read ``stream``."""
    authenticate(settings)
    if stream in denied_streams(settings):
        raise PermissionDenied(permission_message(stream))
