"""Chaos: a medium sync through 20% faults, three worker kills, a Redis and a database outage.

Against the sandbox at medium scale with 20% random 429s, 500s and dropped
connections, a real ``hub worker`` runs the sync that ``hub sync --wait``
requested. At random points of its progress (seeded; the seed is printed):

- its work horse is killed with SIGKILL, three times;
- the machine "reboots" once: the worker is killed, Redis restarts without
  its data (RQ's queue and job records are gone) and a new worker starts, so
  the hub must notice that the run's job vanished and queue it again;
- on PostgreSQL, every connection to the database is terminated once
  (``pg_terminate_backend``): the workers' and the waiting CLI's. SQLite is
  a file, with no connection to drop.

The sync must end succeeded with a mirror equal to the sandbox (nothing
lost, nothing doubled), and the run's history and ``hub status`` must say
what happened.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hub_autotask.sandbox import Sandbox
from sqlalchemy import text

from hub.redis_conn import embedded_redis_url, stop_embedded_redis


@pytest.fixture(scope="module")
def medium() -> Any:
    with Sandbox(scale="medium", seed=3, throttle_scale=0.0) as sb:
        yield sb


def _restart_redis(folder: Path) -> None:
    """Restart the embedded Redis with none of its data (no snapshot is loaded)."""
    stop_embedded_redis(str(folder))
    (folder / "redis.rdb").unlink(missing_ok=True)
    embedded_redis_url(str(folder))


def _drop_connections(env: Any) -> int:
    """Terminate every other session on the hub's PostgreSQL database; return how many."""
    with env.engine.connect() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    return int(killed or 0)


def test_medium_sync_survives_faults_kills_and_outages(
    medium: Sandbox, backend: dict[str, str], tmp_path: Path, hub_env: Callable[..., Any]
) -> None:
    seed = int(os.environ.get("HUB_CHAOS_SEED") or random.randrange(10**6))
    print(f"chaos seed {seed} (HUB_CHAOS_SEED={seed} replays it)")
    rng = random.Random(seed)
    actions = ["kill", "kill", "kill", "reboot"] + (
        ["db"] if backend["name"] == "postgresql" else []
    )
    rng.shuffle(actions)
    # Spread over the pull, each point jittered; the last leaves the run time to end.
    points = [0.1 + 0.65 * (i + rng.uniform(0.1, 0.9)) / len(actions) for i in range(len(actions))]

    redis_folder = tmp_path / "redis"
    env = hub_env(medium, embedded_redis_url(str(redis_folder)))
    total = sum(len(medium.records(s)) for s in {s.entity for s in _entities()})
    medium.set_faults(rate=0.20, kinds=["429", "500", "drop"])
    done: list[str] = []
    try:
        worker = env.start_worker()
        waiting = env.start_sync()
        deadline = time.monotonic() + 480
        while len(done) < len(actions) and waiting.poll() is None:
            assert time.monotonic() < deadline, f"chaos did not finish: {done}"
            action, point = actions[len(done)], points[len(done)]
            horses = _horses(worker)
            if env.pulled() < point * total or not horses:
                time.sleep(0.1)
                continue
            if action == "kill":
                for horse in horses:
                    os.kill(horse, signal.SIGKILL)
            elif action == "reboot":
                for child in _children(worker.pid):  # the horse and RQ's scheduler process
                    os.kill(child, signal.SIGKILL)
                env.stop_workers(signal.SIGKILL)
                _restart_redis(redis_folder)
                worker = env.start_worker()
            else:
                assert _drop_connections(env) > 0
            done.append(f"{action} at {env.pulled()}/{total}")
        out, _ = waiting.communicate(timeout=max(1, deadline - time.monotonic()))
        env.stop_workers(signal.SIGTERM)
    finally:
        medium.set_faults(rate=0.0)
        stop_embedded_redis(str(redis_folder))
    print("chaos:", "; ".join(done))
    assert len(done) == len(actions), f"the sync ended before all chaos happened: {done}"

    summary = _last_json(out)
    assert summary["status"] == "succeeded", summary
    env.assert_mirror_equals_sandbox()
    events = env.events()
    resumed = [e for e in events if "resumed after an interruption" in e]
    assert len(resumed) >= len(actions), events  # every blow was noticed and survived
    assert any("job was lost (Redis restarted" in e for e in events), events
    if backend["name"] == "postgresql":
        assert any("interrupted by the database connection failed" in e for e in events), events
    assert medium.stats()["by_status"].get("429", 0) > 0  # the faults did happen

    status = _last_json(env.hub("status", "acme", "--json").stdout)
    last = status["integrations"][0]["last_run"]
    assert last["status"] == "succeeded"
    assert any("job was lost" in e["message"] for e in last["events"])


def _horses(worker: Any) -> list[int]:
    """The worker's work horses: RQ puts each in a process group of its own."""
    found = []
    for pid in _children(worker.pid):
        try:
            if os.getpgid(pid) == pid:
                found.append(pid)
        except ProcessLookupError:
            pass
    return found


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _entities() -> list[Any]:
    from hub_autotask.streams import ALL

    return [s for s in ALL if s.kind == "entity"]


def _last_json(output: str) -> dict[str, Any]:
    import json

    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result
