"""Configuration: defaults, ``HUB_``-prefixed environment variables, the instance folder.

The instance folder (``HUB_INSTANCE_PATH``, default ``./instance``) holds what
the hub generates for itself on an embedded setup: the SQLite database, the
embedded Redis socket, and the secret and encryption keys when the operator
did not supply them.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from flask import Flask

from hub import jsontext

# Threads of one sync job that use the database: its pull threads, and its apply and
# main threads. The pool holds a connection for each, so none waits for another's
# (on SQLite one of them may hold the writer turn while it waits: a deadlock until
# the pool's timeout).
SYNC_PULL_THREADS = 16
DB_POOL_SIZE = SYNC_PULL_THREADS + 4

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,
    "REDIS_URL": None,
    "SECRET_KEY": None,
    "ENCRYPTION_KEY": None,
    "SQLALCHEMY_ENGINE_OPTIONS": {
        "pool_pre_ping": True,
        "json_serializer": jsontext.dumps,
        "json_deserializer": jsontext.loads,
    },
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # Seconds a login lasts at most (logout ends it at once, every copy of its cookie too).
    "SESSION_LIFETIME": 12 * 3600,
    "LOG_LEVEL": "INFO",
    # Seconds between retries of a sync job whose worker died or hit an unexpected error.
    "SYNC_RETRY_INTERVALS": [1, 5, 15, 30, 60],
    # Share of a connector's hourly call limit the hub may spend (the rest is the MSP's).
    "API_BUDGET_SHARE": 0.5,
    # Longest a sync waits for the hourly budget before it stops (and says so).
    "BUDGET_MAX_PAUSE": 900,
    # Largest share of a stream one sync may delete before it stops and asks.
    "MAX_DELETE_SHARE": 0.2,
    # The hub's public base URL (https://hub.example.com): where remote webhooks call.
    "PUBLIC_URL": None,
}


def instance_path_from_env() -> str:
    """Return the absolute instance folder: ``HUB_INSTANCE_PATH`` or ``./instance``."""
    return str(Path(os.environ.get("HUB_INSTANCE_PATH", "instance")).resolve())


def normalise_database_url(url: str) -> str:
    """Return ``url`` with the psycopg 3 driver named for plain PostgreSQL URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _generated_key(app: Flask, filename: str, make: Any, env_name: str) -> str:
    """Read a key from the instance folder, generating it (with a warning) when absent."""
    path = Path(app.instance_path) / filename
    if path.exists():
        return path.read_text().strip()
    value: str = make()
    path.write_text(value + "\n")
    path.chmod(0o600)
    print(
        f"warning: {env_name} is not set; generated one into {path}. "
        "Set it in the environment for production and keep it safe.",
        file=sys.stderr,
    )
    return value


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from defaults, the environment and ``test_config``."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("HUB")
    if test_config:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    url = app.config["DATABASE_URL"] or f"sqlite:///{Path(app.instance_path) / 'hub.db'}"
    app.config["DATABASE_URL"] = url
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    if ":memory:" not in url and url != "sqlite://":  # in-memory SQLite has a one-connection pool
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_size": DB_POOL_SIZE,
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        }
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _generated_key(
            app, "secret_key", lambda: secrets.token_urlsafe(48), "HUB_SECRET_KEY"
        )
    if not app.config["ENCRYPTION_KEY"]:
        app.config["ENCRYPTION_KEY"] = _generated_key(
            app, "encryption_key", lambda: Fernet.generate_key().decode(), "HUB_ENCRYPTION_KEY"
        )
