"""Where credentials may be sent: the URL policy of the Autotask client.

Credentials only ever go to ``https://*.autotask.net``. The operator (never a
tenant admin through a form) may point the client at another zone-lookup
base through ``HUB_AUTOTASK_ZONE_LOOKUP_URL``, e.g. a local sandbox; then
URLs on that base's origin are accepted too, plain ``http://`` included.
A tenant's ``zone_url`` setting, the ``url`` a zone lookup answers and every
``nextPageUrl`` pass through the same check.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from hub.errors import ConfigurationError

LOOKUP_URL_VARIABLE = "HUB_AUTOTASK_ZONE_LOOKUP_URL"
DEFAULT_LOOKUP_URL = "https://webservices2.autotask.net/atservicesrest/"
AUTOTASK_DOMAIN = "autotask.net"


def origin(url: str) -> tuple[str, str, int | None]:
    """Return ``(scheme, host, port)`` of ``url``, lower-cased, default ports made explicit."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is None:
        port = {"https": 443, "http": 80}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def with_slash(url: str) -> str:
    """Return ``url`` ending with exactly one slash."""
    return url.rstrip("/") + "/"


def lookup_base() -> str:
    """Return the zone-lookup base: the operator's override, else Autotask's own."""
    override = os.environ.get(LOOKUP_URL_VARIABLE, "").strip()
    return with_slash(override) if override else DEFAULT_LOOKUP_URL


def operator_origin() -> tuple[str, str, int | None] | None:
    """Return the origin the operator opened with ``HUB_AUTOTASK_ZONE_LOOKUP_URL``, if set."""
    override = os.environ.get(LOOKUP_URL_VARIABLE, "").strip()
    return origin(override) if override else None


def is_autotask_host(url: str) -> bool:
    """Return whether ``url`` is ``https://`` on ``autotask.net`` or one of its subdomains."""
    scheme, host, _ = origin(url)
    return scheme == "https" and (host == AUTOTASK_DOMAIN or host.endswith("." + AUTOTASK_DOMAIN))


def is_allowed(url: str) -> bool:
    """Return whether credentials may be sent to ``url``."""
    if is_autotask_host(url):
        return True
    opened = operator_origin()
    return opened is not None and origin(url) == opened


def require_allowed(url: str, what: str) -> str:
    """Return ``url`` with a trailing slash, or raise :class:`ConfigurationError` naming it."""
    if any(c.isspace() or not c.isprintable() or c == "\\" for c in url.strip()):
        # urlsplit would quietly drop tabs and newlines, httpx would refuse them later.
        raise ConfigurationError(
            f"the {what} {url!r} contains spaces, control characters or backslashes"
        )
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"the {what} {url!r} is not an http(s) URL")
    if parts.username or parts.password:
        raise ConfigurationError(f"the {what} must not carry a user name or password")
    if not is_allowed(url):
        raise ConfigurationError(
            f"the {what} {url!r} is refused: Autotask credentials are only sent to "
            f"https://*.{AUTOTASK_DOMAIN} hosts. Leave the zone URL blank to have it detected "
            f"from the username; an operator can allow another host (e.g. a sandbox) with "
            f"{LOOKUP_URL_VARIABLE}."
        )
    return with_slash(url.strip())


def same_origin(url: str, base: str) -> bool:
    """Return whether ``url`` is on the same scheme, host and port as ``base``."""
    return origin(url) == origin(base)
