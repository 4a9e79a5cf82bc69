"""Fixtures of the Autotask connector's tests: sandboxes over real HTTP and their settings.

``autotask_sandbox`` is one small sandbox for the session (read-mostly);
``fresh_sandbox`` is a sandbox of the test's own, for tests that change data
or switch faults on. ``settings`` / ``fresh_settings`` are the validated
connector settings reaching them; both point ``HUB_AUTOTASK_ZONE_LOOKUP_URL``
at their sandbox (the operator switch that allows a non-autotask.net host)
and shrink the client's backoff so retries take milliseconds.

Fixture names avoid the sandbox suite's own (``sandbox``, ``fresh``, ...)
and nothing here is autouse: ``tests/sandbox`` is not affected.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hub_autotask import client as client_module
from hub_autotask.sandbox import Sandbox

from hub.connectors import get_connector
from hub.testing import CountingGate

FAST_RETRIES = {
    "HUB_AUTOTASK_BACKOFF_SECONDS": "0.005",
    "HUB_AUTOTASK_MAX_BACKOFF_SECONDS": "0.05",
    "HUB_AUTOTASK_TIMEOUT_SECONDS": "10",
}


def point_at(monkeypatch: pytest.MonkeyPatch, sb: Sandbox) -> None:
    """Let the client reach ``sb`` (the operator's switch) and retry quickly."""
    monkeypatch.setenv("HUB_AUTOTASK_ZONE_LOOKUP_URL", sb.zone_lookup_url)
    monkeypatch.delenv("HUB_AUTOTASK_INTEGRATION_CODE", raising=False)
    monkeypatch.delenv("HUB_AUTOTASK_MAX_ATTEMPTS", raising=False)
    for name, value in FAST_RETRIES.items():
        monkeypatch.setenv(name, value)


def settings_for(sb: Sandbox, **overrides: Any) -> dict[str, Any]:
    """Return validated settings with ``sb``'s credentials (``overrides`` replace keys)."""
    raw = {**sb.credentials, **overrides}
    return get_connector("autotask").validate_settings(raw)


@pytest.fixture(scope="session")
def autotask_sandbox() -> Iterator[Sandbox]:
    """A small sandbox shared by the session; tests must not change its data."""
    with Sandbox(scale="small", seed=11, throttle_scale=0.0) as sb:
        yield sb
    client_module.close_all()


@pytest.fixture
def settings(autotask_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Settings reaching the shared sandbox."""
    point_at(monkeypatch, autotask_sandbox)
    return settings_for(autotask_sandbox)


@pytest.fixture
def fresh_sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """A sandbox of the test's own, already pointed at."""
    with Sandbox(scale="small", seed=5, throttle_scale=0.0, webhook_retry_seconds=0.05) as sb:
        point_at(monkeypatch, sb)
        yield sb


@pytest.fixture
def fresh_settings(fresh_sandbox: Sandbox) -> dict[str, Any]:
    """Settings reaching the test's own sandbox."""
    return settings_for(fresh_sandbox)


@pytest.fixture
def gate() -> CountingGate:
    """A gate that counts calls per endpoint."""
    return CountingGate()
