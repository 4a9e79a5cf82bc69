"""Autotask's request limits: the rolling-hour counter and the thread limit.

Every counted request of the database lands in a rolling one-hour window.
Past 50% of ``hourly_limit`` each call is slowed by about 0.5 s, past 75%
by about 1 s (both multiplied by ``throttle_scale`` so tests can shrink
them), and past 100% calls are refused. Separately, at most
``thread_limit`` requests may run at once per (integration code, object
endpoint); the next one is refused with 429 and ``Itgenatr005``.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from hub_autotask.sandbox.errors import ApiError

WINDOW_SECONDS = 3600.0
THREAD_ERROR = (
    "Itgenatr005: Thread Threshold Exceeded. The number of concurrent requests for "
    "this API tracking identifier and entity has exceeded the allowed limit."
)


class HourlyCounter:
    """Rolling-hour request counter of one Autotask database."""

    def __init__(self, limit: int, throttle_scale: float = 1.0) -> None:
        """Create a counter refusing calls past ``limit`` per hour."""
        self.limit = limit
        self.throttle_scale = throttle_scale
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def _expire(self, now: float) -> None:
        horizon = now - WINDOW_SECONDS
        times = self._times
        while times and times[0] <= horizon:
            times.popleft()

    def count(self) -> int:
        """Return requests counted in the last hour."""
        with self._lock:
            self._expire(time.monotonic())
            return len(self._times)

    def admit(self) -> float:
        """Count one request; return the throttle delay in seconds, or refuse it."""
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            used = len(self._times)
            if used >= self.limit:
                raise ApiError(
                    429,
                    f"The request was refused: the external request threshold of "
                    f"{self.limit} requests per 60 minutes has been exceeded.",
                )
            self._times.append(now)
            share = (used + 1) / self.limit
        if share > 0.75:
            return 1.0 * self.throttle_scale
        if share > 0.5:
            return 0.5 * self.throttle_scale
        return 0.0

    def set_usage(self, count: int) -> None:
        """Pretend ``count`` requests were made just now (by another integration)."""
        now = time.monotonic()
        with self._lock:
            self._times = deque([now] * count)


class ThreadLimiter:
    """Concurrent-request slots per (integration code, endpoint), with peak tracking."""

    def __init__(self, limit: int) -> None:
        """Create a limiter allowing ``limit`` concurrent requests per key."""
        self.limit = limit
        self._active: dict[tuple[str, str], int] = {}
        self.peaks: dict[str, int] = {}
        self._lock = threading.Lock()

    def acquire(self, code: str, endpoint: str) -> None:
        """Take a slot or raise the 429 ``Itgenatr005`` answer."""
        key = (code, endpoint)
        with self._lock:
            active = self._active.get(key, 0)
            if active >= self.limit:
                raise ApiError(429, THREAD_ERROR)
            self._active[key] = active + 1
            if active + 1 > self.peaks.get(endpoint, 0):
                self.peaks[endpoint] = active + 1

    def release(self, code: str, endpoint: str) -> None:
        """Give a slot back."""
        with self._lock:
            self._active[(code, endpoint)] -= 1

    def reset_peaks(self) -> None:
        """Forget peak concurrency figures."""
        with self._lock:
            self.peaks = {}
