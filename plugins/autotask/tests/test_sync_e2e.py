"""End to end: the hub syncs the Autotask sandbox over real HTTP with real RQ workers.

The mirror must end equal to the sandbox for every entity stream; apply
turns it into hub records; later syncs are incremental and catch deletions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from hub_autotask.sandbox import Sandbox
from hub_autotask.streams import ALL
from sqlalchemy import select

from hub.extensions import db
from hub.integrations import configure_integration
from hub.jobs import request_sync
from hub.models import Asset, Company, Integration, MirrorRecord, SyncRun
from hub.sync.mirror import field_names, whole
from hub.sync.runner import run_summary
from hub.tenancy import create_tenant
from hub.worker import run_worker

ENTITY_STREAMS = [s for s in ALL if s.kind == "entity"]


@pytest.fixture
def integration(app: Flask, fresh_sandbox: Sandbox) -> Iterator[Integration]:
    with app.app_context():
        tenant = create_tenant("acme", "Acme", "a@acme.test", "password1")
        yield configure_integration(tenant, "autotask", fresh_sandbox.credentials, primary=True)


def _sync(app: Flask, integration: Integration, **kwargs: Any) -> dict[str, Any]:
    with app.app_context():
        run, created = request_sync(db.session.get(Integration, integration.id), **kwargs)
        assert created
    run_worker(app, burst=True)
    with app.app_context():
        return run_summary(db.session.get(SyncRun, run.id))


def _mirror(app: Flask, stream: str) -> dict[str, Any]:
    """The live mirror of ``stream``, each record read back whole (its null fields too)."""
    with app.app_context():
        rows = db.session.execute(
            select(MirrorRecord.integration_id, MirrorRecord.remote_id, MirrorRecord.data).where(
                MirrorRecord.stream == stream, MirrorRecord.deleted_at.is_(None)
            )
        ).all()
        fields = field_names(rows[0][0], stream) if rows else []
        return {rid: whole(data, fields) for _, rid, data in rows}


def test_first_sync_mirrors_every_stream_exactly(
    app: Flask, fresh_sandbox: Sandbox, integration: Integration
) -> None:
    summary = _sync(app, integration)
    assert summary["status"] == "succeeded", summary
    for stream in ENTITY_STREAMS:
        expected = {str(r["id"]): r for r in fresh_sandbox.records(stream.entity)}
        mirror = _mirror(app, stream.name)
        assert mirror.keys() == expected.keys(), stream.name
        assert mirror == expected, stream.name
        assert summary["streams"][stream.name]["pulled"] == len(expected)
    pages = sum(-(-len(fresh_sandbox.records(s.entity)) // 500) for s in ENTITY_STREAMS)
    # Minimum: a page per 500 records and a count per stream; the rest is planning probes,
    # the metadata of the picklist streams and one usage check.
    received = fresh_sandbox.stats()["total"] - 1  # less the zone lookup
    assert received == summary["api_calls"]
    assert received <= pages + len(summary["streams"]) + 8
    assert (
        fresh_sandbox.stats()["peak_concurrency"]
        and max(fresh_sandbox.stats()["peak_concurrency"].values()) <= 3
    )
    with app.app_context():
        customers = [
            c for c in fresh_sandbox.records("Companies") if c["companyType"] == 1 and c["isActive"]
        ]
        assert db.session.query(Company).count() == len(customers)
        assert db.session.query(Asset).count() > 0
    assert summary["applied"]["company"]["created"] == len(customers)


def test_incremental_sync_pulls_only_changes_and_catches_deletes(
    app: Flask, fresh_sandbox: Sandbox, integration: Integration
) -> None:
    _sync(app, integration)
    company = fresh_sandbox.records("Companies")[5]
    fresh_sandbox.update("Companies", company["id"], {"companyName": "Renamed & Co"})
    gone = fresh_sandbox.delete("Tickets", 2)
    fresh_sandbox.reset_stats()
    summary = _sync(app, integration)
    assert summary["status"] == "succeeded", summary
    assert summary["streams"]["companies"]["mode"] == "incremental"
    assert summary["streams"]["companies"]["updated"] == 1
    assert _mirror(app, "companies")[str(company["id"])]["companyName"] == "Renamed & Co"
    assert summary["streams"]["tickets"]["deleted"] == 2
    assert not set(map(str, gone)) & set(_mirror(app, "tickets"))
    # About one query per stream, plus counts: nothing close to a full pull.
    assert fresh_sandbox.stats()["total"] < 4 * len(summary["streams"])
