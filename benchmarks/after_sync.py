"""What ``sync_bench.py`` measures once the first sync is in: re-apply and webhooks.

- Apply after a mapping change: one asset field is mapped to another remote
  field, then the whole mirror is applied again, in this process, by the
  same function the apply job runs. Records/s over every record applied;
  the sandbox's own statistics must show zero API calls.
- Webhook to hub record: the hub app is served on a real socket (its
  ``HUB_PUBLIC_URL``), webhooks are registered in the sandbox, then records
  are changed there one at a time; the latency is from the change to the
  hub record showing it (the worker reads the record by id and applies it).
"""

from __future__ import annotations

import contextlib
import logging
import os
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx

HUB_CHANGE = "benchmark mapping"


@contextlib.contextmanager
def hub_app(env: dict[str, str], **config: Any) -> Iterator[Any]:
    """Yield the hub app of the benchmark's instance (built from its environment)."""
    from hub.app import create_app

    saved = dict(os.environ)
    os.environ.update(env)
    try:
        app = create_app(config or None)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    with app.app_context():
        yield app


def apply_after_mapping_change(env: dict[str, str], control: str) -> dict[str, Any]:
    """Map the asset notes to another remote field, re-apply everything; time and count it."""
    from sqlalchemy import select

    from hub.apply.engine import apply_integration
    from hub.extensions import db
    from hub.models import Integration

    with hub_app(env):
        integration = db.session.scalars(select(Integration)).one()
        options = dict(integration.options or {})
        apply = dict(options.get("apply") or {})
        fields = dict(apply.get("fields") or {})
        fields["asset"] = {**dict(fields.get("asset") or {}), "notes": [["referenceTitle", False]]}
        integration.options = {**options, "apply": {**apply, "fields": fields}}
        db.session.commit()
        httpx.post(control + "stats/reset")
        started = time.perf_counter()
        counts = apply_integration(integration.id)
        seconds = time.perf_counter() - started
    calls = httpx.get(control + "stats").json()["total"]
    if calls:
        raise SystemExit(f"apply after a mapping change made {calls} API calls; it must make none")
    records = sum(sum(row.values()) - row.get("errors", 0) for row in counts.values())
    updated = sum(row.get("updated", 0) for row in counts.values())
    return {"apply_records": records, "apply_updated": updated,
            "apply_seconds": round(seconds, 2),
            "apply_records_per_second": round(records / seconds) if seconds else None,
            "apply_api_calls": calls}  # fmt: skip


def webhook_latency(env: dict[str, str], control: str, changes: int = 20) -> dict[str, Any]:
    """Serve the hub, register webhooks, change ``changes`` CIs; return latency figures."""
    from sqlalchemy import select
    from werkzeug.serving import make_server

    from hub.extensions import db
    from hub.models import Asset

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per callout
    with hub_app(env) as app:
        http = make_server("127.0.0.1", 0, app, threaded=True)
        url = f"http://127.0.0.1:{http.server_port}"
        app.config["PUBLIC_URL"] = url
        threading.Thread(target=http.serve_forever, daemon=True).start()
        try:
            hub_env = {**env, "HUB_PUBLIC_URL": url}
            enabled = subprocess.run(
                [env["HUB"], "webhooks", "enable", "bench", "autotask"],
                env=hub_env, capture_output=True, text=True,
            )  # fmt: skip
            if enabled.returncode != 0:
                raise SystemExit(f"hub webhooks enable failed: {enabled.stderr[-2000:]}")
            ids = db.session.scalars(
                select(Asset.remote_id).where(Asset.mirror_id.is_not(None)).limit(changes)
            ).all()
            waits = []
            for index, remote_id in enumerate(ids):
                name = f"webhook benchmark {index}"
                changed = time.perf_counter()
                httpx.patch(control + f"records/ConfigurationItems/{remote_id}",
                            json={"referenceTitle": name}).raise_for_status()  # fmt: skip
                deadline = changed + 30
                while time.perf_counter() < deadline:
                    db.session.rollback()
                    if (
                        db.session.scalar(select(Asset.name).where(Asset.remote_id == remote_id))
                        == name
                    ):
                        waits.append(time.perf_counter() - changed)
                        break
                    time.sleep(0.005)
                else:
                    raise SystemExit(f"the change of CI {remote_id} did not reach the hub in 30 s")
        finally:
            http.shutdown()
    waits.sort()
    return {"webhook_changes": len(waits),
            "webhook_latency_median_ms": round(1000 * statistics.median(waits)),
            "webhook_latency_p95_ms": round(1000 * waits[max(0, int(0.95 * len(waits)) - 1)]),
            "webhook_latency_max_ms": round(1000 * waits[-1])}  # fmt: skip
