"""SQLite WAL checkpoints on a thread of their own while a job writes a lot.

In WAL mode a commit that finds the log past ``wal_autocheckpoint`` pages
copies it into the database and syncs both files before it returns: inside
the one writer's turn, so every other writer of the process (and of the
other workers) waits for those ``fsync`` calls. Connections therefore only
checkpoint automatically past a large log (see ``hub.app``), and a sync or
apply runs :func:`background_checkpoints`: a thread with its own connection
that checkpoints every quarter second without blocking writers
(``PASSIVE``), the ``fsync`` calls outside any writer's turn.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import sqlite3
import threading
from collections.abc import Iterator

from hub.background import in_background
from hub.extensions import db

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 0.25
AUTOCHECKPOINT_PAGES = 16384  # a commit checkpoints itself only past a 64 MiB log
LOG_SIZE_LIMIT = 64 * 1024 * 1024  # what a checkpointed log is cut back to


@contextlib.contextmanager
def background_checkpoints() -> Iterator[None]:
    """Checkpoint the app's SQLite database on a thread while the block runs (else nothing)."""
    engine = db.engine
    path = engine.url.database
    if engine.dialect.name != "sqlite" or not path or path == ":memory:":
        yield
        return
    with in_background(functools.partial(_checkpoint, path), "wal-checkpoints"):
        yield


def _checkpoint(path: str, stop: threading.Event) -> None:
    try:
        connection = sqlite3.connect(path, timeout=30, check_same_thread=False)
    except sqlite3.Error as exc:
        log.warning("no background checkpoints: %s", exc)
        return
    try:
        while not stop.wait(INTERVAL_SECONDS):
            try:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error as exc:  # busy or locked: the next round catches up
                log.debug("checkpoint skipped: %s", exc)
    finally:
        connection.close()
