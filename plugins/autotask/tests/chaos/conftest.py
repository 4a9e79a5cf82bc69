"""What the chaos tests share: a hub set up through real ``hub`` processes against a sandbox.

A :class:`HubEnv` (from the ``hub_env`` fixture) is one instance folder,
database and Redis with tenant ``acme`` and its Autotask integration
configured by the CLI; it starts ``hub worker`` processes and reads the
database directly to watch them. Everything it started stops at teardown.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hub_autotask.sandbox import Sandbox
from hub_autotask.streams import ALL
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine

from hub.config import normalise_database_url
from hub.models import MirrorField, MirrorRecord
from hub.sync.mirror import whole
from hub.testing.fixtures import reset_postgres

HUB = str(Path(sys.executable).with_name("hub"))
ENTITIES = [s for s in ALL if s.kind == "entity"]


class HubEnv:
    """A configured hub on one database and Redis, driven through the ``hub`` command."""

    def __init__(
        self,
        sandbox: Sandbox,
        backend: dict[str, str],
        folder: Path,
        redis_url: str,
        **settings: str,
    ) -> None:
        database = backend["database"] or f"sqlite:///{folder / 'hub.db'}"
        if backend["name"] == "postgresql":
            reset_postgres(database)
        self.backend = backend["name"]
        self.database = database
        self.redis_url = redis_url
        self.sandbox = sandbox
        self.env = {**os.environ, "HUB_INSTANCE_PATH": str(folder / "instance"),
                    "HUB_DATABASE_URL": database, "HUB_REDIS_URL": redis_url,
                    "HUB_AUTOTASK_ZONE_LOOKUP_URL": sandbox.zone_lookup_url,
                    "HUB_AUTOTASK_BACKOFF_SECONDS": "0.05", "HUB_AUTOTASK_MAX_ATTEMPTS": "10",
                    "HUB_SYNC_RETRY_INTERVALS": "[0, 0, 0, 0, 0, 0, 0, 0, 0, 0]",
                    "HUB_LOG_LEVEL": "WARNING", **settings}  # fmt: skip
        self.engine: Engine = create_engine(normalise_database_url(database))
        self.workers: list[subprocess.Popen[bytes]] = []
        assert self.hub("db", "upgrade").returncode == 0
        self.hub("tenant", "create", "acme", "--name", "Acme", "--admin-email", "a@acme.test",
                 "--admin-password", "password1")  # fmt: skip
        credentials = folder / "settings.json"
        credentials.write_text(json.dumps(sandbox.credentials))
        configured = self.hub("integration", "configure", "acme", "autotask", "--settings-file",
                              str(credentials))  # fmt: skip
        assert configured.returncode == 0, configured.stderr

    def hub(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run one ``hub`` command to its end."""
        return subprocess.run([HUB, *args], env=self.env, capture_output=True, text=True,
                              timeout=600)  # fmt: skip

    def start_worker(self) -> subprocess.Popen[bytes]:
        """Start a ``hub worker`` process."""
        worker = subprocess.Popen([HUB, "worker"], env=self.env)
        self.workers.append(worker)
        return worker

    def start_sync(self) -> subprocess.Popen[str]:
        """Start ``hub sync --wait --json``; its last line is the run summary."""
        return subprocess.Popen(
            [HUB, "sync", "acme", "autotask", "--wait", "--json"], env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip

    def pulled(self) -> int:
        """Records pulled so far by every run."""
        with self.engine.connect() as conn:
            total = conn.execute(text("SELECT coalesce(sum(pulled), 0) FROM stream_runs"))
            return int(total.scalar())

    def events(self) -> list[str]:
        """Every run's history lines, oldest first, as ``level: message``."""
        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT level, message FROM run_events ORDER BY id"))
            return [f"{level}: {message}" for level, message in rows]

    def assert_mirror_equals_sandbox(self) -> None:
        """Every entity stream's live mirror holds exactly the sandbox's records, once each."""
        total = sum(len(self.sandbox.records(s.entity)) for s in ENTITIES)
        with self.engine.connect() as conn:
            for stream in ENTITIES:
                rows = conn.execute(
                    select(MirrorRecord.remote_id, MirrorRecord.data).where(
                        MirrorRecord.stream == stream.name, MirrorRecord.deleted_at.is_(None)
                    )
                ).all()
                expected = {str(r["id"]): r for r in self.sandbox.records(stream.entity)}
                fields = conn.scalars(
                    select(MirrorField.name).where(MirrorField.stream == stream.name)
                ).all()
                mirror = {rid: whole(data, fields) for rid, data in rows}
                assert len(rows) == len(mirror), f"{stream.name}: duplicates"
                assert mirror.keys() == expected.keys(), stream.name
                assert mirror == expected, stream.name
            count = conn.execute(
                select(func.count()).where(MirrorRecord.stream.in_([s.name for s in ENTITIES]))
            ).scalar()
        assert count == total  # nothing doubled across streams either

    def stop_workers(self, sig: int = signal.SIGTERM) -> None:
        """Stop every worker this environment started."""
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(sig)
        try:
            for worker in self.workers:
                worker.wait(timeout=60)
        finally:  # one that did not stop fails the test, and does not outlive it
            for worker in self.workers:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()
            self.workers = []

    def close(self) -> None:
        """Stop the workers and let the database go."""
        self.stop_workers()
        self.engine.dispose()


@pytest.fixture
def hub_env(backend: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., HubEnv]]:
    """Return a factory of :class:`HubEnv` on the test's backend (Redis: the backend's)."""
    made: list[HubEnv] = []

    def make(sandbox: Sandbox, redis_url: str | None = None, **settings: str) -> HubEnv:
        import redis

        url = redis_url or backend["redis"]
        redis.Redis.from_url(url).flushdb()
        env = HubEnv(sandbox, backend, tmp_path, url, **settings)
        made.append(env)
        return env

    yield make
    for env in made:
        env.close()
