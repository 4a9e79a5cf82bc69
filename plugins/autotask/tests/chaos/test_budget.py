"""Chaos: another integration has nearly spent the MSP's hourly Autotask budget.

The sandbox's rolling-hour counter is pre-filled as if another integration
had made most of the hour's calls. The hub reads that from
``ThresholdInformation`` and may then spend only its share (50%) of what is
left: it slows down as it nears that, pauses at it, and stops (saying so)
rather than cross it. The sandbox's own counter is the judge.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hub_autotask.sandbox import Sandbox

HOURLY_LIMIT = 10_000
SHARE = 0.5


@pytest.fixture
def small() -> Iterator[Sandbox]:
    with Sandbox(scale="small", seed=5, throttle_scale=0.0, hourly_limit=HOURLY_LIMIT) as sb:
        yield sb


def test_a_nearly_spent_budget_slows_then_stops_the_hub_within_its_share(
    small: Sandbox, hub_env: Callable[..., Any]
) -> None:
    small.set_usage(HOURLY_LIMIT - 60)  # another integration left 60 calls this hour
    env = hub_env(small, HUB_BUDGET_MAX_PAUSE="2")
    others = small.usage()  # with the calls of the connection test that configuring made
    cap = math.floor(SHARE * (HOURLY_LIMIT - others))  # the hub's share of what is left
    assert 10 < cap <= 30
    env.start_worker()
    out = env.start_sync().communicate(timeout=300)[0]

    hub_calls = small.usage() - others
    assert 0 < hub_calls <= cap, f"the hub made {hub_calls} calls; its share was {cap}"
    summary = _last_json(out)
    assert summary["status"] != "succeeded"  # it could not pull everything within its share
    events = env.events()
    assert any("slowing down" in e for e in events), events
    assert any(e.startswith("warning: paused: the hub used") for e in events), events
    stopped = [e for e in events if "hourly API budget" in e and "is spent" in e]
    assert stopped, events
    assert small.stats()["by_status"].get("429", 0) == 0  # the MSP was never throttled


def _last_json(output: str) -> dict[str, Any]:
    import json

    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result
