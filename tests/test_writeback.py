"""Warranty write-back against the Autotask sandbox over HTTP, with a real RQ worker.

Preview (nothing written), opt-in, a run limited to selected assets with a
conflict skip and a gone record that do not stop it, the audit log, the
API budget, and the rollback, each checked against the writes the sandbox
received.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import redis
from flask import Flask
from hub_autotask.sandbox import Sandbox
from sqlalchemy import select

from hub.apply.engine import apply_integration
from hub.extensions import db
from hub.models import ApiToken, Asset, Integration
from hub.worker import run_worker
from tests.test_api_integrations import Api

WRITES = "/integrations/autotask/writeback"


def api_token(tenant_id: int) -> str:
    """Return a plain API token of the tenant."""
    row, plain = ApiToken.issue(tenant_id, "tests")
    db.session.add(row)
    db.session.commit()
    return plain


def csrf_of(html: bytes) -> str:
    """Return the CSRF token of a page."""
    found = re.search(rb'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1).decode()


def _patches(sb: Sandbox) -> list[dict[str, Any]]:
    return [w for w in sb.received_writes() if w["method"] == "PATCH"]


def _assets(app: Flask, count: int) -> list[tuple[int, str, str | None]]:
    """Hub assets made from sandbox CIs: (id, remote id, the PSA's warranty date)."""
    with app.app_context():
        rows = db.session.execute(
            select(Asset.id, Asset.remote_id, Asset.warranty_expiration_date)
            .where(Asset.mirror_id.is_not(None))
            .order_by(Asset.id)
            .limit(count)
        ).all()
        return [(i, str(r), d.isoformat() if d else None) for i, r, d in rows]


def test_preview_write_conflict_audit_rollback(
    app: Flask,
    synced: Api,
    sandbox: Sandbox,
) -> None:
    (a1, r1, old1), (a2, r2, _), (a3, r3, _) = _assets(app, 3)
    assert synced.get(f"{WRITES}/preview").json == []

    # Three non-PSA dates: two entered through the API, one imported from a CSV.
    assert (
        synced.put(f"/assets/{a1}/warranty", {"warranty_expiration_date": "2031-03-31"}).json[
            "source"
        ]
        == "admin"
    )
    synced.put(f"/assets/{a3}/warranty", {"warranty_expiration_date": "2031-05-31"})
    imported = synced.post(
        "/warranties/import", {"csv": f"remote_id,warranty_expiration_date\n{r2},2031-04-30\n"}
    )
    assert imported.status_code == 200 and imported.json["imported"] == 1

    # Apply (even a full one) leaves non-PSA dates alone.
    with app.app_context():
        integration_id = db.session.scalar(select(Integration.id))
        apply_integration(integration_id)
        kept = db.session.get(Asset, a1)
        assert kept is not None and kept.warranty_expiration_date == date(2031, 3, 31)

    preview = {p["asset_id"]: p for p in synced.get(f"{WRITES}/preview").json}
    assert set(preview) == {a1, a2, a3}
    assert preview[a1]["psa_value"] == old1 and preview[a1]["new_value"] == "2031-03-31"
    assert preview[a1]["field"] == "warrantyExpirationDate"
    assert preview[a2]["source_label"] == "CSV import"
    assert preview[a3]["source_label"] == "entered by an admin"
    limited = synced.get(f"{WRITES}/preview?asset_id={a2}").json
    assert [p["asset_id"] for p in limited] == [a2]
    assert _patches(sandbox) == []  # a preview writes nothing

    refused = synced.post(f"{WRITES}/runs", {"asset_ids": [a1]})
    assert refused.status_code == 409 and "write-back is off" in refused.json["message"]
    assert synced.put(WRITES, {"enabled": True}).json["enabled"] is True

    # Someone changes asset 3's warranty in Autotask; asset 2's CI disappears.
    sandbox.update("ConfigurationItems", int(r3), {"warrantyExpirationDate": "2035-01-01T00:00:00"})
    sandbox.delete("ConfigurationItems", ids=[int(r2)])
    before = synced.get("/integrations/autotask/status").json["budget"]["used_this_hour"]
    started = synced.post(f"{WRITES}/runs", {"asset_ids": [a1, a2, a3]})
    assert started.status_code == 202 and started.json["status"] == "queued"
    run_worker(app, burst=True)

    run = synced.get(f"/writeback/runs/{started.json['id']}").json
    assert (run["status"], run["written"], run["skipped"], run["failed"]) == ("partial", 1, 1, 1)
    entries = {e["asset_id"]: e for e in run["entries"]}
    assert entries[a1]["result"] == "written"
    assert (entries[a1]["old_value"], entries[a1]["new_value"]) == (old1, "2031-03-31")
    assert entries[a1]["actor"] == "API token"
    assert entries[a3]["result"] == "skipped"
    assert "changed in Autotask since the hub last read it" in entries[a3]["message"]
    assert entries[a2]["result"] == "failed"
    assert "no longer exists in Autotask" in entries[a2]["message"]
    patches = _patches(sandbox)
    assert [p["body"] for p in patches] == [
        {"id": int(r1), "warrantyExpirationDate": "2031-03-31T00:00:00"}
    ]
    assert sandbox.record("ConfigurationItems", int(r1))["warrantyExpirationDate"].startswith(
        "2031-03-31"
    )
    after = synced.get("/integrations/autotask/status").json["budget"]["used_this_hour"]
    assert after - before >= 4  # every read and write went through the Redis gate

    # The mirror was re-read: asset 1 is no longer in the preview; the log has all three.
    assert a1 not in {p["asset_id"] for p in synced.get(f"{WRITES}/preview").json}
    log = synced.get(f"{WRITES}/log").json
    assert {(e["asset_id"], e["result"]) for e in log} == {
        (a1, "written"),
        (a2, "failed"),
        (a3, "skipped"),
    }

    rolled = synced.post(f"/writeback/runs/{run['id']}/rollback")
    assert rolled.status_code == 202 and rolled.json["kind"] == "rollback"
    run_worker(app, burst=True)
    back = synced.get(f"/writeback/runs/{rolled.json['id']}").json
    assert (back["status"], back["written"]) == ("succeeded", 1)
    assert back["entries"][0]["old_value"] == "2031-03-31"
    assert back["entries"][0]["new_value"] == old1
    last = _patches(sandbox)[-1]["body"]
    assert last["id"] == int(r1)
    assert (last["warrantyExpirationDate"] or "")[:10] == (old1 or "")[:10]
    assert (sandbox.record("ConfigurationItems", int(r1))["warrantyExpirationDate"] or "")[:10] == (
        old1 or ""
    )[:10]
    again = synced.post(f"/writeback/runs/{rolled.json['id']}/rollback")
    assert again.status_code == 409 and "only write runs roll back" in again.json["message"]


def test_a_run_stops_when_the_api_budget_is_spent(
    app: Flask,
    synced: Api,
    sandbox: Sandbox,
) -> None:
    ((a1, _, _),) = _assets(app, 1)
    synced.put(f"/assets/{a1}/warranty", {"warranty_expiration_date": "2032-01-01"})
    synced.put(WRITES, {"enabled": True})
    with app.app_context():
        integration_id = db.session.scalar(select(Integration.id))
    # Other work of the hub spent this hour's share already.
    import time

    bucket = f"hub:calls:integration:{integration_id}:{int(time.time() // 60)}"
    redis.Redis.from_url(app.config["REDIS_URL"]).set(bucket, 100_000)
    app.config["BUDGET_MAX_PAUSE"] = 0.2
    started = synced.post(f"{WRITES}/runs", {})
    run_worker(app, burst=True)
    run = synced.get(f"/writeback/runs/{started.json['id']}").json
    assert run["status"] == "failed" and run["written"] == 0
    assert "hourly API budget" in run["message"]
    assert _patches(sandbox) == []


def test_another_tenants_runs_and_assets_are_unknown(
    app: Flask,
    synced: Api,
    client: Any,
) -> None:
    from tests.test_api_integrations import make_token

    ((a1, _, _),) = _assets(app, 1)
    other = Api(client, make_token(app, "other"))
    assert other.get(f"/assets/{a1}/warranty").status_code == 404
    assert (
        other.put(f"/assets/{a1}/warranty", {"warranty_expiration_date": None}).status_code == 404
    )
    assert other.get("/writeback/runs/1").status_code == 404
