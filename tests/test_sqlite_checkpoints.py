"""Background WAL checkpoints: a job's writes are copied into the database file off its writers."""

from __future__ import annotations

import sqlite3
import time

import pytest
from flask import Flask

from hub.extensions import db
from hub.models import Company
from hub.sqlite_checkpoints import background_checkpoints
from hub.tenancy import create_tenant


def _write(count: int, tenant_id: int) -> None:
    db.session.add_all(Company(tenant_id=tenant_id, name=f"c{i}" * 20) for i in range(count))
    db.session.commit()


def _log_frames(path: str) -> int:
    with sqlite3.connect(path) as connection:
        _busy, frames, _done = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return int(frames)


@pytest.mark.parametrize("checkpoints", [True, False])
def test_the_log_is_checkpointed_while_a_job_writes(app: Flask, checkpoints: bool) -> None:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("a SQLite feature")
        tenant = create_tenant("acme", "Acme", "a@acme.test", "password1")
        path = str(db.engine.url.database)
        _log_frames(path)  # start from a checkpointed log
        if checkpoints:
            with background_checkpoints():
                _write(3000, tenant.id)
                time.sleep(0.8)  # a few rounds of the thread
                _write(1, tenant.id)  # a fully copied log starts over
        else:
            _write(3000, tenant.id)
            _write(1, tenant.id)
        frames = _log_frames(path)
        # Without the thread the log keeps every page written: commits check-
        # point only past a large log, no longer inside every busy writer's turn.
        assert (frames < 20) is checkpoints, frames
