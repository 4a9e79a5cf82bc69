"""``hub demo`` prepares a working demo tenant whose first sync is queued."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from flask import Flask
from sqlalchemy import select

from hub.demo import DEMO_EMAIL, DEMO_PASSWORD, prepare_demo
from hub.extensions import db
from hub.models import Integration, SyncRun
from hub.worker import run_worker


def test_prepare_demo_is_idempotent_and_its_sync_runs(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # prepare_demo sets the operator variables the demo needs; restore them afterwards.
    monkeypatch.setenv("HUB_AUTOTASK_ZONE_LOOKUP_URL", "")
    with app.app_context():
        tenant = prepare_demo()
        again = prepare_demo()
        assert tenant.id == again.id
        integrations = db.session.scalars(select(Integration)).all()
        assert [i.connector for i in integrations if i.is_primary] == ["autotask"]
        assert {i.connector for i in integrations} == {"autotask", "itglue_stub"}
        runs = db.session.scalars(select(SyncRun)).all()
        assert len(runs) == len(integrations)  # one first sync each, not two
    run_worker(app, burst=True)
    with app.app_context():
        assert {r.status for r in db.session.scalars(select(SyncRun))} == {"succeeded"}


def test_login_page_tells_the_demo_login(app: Flask) -> None:
    app.config["DEMO_LOGIN"] = (DEMO_EMAIL, DEMO_PASSWORD)
    page = app.test_client().get("/login").get_data(as_text=True)
    assert DEMO_EMAIL in page and DEMO_PASSWORD in page


def test_hub_demo_serves_the_login_page_and_stops_cleanly(tmp_path: Path) -> None:
    """The README's first command, for real: a process that serves the demo until stopped."""
    port = _free_port()
    env = {
        **os.environ,
        "HUB_INSTANCE_PATH": str(tmp_path / "instance"),
        "HUB_LOG_LEVEL": "WARNING",
    }
    env.pop("HUB_DATABASE_URL", None)
    env.pop("HUB_REDIS_URL", None)
    hub = str(Path(sys.executable).with_name("hub"))
    demo = subprocess.Popen([hub, "demo", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        page = ""
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and DEMO_PASSWORD not in page:
            assert demo.poll() is None, "hub demo exited instead of serving"
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).text
            except httpx.TransportError:
                time.sleep(0.5)
        assert DEMO_EMAIL in page and DEMO_PASSWORD in page
        workers = _workers_of(demo.pid)
        assert workers, "hub demo started no worker"
        redis_pid = (tmp_path / "instance" / "redis.pid").read_text().strip()
    finally:
        demo.send_signal(signal.SIGTERM)
        assert demo.wait(timeout=60) is not None
    time.sleep(0.5)
    assert not [w for w in workers if _alive(w)]  # its worker stopped with it
    assert not _alive(redis_pid)  # and its embedded Redis


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _alive(pid: str) -> bool:
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def _workers_of(pid: int) -> list[str]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if f"PPid:\t{pid}\n" in text:
            found.append(status.parent.name)
    return found
