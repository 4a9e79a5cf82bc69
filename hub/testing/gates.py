"""Call gates for tests: they count every remote call and watch concurrency.

:class:`CountingGate` satisfies :class:`hub.connector.CallGate` and records,
per endpoint, how many calls were made and the most that were in flight at
once, so a test can assert that a connector sends every call through the
gate and respects a concurrency cap.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Iterator


class CountingGate:
    """A limit-free :class:`~hub.connector.CallGate` that records calls per endpoint.

    Like :class:`hub.connector.FreeGate`, ``calls`` is the total number of
    calls, so the gate can stand in wherever the core counts calls;
    ``per_endpoint`` and ``max_active`` break them down by endpoint.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls = 0
        self.per_endpoint: Counter[str] = Counter()
        self.active: Counter[str] = Counter()
        self.max_active: Counter[str] = Counter()
        self.log: list[str] = []
        self.usage: tuple[int, int] | None = None

    @contextlib.contextmanager
    def call(self, endpoint: str) -> Iterator[None]:
        """Count one call on ``endpoint`` and track how many are in flight."""
        with self._lock:
            self.calls += 1
            self.per_endpoint[endpoint] += 1
            self.log.append(endpoint)
            self.active[endpoint] += 1
            self.max_active[endpoint] = max(self.max_active[endpoint], self.active[endpoint])
        try:
            yield
        finally:
            with self._lock:
                self.active[endpoint] -= 1

    def report_usage(self, used: int, limit: int) -> None:
        """Remember the remote system's own usage figures."""
        self.usage = (used, limit)

    @property
    def total(self) -> int:
        """Return the number of calls made on every endpoint together."""
        return self.calls

    @property
    def in_flight(self) -> int:
        """Return the number of calls still holding a slot (0 once every call ended)."""
        return sum(self.active.values())

    @property
    def max_concurrency(self) -> int:
        """Return the most calls that were in flight at once on any single endpoint."""
        return max(self.max_active.values(), default=0)
