"""The Redis call gate: concurrency per endpoint across processes, the hourly budget."""

from __future__ import annotations

import threading
import time

import pytest
import redis

from hub.errors import RateLimited
from hub.sync.gate import GateView, RedisGate
from hub.testing.fixtures import REDIS_URL


@pytest.fixture(params=["embedded", "external"])
def client(request: pytest.FixtureRequest, embedded_redis: str) -> redis.Redis:
    if request.param == "external":
        if not REDIS_URL:
            pytest.skip("HUB_TEST_REDIS_URL not set")
        url = REDIS_URL
    else:
        url = embedded_redis
    conn = redis.Redis.from_url(url)
    conn.flushdb()
    return conn


def test_no_more_than_the_limit_in_flight_across_gates(client: redis.Redis) -> None:
    gates = [RedisGate(client, "t1", concurrency=3) for _ in range(2)]  # two "processes"
    active = 0
    peak = 0
    lock = threading.Lock()

    def work(gate: RedisGate) -> None:
        nonlocal active, peak
        for _ in range(3):
            with gate.call("Companies"):
                with lock:
                    active += 1
                    peak = max(peak, active)
                time.sleep(0.02)
                with lock:
                    active -= 1

    threads = [threading.Thread(target=work, args=(gates[i % 2],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == 3
    assert sum(g.calls for g in gates) == 24
    assert gates[0].used_this_hour() == 24


def test_other_endpoints_are_not_held_up(client: redis.Redis) -> None:
    gate = RedisGate(client, "t2", concurrency=1)
    with gate.call("Companies"), gate.call("Contacts"):
        pass  # a slot on one endpoint does not block another


def test_a_dead_holder_s_slot_expires(client: redis.Redis) -> None:
    gate = RedisGate(client, "t3", concurrency=1, lease_seconds=0.2)
    client.zadd("hub:slots:t3:Companies", {"killed-process": time.time()})
    started = time.monotonic()
    with gate.call("Companies"):
        pass
    assert 0.1 < time.monotonic() - started < 2


def test_the_budget_pauses_then_stops_and_says_so(client: redis.Redis) -> None:
    messages: list[str] = []
    gate = RedisGate(client, "t4", hourly_limit=40, share=0.5, max_pause=0.3,
                     on_pause=messages.append)  # fmt: skip
    assert gate.cap() == 20
    for _ in range(20):
        gate._count()  # the hub's own calls earlier this hour
    with pytest.raises(RateLimited, match="budget"), gate.call("Companies"):
        pass
    assert gate.used_this_hour() == 20  # never crossed its share
    assert messages[0].startswith("paused: the hub used 20 of its 20 API calls this hour")


def test_remote_usage_by_others_shrinks_the_cap(client: redis.Redis) -> None:
    gate = RedisGate(client, "t5", hourly_limit=10_000, share=0.5)
    assert gate.cap() == 5000
    view = GateView(gate)
    view.report_usage(9_000, 10_000)  # another integration spent 9,000
    assert gate.cap() == 500
    other_process = RedisGate(client, "t5", hourly_limit=10_000, share=0.5)
    assert other_process.cap() == 500  # shared through Redis


def test_pacing_past_three_quarters(client: redis.Redis, monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    gate = RedisGate(client, "t6", hourly_limit=200, share=0.5)  # cap 100
    for _ in range(80):
        gate._count()
    messages: list[str] = []
    gate.on_pause = messages.append
    monkeypatch.setattr("hub.sync.gate.time.sleep", slept.append)
    with gate.call("Companies"):
        pass
    assert slept == [pytest.approx(60.0)]  # 3600 s / 20 calls left, at most a minute
    assert messages == ["slowing down: 80 of the hub's 100 API calls this hour are used"]


def test_parallel_callers_never_pass_the_cap_together(client: redis.Redis) -> None:
    gate = RedisGate(client, "t9", hourly_limit=40, share=0.5, max_pause=0.2)
    made = []

    def work() -> None:
        for _ in range(5):
            try:
                with gate.call(f"Endpoint{threading.get_ident() % 3}"):
                    made.append(1)
            except RateLimited:
                return

    threads = [threading.Thread(target=work) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 20  # exactly the share: none of 16 threads slipped past together
    assert gate.used_this_hour() == 20


def test_calls_in_flight_do_not_count_as_seen_by_the_remote(client: redis.Redis) -> None:
    gate = RedisGate(client, "t10", hourly_limit=10_000, share=0.5)
    with gate.call("Companies"), gate.call("Contacts"):  # two calls still in flight ...
        with gate.call("ThresholdInformation"):
            pass
        gate.report_usage(9_001, 10_000)  # ... when the remote said 9,001 calls were made
    # None of the hub's calls had been answered when the usage call left, so all 9,001
    # count as the others' (safe): the cap is not inflated by the three calls in flight.
    assert gate.cap() == 499  # int(0.5 * (10,000 - 9,001))
