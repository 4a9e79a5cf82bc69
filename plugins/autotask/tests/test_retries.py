"""Backoff: exponential with jitter, capped, Retry-After honoured, tunable by the operator."""

from __future__ import annotations

import pytest
from hub_autotask.retries import RetryPolicy

from hub.errors import ConfigurationError


def test_delays_grow_exponentially_with_jitter_and_a_cap() -> None:
    """Each wait lies in [ceiling/2, ceiling], the ceiling doubling up to max_delay."""
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0)
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0), (9, 5.0)]:
        waits = {policy.delay(attempt) for _ in range(50)}
        assert all(ceiling / 2 <= w <= ceiling for w in waits)
        assert len(waits) > 1, "no jitter"


def test_retry_after_is_honoured_and_long_pauses_go_to_the_core() -> None:
    """A server-given pause is waited (plus jitter) unless it is longer than max_delay."""
    policy = RetryPolicy(max_delay=30.0)
    assert 7.0 <= policy.delay(1, retry_after=7.0) <= 7.25
    assert not policy.waits_too_long(7.0)
    assert policy.waits_too_long(600.0)
    assert not policy.waits_too_long(None)


def test_environment_configures_the_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The operator sets attempts, backoff and timeout; nonsense is a ConfigurationError."""
    monkeypatch.setenv("HUB_AUTOTASK_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("HUB_AUTOTASK_BACKOFF_SECONDS", "0.1")
    monkeypatch.setenv("HUB_AUTOTASK_MAX_BACKOFF_SECONDS", "2")
    monkeypatch.setenv("HUB_AUTOTASK_TIMEOUT_SECONDS", "15")
    assert RetryPolicy.from_environment() == RetryPolicy(3, 0.1, 2.0, 15.0)
    monkeypatch.setenv("HUB_AUTOTASK_MAX_ATTEMPTS", "many")
    with pytest.raises(ConfigurationError, match="HUB_AUTOTASK_MAX_ATTEMPTS"):
        RetryPolicy.from_environment()
    monkeypatch.setenv("HUB_AUTOTASK_MAX_ATTEMPTS", "0")
    with pytest.raises(ConfigurationError, match="at least 1"):
        RetryPolicy.from_environment()


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """Six attempts, half a second doubling, 30 s cap, 60 s timeout."""
    for name in ("MAX_ATTEMPTS", "BACKOFF_SECONDS", "MAX_BACKOFF_SECONDS", "TIMEOUT_SECONDS"):
        monkeypatch.delenv(f"HUB_AUTOTASK_{name}", raising=False)
    assert RetryPolicy.from_environment() == RetryPolicy()
    assert RetryPolicy().max_attempts == 6
