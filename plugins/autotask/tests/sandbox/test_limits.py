"""The rolling-hour counter, throttling, refusal and the thread limit."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
from hub_autotask.sandbox import Sandbox

from .conftest import make_client


def test_threshold_information_counts_itself(
    fresh: Sandbox, client_for: Callable[[Sandbox], httpx.Client]
) -> None:
    client = client_for(fresh)
    first = client.get("V1.0/ThresholdInformation").json()
    assert first == {
        "externalRequestThreshold": 10000,
        "requestThresholdTimeframe": 60,
        "currentTimeframeRequestCount": 1,
    }
    client.get("V1.0/Companies/0")
    assert client.get("V1.0/ThresholdInformation").json()["currentTimeframeRequestCount"] == 3


def test_usage_past_the_limit_is_refused_and_past_half_is_slowed() -> None:
    with Sandbox(seed=9, hourly_limit=100, throttle_scale=0.2) as sb, make_client(sb) as client:
        started = time.perf_counter()
        client.get("V1.0/Companies/0")
        fast = time.perf_counter() - started
        sb.set_usage(60)  # past 50%: +0.5 s * 0.2
        started = time.perf_counter()
        client.get("V1.0/Companies/0")
        assert time.perf_counter() - started >= 0.1 > fast
        sb.set_usage(80)  # past 75%: +1 s * 0.2
        started = time.perf_counter()
        client.get("V1.0/Companies/0")
        assert time.perf_counter() - started >= 0.2
        sb.set_usage(100)
        refused = client.get("V1.0/Companies/0")
        assert refused.status_code == 429 and refused.json()["errors"]
        assert sb.usage() == 100


def test_fourth_concurrent_request_on_an_endpoint_gets_itgenatr005() -> None:
    with Sandbox(seed=10, latency_ms=400) as sb:

        def call(path: str) -> httpx.Response:
            with make_client(sb) as client:
                return client.get(path)

        with ThreadPoolExecutor(5) as pool:
            same = list(pool.map(call, ["V1.0/Companies/0"] * 4 + ["V1.0/Tickets/1"]))
        codes = sorted(r.status_code for r in same[:4])
        assert codes == [200, 200, 200, 429]
        refused = next(r for r in same if r.status_code == 429)
        assert "Itgenatr005" in refused.json()["errors"][0]
        assert same[4].status_code == 200  # another endpoint has its own slots
        stats = sb.stats()
        assert stats["peak_concurrency"]["Companies"] == 3
        assert stats["calls"]["GET /V1.0/Companies/{id}"] == {"200": 3, "429": 1}


def test_zone_lookup_is_not_thread_limited() -> None:
    with Sandbox(seed=11, thread_limit=1) as sb:
        user = sb.credentials["username"]

        def lookup(_: int) -> int:
            return httpx.get(
                f"{sb.zone_lookup_url}v1.0/zoneInformation", params={"user": user}
            ).status_code

        with ThreadPoolExecutor(6) as pool:
            assert set(pool.map(lookup, range(12))) == {200}
