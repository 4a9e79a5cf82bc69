"""Request statistics: calls per endpoint and status, for tests and benchmarks."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class RequestStats:
    """Thread-safe counters of served requests."""

    def __init__(self) -> None:
        """Start with no calls recorded."""
        self._lock = threading.Lock()
        self._calls: Counter[tuple[str, int]] = Counter()

    def record(self, endpoint: str, status: int) -> None:
        """Count one answered (or dropped, status 0) request."""
        with self._lock:
            self._calls[(endpoint, status)] += 1

    def snapshot(self, peaks: dict[str, int]) -> dict[str, Any]:
        """Return totals, calls per endpoint and status, and peak concurrency.

        Shape: ``{"total", "calls": {endpoint: {status: n}}, "by_status",
        "peak_concurrency": {endpoint: n}}``.
        """
        with self._lock:
            calls: dict[str, dict[str, int]] = {}
            by_status: Counter[str] = Counter()
            for (endpoint, status), n in sorted(self._calls.items()):
                calls.setdefault(endpoint, {})[str(status)] = n
                by_status[str(status)] += n
            return {
                "total": sum(self._calls.values()),
                "calls": calls,
                "by_status": dict(by_status),
                "peak_concurrency": dict(peaks),
            }

    def reset(self) -> None:
        """Forget every recorded call."""
        with self._lock:
            self._calls.clear()
