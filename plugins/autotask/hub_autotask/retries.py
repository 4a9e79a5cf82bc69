"""How long to wait before retrying a retriable Autotask answer, and how often to try.

Exponential backoff with jitter, capped, honouring ``Retry-After`` when
Autotask sends one (it does not document one for the thread limit). The
operator tunes it through the environment:

- ``HUB_AUTOTASK_MAX_ATTEMPTS`` (default 6): attempts per call, first included;
- ``HUB_AUTOTASK_BACKOFF_SECONDS`` (default 0.5): the first wait, doubled each time;
- ``HUB_AUTOTASK_MAX_BACKOFF_SECONDS`` (default 30): the longest single wait;
- ``HUB_AUTOTASK_TIMEOUT_SECONDS`` (default 60): the read timeout of one request.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass

from hub.errors import ConfigurationError


def _number(name: str, default: float, low: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a number") from None
    if value < low:
        raise ConfigurationError(f"{name} must be at least {low}, not {raw}")
    return value


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts, backoff and timeout of the client's calls."""

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    timeout: float = 60.0

    @classmethod
    def from_environment(cls) -> RetryPolicy:
        """Return the policy the operator configured (defaults otherwise)."""
        return cls(
            max_attempts=int(_number("HUB_AUTOTASK_MAX_ATTEMPTS", 6, 1)),
            base_delay=_number("HUB_AUTOTASK_BACKOFF_SECONDS", 0.5, 0),
            max_delay=_number("HUB_AUTOTASK_MAX_BACKOFF_SECONDS", 30.0, 0),
            timeout=_number("HUB_AUTOTASK_TIMEOUT_SECONDS", 60.0, 0.01),
        )

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Return the wait after failed ``attempt`` (1-based), jittered, or ``Retry-After``.

        A ``Retry-After`` longer than ``max_delay`` is not waited for in-process: the
        client gives up and hands the pause to the core (see :meth:`waits_too_long`).
        """
        if retry_after is not None:
            # Honour the server, plus a little jitter so parallel callers do not stampede.
            return retry_after + random.uniform(0, 0.25)
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return random.uniform(ceiling / 2, ceiling)

    def waits_too_long(self, retry_after: float | None) -> bool:
        """Return whether the server asked for a pause longer than the client will sleep."""
        return retry_after is not None and retry_after > self.max_delay
