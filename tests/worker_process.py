"""A real ``hub worker`` process beside a test's app, stopped when the test ends."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator

from flask import Flask

STOP_SECONDS = 30  # an idle worker stops within a second or two of SIGTERM


def hub_env(app: Flask) -> dict[str, str]:
    """Return the environment of a ``hub`` process sharing ``app``'s settings."""
    return {
        **os.environ,
        "HUB_DATABASE_URL": app.config["DATABASE_URL"],
        "HUB_REDIS_URL": app.config["REDIS_URL"],
        "HUB_SECRET_KEY": app.config["SECRET_KEY"],
        "HUB_ENCRYPTION_KEY": app.config["ENCRYPTION_KEY"],
        "HUB_INSTANCE_PATH": app.instance_path,
        "HUB_LOG_LEVEL": "WARNING",
    }


@contextlib.contextmanager
def hub_worker(app: Flask) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``hub worker`` on ``app``'s database, Redis, keys and instance folder.

    On exit the worker gets SIGTERM, as an operator's would. One still running
    after :data:`STOP_SECONDS` fails the test (``TimeoutExpired``) and is
    killed, so it cannot outlive the test and trouble the next ones.
    """
    worker = subprocess.Popen([sys.executable, "-m", "hub", "worker"], env=hub_env(app))
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=STOP_SECONDS)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
