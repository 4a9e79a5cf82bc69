"""Shared state and helpers of the seed-data generators.

Generation is deterministic per seed: every entity draws from its own
``random.Random`` seeded with ``"<seed>:<entity>"``, and dates are placed
relative to today's UTC midnight so change fields are always in the past.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from hub_autotask.sandbox.dates import anchor_midnight
from hub_autotask.sandbox.store import Row, Store, Table

DAY = 86400


@dataclass(frozen=True)
class Scale:
    """Record counts of one data-set size."""

    companies: int
    cis: int
    tickets: int
    contacts_per_company: float
    resources: int
    products: int

    @classmethod
    def named(cls, name: str) -> Scale:
        """Return the scale called ``small``, ``medium`` or ``large``."""
        return SCALES[name]


SCALES: dict[str, Scale] = {
    "small": Scale(
        companies=60, cis=1500, tickets=1200, contacts_per_company=4.0, resources=15, products=40
    ),
    "medium": Scale(
        companies=1000,
        cis=30000,
        tickets=40000,
        contacts_per_company=5.0,
        resources=60,
        products=120,
    ),
    "large": Scale(
        companies=8000,
        cis=200000,
        tickets=250000,
        contacts_per_company=5.0,
        resources=250,
        products=400,
    ),
}


@lru_cache(maxsize=16384)
def _day_text(day_number: int) -> str:
    return (date(1970, 1, 1) + timedelta(days=day_number)).isoformat()


#: "HH:MM:SS" for every second of a day: formatting is the hot path of seeding.
_TIMES = tuple(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(DAY))


def format_epoch(epoch: int, ticks: int = 0, zone: bool = True) -> str:
    """Format epoch seconds plus 100 ns ticks the way Autotask answers."""
    day_number, seconds = divmod(epoch, DAY)
    text = f"{_day_text(day_number)}T{_TIMES[seconds]}"
    if ticks:
        text = f"{text}.{f'{ticks:07d}'.rstrip('0')}"
    return text + "Z" if zone else text


def stamper(rng: random.Random) -> Callable[[int], str]:
    """Return a fast formatter of epoch seconds with a random fraction style.

    About 7% of values carry no zone (older records), 13% no fraction,
    half millisecond precision and the rest all seven digits.
    """
    draw = rng.random

    def stamp(epoch: int) -> str:
        roll = draw()
        if roll < 0.2:
            return format_epoch(epoch, 0, roll >= 0.07)
        ticks = int(draw() * 10_000_000) or 1
        if roll < 0.7:
            ticks = (ticks // 10_000 or 1) * 10_000
        return format_epoch(epoch, ticks)

    return stamp


def format_epoch_day(epoch: int) -> str:
    """Format the date of epoch seconds as a date-only value (midnight, no zone)."""
    return f"{_day_text(epoch // DAY)}T00:00:00"


@dataclass
class SeedContext:
    """What generators share while filling one store."""

    store: Store
    seed: int
    scale: Scale
    api_username: str
    anchor_epoch: int = field(default_factory=lambda: int(anchor_midnight().timestamp()))
    resource_ids: list[int] = field(default_factory=list)
    api_resource_id: int = 0
    company_ids: list[int] = field(default_factory=list)
    customer_ids: list[int] = field(default_factory=list)
    customer_weights: list[float] = field(default_factory=list)
    company_names: dict[int, str] = field(default_factory=dict)
    contacts_by_company: dict[int, list[int]] = field(default_factory=dict)
    contracts_by_company: dict[int, list[int]] = field(default_factory=dict)
    services_by_contract: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    cis_by_company: dict[int, list[int]] = field(default_factory=dict)
    service_prices: dict[int, tuple[float, float]] = field(default_factory=dict)

    def rng(self, entity: str) -> random.Random:
        """Return the deterministic random generator of ``entity``."""
        return random.Random(f"{self.seed}:{entity}")

    def epoch_back(
        self, rng: random.Random, max_days: float, min_days: float = 0.0, recent_bias: float = 1.0
    ) -> int:
        """Return epoch seconds between ``max_days`` and ``min_days`` before the anchor.

        ``recent_bias`` above 1 crowds values towards ``min_days`` (recent).
        """
        share = rng.random() ** recent_bias
        return self.anchor_epoch - int((min_days + share * (max_days - min_days)) * DAY) - 1

    def stamp(self, rng: random.Random, epoch: int, zone: float = 0.9) -> str:
        """Format ``epoch`` with a random fraction style, mostly with ``Z``."""
        roll = rng.random()
        if roll < 0.15:
            ticks = 0
        elif roll < 0.7:
            ticks = rng.randrange(1, 1000) * 10000
        else:
            ticks = rng.randrange(1, 10_000_000)
        return format_epoch(epoch, ticks, rng.random() < zone)

    def make(self, table: Table, values: dict[str, Any], udfs: tuple[Any, ...] = ()) -> Row:
        """Return a row of ``table`` with ``values`` set (unknown names rejected)."""
        return maker(table)(values, udfs)


def maker(table: Table) -> Callable[[dict[str, Any], tuple[Any, ...]], Row]:
    """Return a fast builder of ``table`` rows from a field dict and UDF values."""
    template = table.blank()
    column = table.column
    slot = table.udf_slot

    def make(values: dict[str, Any], udfs: tuple[Any, ...] = ()) -> Row:
        row = template.copy()
        for name, value in values.items():
            row[column[name]] = value
        if udfs:
            row[slot] = udfs
        return row

    return make
