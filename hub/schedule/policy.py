"""When a stream is due: intervals, the nightly window, and missed windows run once.

Pure functions of the time, the last sync and the settings, so they are
easy to test and the dispatcher stays simple. Due-ness is computed from the
last sync (or dispatch), never by counting missed slots: a hub that was down
for three nights syncs once when it comes back, not three times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Window:
    """A daily window ``start``-``end`` (local times in ``zone``); it may wrap midnight."""

    start: time
    end: time
    zone: ZoneInfo

    def _length(self) -> timedelta:
        start = timedelta(hours=self.start.hour, minutes=self.start.minute)
        end = timedelta(hours=self.end.hour, minutes=self.end.minute)
        return (end - start) % timedelta(days=1) or timedelta(days=1)

    def last_start(self, now: datetime) -> datetime:
        """Return the start of the latest window occurrence at or before ``now``."""
        local = now.astimezone(self.zone)
        start = datetime.combine(local.date(), self.start, tzinfo=self.zone)
        if start > local:
            start = datetime.combine(local.date() - timedelta(days=1), self.start, self.zone)
        return start

    def is_open(self, now: datetime) -> bool:
        """Whether ``now`` falls inside a window occurrence."""
        return now < self.last_start(now) + self._length()

    def next_start(self, now: datetime) -> datetime:
        """Return the start of the next window occurrence after ``now``."""
        last = self.last_start(now)
        return datetime.combine(last.date() + timedelta(days=1), self.start, self.zone)


def parse_hhmm(text: str) -> time | None:
    """Return ``HH:MM`` as a time (``None`` when malformed)."""
    match = HHMM.match(text.strip())
    return time(int(match.group(1)), int(match.group(2))) if match else None


def zone(name: str) -> ZoneInfo | None:
    """Return the IANA time zone ``name`` (``None`` when unknown)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def is_due(
    now: datetime, last: datetime | None, interval: timedelta, window: Window | None
) -> bool:
    """Whether a stream last synced (or dispatched) at ``last`` should sync at ``now``.

    Without a window: when ``interval`` has passed. With one: once per window
    occurrence (a window missed while the hub was down runs once, now), and
    again inside the window when ``interval`` has passed.
    """
    if last is None:
        return True
    if window is None:
        return now - last >= interval
    if last < window.last_start(now):
        return True
    return window.is_open(now) and now - last >= interval


def next_due(
    now: datetime, last: datetime | None, interval: timedelta, window: Window | None
) -> datetime:
    """Return when the stream will next be due (``now`` when it is due already)."""
    if is_due(now, last, interval, window) or last is None:
        return now
    if window is None:
        return last + interval
    again = last + interval
    if window.is_open(now) and again < window.last_start(now) + window._length():
        return again
    return window.next_start(now)
