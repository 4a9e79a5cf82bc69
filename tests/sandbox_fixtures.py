"""The Autotask sandbox fixtures most core tests share (imported by ``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hub_autotask.sandbox import Sandbox

from hub.worker import run_worker
from tests.test_api_integrations import Api, make_token


def point_at(monkeypatch: pytest.MonkeyPatch, sb: Sandbox) -> None:
    """Let the Autotask client reach ``sb`` (the operator's switch) and retry quickly."""
    monkeypatch.setenv("HUB_AUTOTASK_ZONE_LOOKUP_URL", sb.zone_lookup_url)
    monkeypatch.delenv("HUB_AUTOTASK_INTEGRATION_CODE", raising=False)
    monkeypatch.setenv("HUB_AUTOTASK_BACKOFF_SECONDS", "0.005")
    monkeypatch.setenv("HUB_AUTOTASK_MAX_BACKOFF_SECONDS", "0.05")


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """A small seeded Autotask sandbox the hub's Autotask client is pointed at."""
    with Sandbox(scale="small", seed=5, throttle_scale=0.0) as sb:
        point_at(monkeypatch, sb)
        yield sb


@pytest.fixture
def synced(app: Flask, client: FlaskClient, sandbox: Sandbox) -> Api:
    """An API client of a tenant whose Autotask integration finished its first sync."""
    api = Api(client, make_token(app))
    saved = api.put("/integrations/autotask", {"settings": sandbox.credentials})
    assert saved.status_code == 200, saved.json
    run_worker(app, burst=True)
    run = api.get(f"/runs/{saved.json['started_run_id']}").json
    assert run["status"] == "succeeded", run  # the run's events say why, if not
    return api
