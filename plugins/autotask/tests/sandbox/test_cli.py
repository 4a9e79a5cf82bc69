"""``hub sandbox autotask`` prints the settings line and writes the settings file."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from hub_autotask.sandbox import Sandbox
from hub_autotask.sandbox.cli import command, settings_line

LINE = re.compile(r"^username=(\S+) secret=(\S+) integration_code=(\S+) zone_lookup_url=(\S+)$")


def test_settings_line_format() -> None:
    with Sandbox(seed=3) as sb:
        match = LINE.match(settings_line(sb))
        assert match
        assert match.groups() == (
            sb.credentials["username"],
            sb.credentials["secret"],
            sb.credentials["integration_code"],
            sb.zone_lookup_url,
        )


def test_command_is_named_autotask() -> None:
    assert command.name == "autotask"
    assert {p.name for p in command.params} >= {
        "host",
        "port",
        "scale",
        "seed",
        "latency_ms",
        "fault_rate",
        "thread_limit",
        "hourly_limit",
        "settings_file",
    }


def test_command_serves_until_interrupted(tmp_path: Path) -> None:
    settings = tmp_path / "settings.json"
    code = "from hub_autotask.sandbox.cli import command; command()"
    process = subprocess.Popen(
        [sys.executable, "-c", code, "--seed", "5", "--settings-file", str(settings)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        match = LINE.match(first)
        assert match, first
        username, secret, integration_code, lookup = match.groups()
        assert json.loads(settings.read_text()) == {
            "username": username,
            "secret": secret,
            "integration_code": integration_code,
        }
        zone = httpx.get(f"{lookup}v1.0/zoneInformation", params={"user": username})
        assert zone.status_code == 200
        assert Sandbox(seed=5).credentials["secret"] == secret
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()
        if process.stderr:
            process.stderr.close()
