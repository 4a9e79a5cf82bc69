#!/usr/bin/env python3
"""The README's two commands, on any machine with Python 3.11+.

    python3 dev.py demo   set up a virtualenv, then run the hub on embedded defaults
    python3 dev.py test   install what tests need, then ruff, mypy and the whole test suite

Everything is installed into ./.venv; nothing outside it is touched except
Debian's chromium for the browser tests (installed with apt-get when missing
and running as root) and a ``hub_test`` database on a local PostgreSQL.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
PACKAGES = [".", "plugins/autotask", "plugins/itglue_stub"]
LOCAL_PG = "postgresql://postgres@127.0.0.1:5432"
LOCAL_REDIS = "redis://127.0.0.1:6379/15"
CREATE_TEST_DATABASE = """
import psycopg
c = psycopg.connect("{url}", autocommit=True)
if not c.execute("SELECT 1 FROM pg_database WHERE datname = 'hub_test'").fetchone():
    c.execute("CREATE DATABASE hub_test")
"""


def run(*args: str | Path, **kwargs: object) -> None:
    """Run a command from the repository root; stop on failure."""
    print("+", " ".join(str(a) for a in args), flush=True)
    result = subprocess.run([str(a) for a in args], cwd=ROOT, check=False, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        sys.exit(result.returncode)


def ensure_venv(extras: str) -> None:
    """Create .venv and install the hub and its plugins (again only when pyprojects change)."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on whatever python3 is
        sys.exit("the hub needs Python 3.11 or newer")
    if not (BIN / "python").exists():
        run(sys.executable, "-m", "venv", VENV)
        run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    digest = hashlib.sha256(extras.encode())
    for package in PACKAGES:
        digest.update((ROOT / package / "pyproject.toml").read_bytes())
    stamp = VENV / f".installed-{extras or 'base'}"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    first = f".[{extras}]" if extras else "."
    editable = [arg for package in [first, *PACKAGES[1:]] for arg in ("-e", package)]
    run(BIN / "python", "-m", "pip", "install", "--quiet", *editable)
    stamp.write_text(digest.hexdigest())


def demo(args: list[str]) -> None:
    """Install and start the demo: web app, worker, demo tenant on embedded defaults."""
    ensure_venv("")
    os.execv(BIN / "hub", [str(BIN / "hub"), "demo", *args])  # noqa: S606


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def test_backends(env: dict[str, str]) -> None:
    """Use the local PostgreSQL and Redis when they answer, and say which backends run."""
    if "HUB_TEST_DATABASE_URL" not in env and _answers("127.0.0.1", 5432):
        code = CREATE_TEST_DATABASE.format(url=f"{LOCAL_PG}/postgres")
        probe = subprocess.run([str(BIN / "python"), "-c", code], check=False)
        if probe.returncode == 0:
            env["HUB_TEST_DATABASE_URL"] = f"{LOCAL_PG}/hub_test"
    if "HUB_TEST_REDIS_URL" not in env and _answers("127.0.0.1", 6379):
        env["HUB_TEST_REDIS_URL"] = LOCAL_REDIS
    pg = env.get("HUB_TEST_DATABASE_URL")
    rd = env.get("HUB_TEST_REDIS_URL")
    print("backends: SQLite + embedded Redis (always)")
    print(f"backends: PostgreSQL {'at ' + pg if pg else 'not found: falling back to SQLite only'}")
    print(
        f"backends: Redis {'at ' + rd if rd else 'not found: falling back to embedded Redis only'}"
    )


def ensure_chromium() -> None:
    """Install Debian's chromium for the browser tests when it is missing."""
    if shutil.which("chromium"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        run("apt-get", "update", "-qq")
        run(
            "apt-get",
            "install",
            "-y",
            "-qq",
            "chromium",
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    else:
        print("chromium not found and cannot be installed here: browser tests will be skipped")


def test(args: list[str]) -> None:
    """Install test dependencies, then lint, type-check and run every test."""
    ensure_venv("test")
    ensure_chromium()
    env = dict(os.environ)
    test_backends(env)
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    run(BIN / "mypy", "hub", "plugins/autotask/hub_autotask", "plugins/itglue_stub/hub_itglue_stub")
    run(BIN / "pytest", *args, env=env)


def main() -> None:
    """Dispatch ``demo`` or ``test``."""
    commands = {"demo": demo, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
