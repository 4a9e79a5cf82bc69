"""The migrations build the schema the models describe, on every backend."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import create_engine, inspect

from hub.config import normalise_database_url
from hub.extensions import db
from hub.testing.fixtures import reset_postgres


def test_models_and_migrations_agree(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_upgrade_builds_every_table_and_the_partial_indexes(app: Flask) -> None:
    with app.app_context():
        inspector = inspect(db.engine)
        tables = set(inspector.get_table_names())
        assert set(db.metadata.tables) <= tables
        indexes = {ix["name"]: ix for ix in inspector.get_indexes("integrations")}
        assert indexes["uq_integrations_one_primary"]["unique"]
        run_indexes = {ix["name"]: ix for ix in inspector.get_indexes("sync_runs")}
        assert run_indexes["uq_sync_runs_one_active"]["unique"]


def test_hub_db_upgrade_builds_an_empty_database(backend: dict[str, str], tmp_path: Path) -> None:
    database = backend["database"] or f"sqlite:///{tmp_path / 'fresh.db'}"
    if backend["name"] == "postgresql":
        reset_postgres(database)
    env = {**os.environ, "HUB_INSTANCE_PATH": str(tmp_path / "instance"),
           "HUB_DATABASE_URL": database, "HUB_REDIS_URL": backend["redis"]}  # fmt: skip
    hub = str(Path(sys.executable).with_name("hub"))
    result = subprocess.run([hub, "db", "upgrade"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    engine = create_engine(normalise_database_url(database))
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(db.metadata.tables) | {"alembic_version"} == tables
    # First run without keys: generated into the instance folder, with a warning.
    assert "HUB_ENCRYPTION_KEY is not set" in result.stderr
    assert (tmp_path / "instance" / "encryption_key").exists()
