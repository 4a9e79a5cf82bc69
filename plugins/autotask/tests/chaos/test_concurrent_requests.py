"""Chaos: the API, the CLI and the scheduler all ask for a sync of one integration at once.

Two API calls (over a real socket to a served hub), two ``hub sync``
processes and two scheduler-like processes (calling
:func:`hub.jobs.request_sync` as the dispatcher does) start at the same
instant. Exactly one run exists and runs; every requester is told about
that same run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hub_autotask.sandbox import Sandbox
from sqlalchemy import text
from werkzeug.serving import make_server

from hub.api.tokens import issue_token
from hub.app import create_app
from hub.extensions import db
from hub.models import Tenant

# A requester process: build the app first, then wait for the common start instant.
REQUESTER = """
import json, sys, time
start, kind = float(sys.argv[1]), sys.argv[2]
if kind == "cli":
    from hub.cli import main
    time.sleep(max(0.0, start - time.time()))
    sys.argv = ["hub", "sync", "acme", "autotask", "--json"]
    main()
else:
    from hub.app import create_app
    from hub.extensions import db
    from hub.integrations import get_integration
    from hub.jobs import request_sync
    from hub.tenancy import get_tenant
    app = create_app()
    with app.app_context():
        integration = get_integration(get_tenant("acme"), "autotask")
        db.session.commit()
        time.sleep(max(0.0, start - time.time()))
        run, created = request_sync(integration, trigger="schedule")
        print(json.dumps({"id": run.id, "created": created}))
"""


@pytest.fixture
def small() -> Iterator[Sandbox]:
    with Sandbox(scale="small", seed=7, throttle_scale=0.0) as sb:
        yield sb


def test_simultaneous_requests_from_api_cli_and_scheduler_start_one_run(
    small: Sandbox, hub_env: Callable[..., Any]
) -> None:
    env = hub_env(small)
    app = create_app({"DATABASE_URL": env.database, "REDIS_URL": env.redis_url,
                      "INSTANCE_PATH": env.env["HUB_INSTANCE_PATH"]})  # fmt: skip
    with app.app_context():
        tenant = db.session.query(Tenant).filter_by(slug="acme").one()
        _, token = issue_token(tenant.id, "chaos", None)
        db.session.commit()
    http = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{http.server_port}/api/v1/integrations/autotask/sync"
    try:
        start = time.time() + 6  # every requester is ready well before
        procs = [
            subprocess.Popen([sys.executable, "-c", REQUESTER, str(start), kind], env=env.env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for kind in ("cli", "cli", "scheduler", "scheduler")
        ]  # fmt: skip
        answers: list[dict[str, Any]] = []

        def api_request() -> None:
            time.sleep(max(0.0, start - time.time()))
            answer = httpx.post(url, json={}, headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 202, answer.text
            answers.append({"id": answer.json()["run"]["id"], "created": answer.json()["created"]})

        threads = [threading.Thread(target=api_request) for _ in range(2)]
        for thread in threads:
            thread.start()
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            answers.append(json.loads(out.strip().splitlines()[-1]))
        for thread in threads:
            thread.join(timeout=60)
    finally:
        http.shutdown()
    assert len(answers) == 6, answers
    assert len({a["id"] for a in answers}) == 1, answers  # all told of the same run
    with env.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sync_runs")).scalar() == 1

    env.start_worker()
    finished = env.hub("sync", "acme", "autotask", "--wait", "--json")  # joins the active run
    summary = json.loads(finished.stdout.strip().splitlines()[-1])
    assert summary["id"] == answers[0]["id"]
    assert summary["status"] == "succeeded"
    events = env.events()
    assert sum("started" in e for e in events) == 1, events  # it ran once
    assert not any("resumed" in e for e in events), events
    with env.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sync_runs")).scalar() == 1
    env.assert_mirror_equals_sandbox()
