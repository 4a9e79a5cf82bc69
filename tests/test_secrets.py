"""Secrets never leave the encrypted settings: not in the database, logs, output or pages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from hub.app import create_app
from hub.config import normalise_database_url
from hub.extensions import db
from hub.testing.fixtures import reset_postgres

SECRET = "ITG.super-secret-value-7Q2"


def test_full_configure_and_sync_leaks_no_secret(backend: dict[str, str], tmp_path: Path) -> None:
    database = backend["database"] or f"sqlite:///{tmp_path / 'hub.db'}"
    if backend["name"] == "postgresql":
        reset_postgres(database)
    instance = tmp_path / "instance"
    env = {**os.environ, "HUB_INSTANCE_PATH": str(instance), "HUB_DATABASE_URL": database,
           "HUB_REDIS_URL": backend["redis"], "HUB_LOG_LEVEL": "DEBUG"}  # fmt: skip
    hub = str(Path(sys.executable).with_name("hub"))
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"api_key": SECRET, "region": "eu"}))
    seen: list[str] = []

    def run(*args: str, ok: bool = True) -> str:
        started = time.monotonic()
        result = subprocess.run([hub, *args], env=env, capture_output=True, text=True)
        print(f"{time.monotonic() - started:.1f}s hub {args[0]} {args[1] if len(args) > 1 else ''}")
        seen.extend([result.stdout, result.stderr])
        if ok:
            assert result.returncode == 0, result.stderr
        return result.stdout

    run("db", "upgrade")
    run("tenant", "create", "acme", "--name", "Acme", "--admin-email", "a@acme.test",
        "--admin-password", "password1")  # fmt: skip
    run("integration", "configure", "acme", "itglue_stub", "--settings-file", str(settings),
        "--primary")  # fmt: skip
    run("integration", "test", "acme", "itglue_stub")
    run("sync", "acme", "itglue_stub", "--json")
    run("worker", "--burst")
    run("sync", "acme", "itglue_stub", "--wait", "--json")
    run("status", "acme", "--json")
    run("mirror", "acme", "itglue_stub", "organizations")
    # A wrong key: the error must not echo it either.
    run("integration", "configure", "acme", "itglue_stub", "--set", "api_key=BAD-" + SECRET)
    run("integration", "test", "acme", "itglue_stub", ok=False)

    app = create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": database,
                      "REDIS_URL": backend["redis"]})  # fmt: skip
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    seen.append(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": "a@acme.test", "password": "password1"})
    seen.append(client.get("/").get_data(as_text=True))
    with app.app_context():
        db.engine.dispose()

    for output in seen:
        assert SECRET not in output
    for path in instance.rglob("*"):
        if path.is_file() and path.name not in {"encryption_key", "secret_key"}:
            assert SECRET.encode() not in path.read_bytes(), path
    if backend["name"] == "sqlite":
        for path in tmp_path.glob("hub.db*"):
            assert SECRET.encode() not in path.read_bytes(), path
    else:
        engine = create_engine(normalise_database_url(database))
        with engine.connect() as conn:
            for table in db.metadata.tables:
                dump = str(conn.execute(text(f"SELECT * FROM {table}")).fetchall())  # noqa: S608
                assert SECRET not in dump, table
        engine.dispose()
