"""Chaos: a medium sync through random faults, with its worker process killed twice.

Against the sandbox at medium scale with 10% random 429s, 500s and dropped
connections, a real ``hub worker`` runs the sync; its work horse is killed
with SIGKILL twice mid-sync. ``hub sync --wait`` must end with a mirror equal
to the sandbox's records for every stream: nothing lost, nothing doubled.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hub_autotask.sandbox import Sandbox
from hub_autotask.streams import ALL
from sqlalchemy import create_engine, func, select, text

from hub.config import normalise_database_url
from hub.models import MirrorRecord
from hub.testing.fixtures import reset_postgres

HUB = str(Path(sys.executable).with_name("hub"))
ENTITIES = [s for s in ALL if s.kind == "entity"]


@pytest.fixture(scope="module")
def medium() -> Iterator[Sandbox]:
    with Sandbox(scale="medium", seed=3, throttle_scale=0.0) as sb:
        yield sb


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _pulled(engine: object) -> int:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        return int(conn.execute(text("SELECT coalesce(sum(pulled), 0) FROM stream_runs")).scalar())


def test_medium_sync_survives_faults_and_two_kills(
    medium: Sandbox, backend: dict[str, str], tmp_path: Path
) -> None:
    database = backend["database"] or f"sqlite:///{tmp_path / 'hub.db'}"
    if backend["name"] == "postgresql":
        reset_postgres(database)
    env = {**os.environ, "HUB_INSTANCE_PATH": str(tmp_path / "instance"),
           "HUB_DATABASE_URL": database, "HUB_REDIS_URL": backend["redis"],
           "HUB_AUTOTASK_ZONE_LOOKUP_URL": medium.zone_lookup_url,
           "HUB_AUTOTASK_BACKOFF_SECONDS": "0.05", "HUB_AUTOTASK_MAX_ATTEMPTS": "10",
           "HUB_SYNC_RETRY_INTERVALS": "[0, 0, 0, 0, 0]", "HUB_LOG_LEVEL": "WARNING"}  # fmt: skip
    import redis

    redis.Redis.from_url(backend["redis"]).flushdb()

    def hub(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([HUB, *args], env=env, capture_output=True, text=True, timeout=600)

    assert hub("db", "upgrade").returncode == 0
    hub("tenant", "create", "acme", "--name", "Acme", "--admin-email", "a@acme.test",
        "--admin-password", "password1")  # fmt: skip
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps(medium.credentials))
    assert hub("integration", "configure", "acme", "autotask", "--settings-file",
               str(settings)).returncode == 0  # fmt: skip
    medium.set_faults(rate=0.10, kinds=["429", "500", "drop"])
    worker = subprocess.Popen([HUB, "worker"], env=env)
    engine = create_engine(normalise_database_url(database))
    try:
        waiting = subprocess.Popen(
            [HUB, "sync", "acme", "autotask", "--wait", "--json"], env=env,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        kills = 0
        total = sum(len(medium.records(s.entity)) for s in ENTITIES)
        deadline = time.monotonic() + 480
        while kills < 2 and waiting.poll() is None and time.monotonic() < deadline:
            pulled = _pulled(engine)
            if pulled > (kills + 1) * total // 3:
                for horse in _children(worker.pid):
                    os.kill(horse, signal.SIGKILL)
                    kills += 1
            time.sleep(0.2)
        out, _ = waiting.communicate(timeout=max(1, deadline - time.monotonic()))
    finally:
        medium.set_faults(rate=0.0)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    assert kills == 2, "the sync ended before its worker could be killed twice"
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["status"] == "succeeded", summary
    with engine.connect() as conn:
        for stream in ENTITIES:
            rows = conn.execute(
                select(MirrorRecord.remote_id, MirrorRecord.data).where(
                    MirrorRecord.stream == stream.name, MirrorRecord.deleted_at.is_(None)
                )
            ).all()
            expected = {str(r["id"]): r for r in medium.records(stream.entity)}
            mirror = {rid: data for rid, data in rows}
            assert len(rows) == len(mirror), f"{stream.name}: duplicates"
            assert mirror.keys() == expected.keys(), stream.name
            assert mirror == expected, stream.name
        count = conn.execute(
            select(func.count()).where(MirrorRecord.stream.in_([s.name for s in ENTITIES]))
        ).scalar()
        assert count == total  # nothing doubled across streams either
        events = [r[0] for r in conn.execute(text("SELECT message FROM run_events"))]
    assert events.count("resumed after an interruption") >= 1
    assert medium.stats()["by_status"].get("429", 0) > 0  # the faults did happen
    engine.dispose()
