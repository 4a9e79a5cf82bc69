"""The sandbox starts on a free port, serves real HTTP concurrently and stops."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from hub_autotask.sandbox import Sandbox

from .conftest import auth_headers


def test_start_picks_a_free_port_and_stop_closes_it() -> None:
    started = time.perf_counter()
    sb = Sandbox(scale="small", seed=3).start()
    assert time.perf_counter() - started < 1.0
    try:
        assert sb.port > 0
        assert sb.zone_url.startswith(f"http://127.0.0.1:{sb.port}/")
        assert httpx.get(sb.control_url).status_code == 200
    finally:
        sb.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{sb._requested_port or 1}/", timeout=1)


def test_two_sandboxes_run_side_by_side() -> None:
    with Sandbox(seed=4) as one, Sandbox(seed=5) as two:
        assert one.port != two.port
        assert one.credentials != two.credentials


def test_latency_sleeps_do_not_block_other_requests() -> None:
    with Sandbox(seed=6, latency_ms=300, thread_limit=10) as sb:
        entities = [
            "Companies",
            "Contacts",
            "ConfigurationItems",
            "Tickets",
            "Contracts",
            "Projects",
        ]

        def fetch(entity: str) -> int:
            with httpx.Client(base_url=sb.zone_url, headers=auth_headers(sb)) as client:
                return client.get(f"V1.0/{entity}/entityInformation").status_code

        started = time.perf_counter()
        with ThreadPoolExecutor(len(entities)) as pool:
            codes = list(pool.map(fetch, entities))
        elapsed = time.perf_counter() - started
        assert codes == [200] * len(entities)
        assert elapsed < 1.2  # six 0.3 s calls in parallel, not 1.8 s in a row
        assert sb.stats()["total"] == len(entities)


def test_keep_alive_connections_are_reused(sandbox: Sandbox) -> None:
    with httpx.Client(base_url=sandbox.zone_url, headers=auth_headers(sandbox)) as client:
        first = client.get("V1.0/Companies/0")
        second = client.get("V1.0/Companies/0")
        assert first.status_code == second.status_code == 200
        assert first.headers.get("connection", "keep-alive").lower() != "close"


def test_latency_is_the_calls_whole_time_the_answer_included() -> None:
    with Sandbox(seed=6, latency_ms=300) as sb:
        body = {"MaxRecords": 500, "filter": [{"op": "gte", "field": "id", "value": 0}]}
        with httpx.Client(base_url=sb.zone_url, headers=auth_headers(sb)) as client:
            started = time.perf_counter()
            answer = client.post("V1.0/Tickets/query", json=body)
            elapsed = time.perf_counter() - started
        assert answer.status_code == 200 and answer.json()["items"]
        # Never faster than the latency: the sandbox's own work is spent inside it.
        assert elapsed >= 0.3
