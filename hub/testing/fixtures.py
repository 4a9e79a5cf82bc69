"""Fixtures every hub test suite (core and plugins) uses: the app on every backend.

SQLite with the embedded Redis always runs; PostgreSQL with a real Redis
runs too when ``HUB_TEST_DATABASE_URL`` and ``HUB_TEST_REDIS_URL`` are set.
Loaded by the ``pytest11`` entry point, so plugin test suites get them too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade

from hub.app import create_app
from hub.extensions import db
from hub.redis_conn import embedded_redis_url, stop_embedded_redis

PG_URL = os.environ.get("HUB_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("HUB_TEST_REDIS_URL")
BACKENDS = ["sqlite", "postgresql"]


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say which backends this run covers."""
    lines = ["backends: sqlite + embedded redis"]
    lines.append(
        f"backends: postgresql at {PG_URL}"
        if PG_URL
        else "backends: postgresql skipped (HUB_TEST_DATABASE_URL not set: SQLite only)"
    )
    lines.append(
        f"backends: redis at {REDIS_URL}"
        if REDIS_URL
        else "backends: external redis skipped (HUB_TEST_REDIS_URL not set: embedded Redis only)"
    )
    return lines


@pytest.fixture(scope="session")
def embedded_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An embedded Redis server for the whole session."""
    folder = tmp_path_factory.mktemp("redis")
    url = embedded_redis_url(str(folder))
    yield url
    stop_embedded_redis(str(folder))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, embedded_redis: str) -> dict[str, str]:
    """Database and Redis URLs of one backend pair."""
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip("HUB_TEST_DATABASE_URL not set")
        return {"name": "postgresql", "database": PG_URL, "redis": REDIS_URL or embedded_redis}
    return {"name": "sqlite", "database": "", "redis": embedded_redis}


def reset_postgres(url: str) -> None:
    """Empty a PostgreSQL test database."""
    from sqlalchemy import create_engine, text

    from hub.config import normalise_database_url

    engine = create_engine(normalise_database_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def app(backend: dict[str, str], tmp_path: Path) -> Iterator[Flask]:
    """A hub app on a fresh, migrated database."""
    database = backend["database"] or f"sqlite:///{tmp_path / 'hub.db'}"
    if backend["name"] == "postgresql":
        reset_postgres(database)
    config: dict[str, Any] = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database,
        "REDIS_URL": backend["redis"],
        "SECRET_KEY": "test-secret-key",
        "ENCRYPTION_KEY": "7bVQ0Sx8GJc3nW8sYfQ3Yl1y6m3m3e6Gv5q3o1oJ2aM=",
    }
    app = create_app(config)
    with app.app_context():
        upgrade()
    redis.Redis.from_url(backend["redis"]).flushdb()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner bound to the app."""
    return app.test_cli_runner()
