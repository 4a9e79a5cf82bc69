"""The Flask application factory."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event

from hub.config import instance_path_from_env, load_config
from hub.extensions import db, migrate, render_migration_item
from hub.routing import RowIdConverter
from hub.sqlite_checkpoints import AUTOCHECKPOINT_PAGES, LOG_SIZE_LIMIT

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the hub app: configuration, extensions, plugins and blueprints."""
    instance_path = (test_config or {}).get("INSTANCE_PATH") or instance_path_from_env()
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.url_map.converters["int"] = RowIdConverter
    load_config(app, test_config)
    logging.basicConfig(
        level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    db.init_app(app)
    migrate.init_app(
        app, db, directory=MIGRATIONS, compare_type=True, render_item=render_migration_item
    )
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)

    from hub import models  # noqa: F401  (registers the tables on db.metadata)
    from hub.plugins import load_plugins
    from hub.web import register_web

    load_plugins()
    register_web(app)
    return app


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the web app read while workers write; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # SQLite's own page cache size (2 MB): each of a sync job's pooled connections keeps
    # one, emptied whenever another connection wrote. 64 MB ones took 150 MB more of a
    # large sync's memory and were slower (benchmarks/sync_bench.py).
    cursor.execute("PRAGMA temp_store=MEMORY")
    # Jobs that write much checkpoint on a thread of their own (hub.sqlite_checkpoints).
    cursor.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
    cursor.execute(f"PRAGMA journal_size_limit={LOG_SIZE_LIMIT}")
    cursor.close()
