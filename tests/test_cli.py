"""The CLI contract: tenant, integration, sync, status, mirror, export, plugins."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from hub import plugins
from hub.extensions import db
from hub.models import Company, Integration, Tenant
from hub.worker import run_worker
from tests import memory_connector as memory

ITGLUE = {"api_key": "ITG.demo-key-1234"}


@pytest.fixture
def tenant(runner: FlaskCliRunner) -> str:
    result = runner.invoke(
        args=["tenant", "create", "acme", "--name", "Acme MSP", "--admin-email",
              "admin@acme.test", "--admin-password", "password1"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return "acme"


@pytest.fixture
def memory_plugin() -> Iterator[None]:
    memory.reset()
    plugins.register_plugin(memory, "memory")
    yield
    plugins.unregister_plugin("memory")


def _settings_file(tmp_path: Path, data: object) -> str:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(data))
    return str(path)


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_tenant_create_rejects_bad_input_with_one_line_and_writes_nothing(
    app: Flask, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(
        args=["tenant", "create", "Bad Slug", "--name", " ", "--admin-email", "nope",
              "--admin-password", "short"]
    )  # fmt: skip
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    for field in ("slug", "name", "admin_email", "admin_password"):
        assert field in lines[0]
    assert _count(app, Tenant) == 0


def test_configure_from_settings_file_and_set(
    app: Flask, runner: FlaskCliRunner, tenant: str, tmp_path: Path
) -> None:
    path = _settings_file(tmp_path, {"api_key": "ITG.first"})
    result = runner.invoke(
        args=["integration", "configure", tenant, "itglue_stub", "--settings-file", path,
              "--set", "region=eu", "--primary"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "primary" in result.output
    with app.app_context():
        from hub.integrations import settings_of

        row = db.session.scalar(select(Integration))
        assert settings_of(row)["region"] == "eu"
        assert b"ITG.first" not in row.settings_encrypted


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["integration", "configure", "nobody", "itglue_stub"], "unknown tenant 'nobody'"),
        (["integration", "configure", "acme", "nosuch"], "unknown connector 'nosuch'"),
        (["integration", "configure", "acme", "itglue_stub", "--set", "oops"], "KEY=VALUE"),
        (["integration", "configure", "acme", "itglue_stub", "--settings-file", "/nonexistent"],
         "cannot read settings file"),
        (["integration", "configure", "acme", "itglue_stub"], "api_key"),
        (["integration", "configure", "acme", "itglue_stub", "--set", "api_key=ITG.x",
          "--set", "page_size=many", "--set", "region=mars"], "page_size"),
    ],
)  # fmt: skip
def test_configure_bad_input_is_one_line_exit_2_nothing_written(
    app: Flask, runner: FlaskCliRunner, tenant: str, args: list[str], message: str
) -> None:
    result = runner.invoke(args=args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert _count(app, Integration) == 0


def test_every_bad_field_is_listed(runner: FlaskCliRunner, tenant: str) -> None:
    result = runner.invoke(
        args=["integration", "configure", tenant, "itglue_stub", "--set", "api_key=ITG.x",
              "--set", "page_size=many", "--set", "region=mars"]
    )  # fmt: skip
    assert "page_size" in result.output and "region" in result.output


def test_invalid_json_settings_file(runner: FlaskCliRunner, tenant: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    result = runner.invoke(
        args=["integration", "configure", tenant, "itglue_stub", "--settings-file", str(path)]
    )
    assert result.exit_code == 2
    assert "not valid JSON" in result.output


def test_second_primary_names_the_current_one_and_set_primary_switches(
    app: Flask, runner: FlaskCliRunner, tenant: str, memory_plugin: None
) -> None:
    ok = runner.invoke(
        args=["integration", "configure", tenant, "itglue_stub", "--set", "api_key=ITG.a",
              "--primary"]
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    clash = runner.invoke(
        args=["integration", "configure", tenant, "memory", "--set", "token=t", "--primary"]
    )
    assert clash.exit_code == 2
    assert "already has a primary integration: itglue_stub" in clash.output
    assert _count(app, Integration) == 1

    added = runner.invoke(args=["integration", "configure", tenant, "memory", "--set", "token=t"])
    assert added.exit_code == 0, added.output
    switched = runner.invoke(args=["integration", "set-primary", tenant, "memory"])
    assert switched.exit_code == 0, switched.output
    with app.app_context():
        primary = db.session.scalars(select(Integration.connector).where(Integration.is_primary))
        assert list(primary) == ["memory"]


def test_integration_test_prints_a_table_and_json(runner: FlaskCliRunner, tenant: str) -> None:
    runner.invoke(args=["integration", "configure", tenant, "itglue_stub", "--set",
                        "api_key=ITG.demo"])  # fmt: skip
    table = runner.invoke(args=["integration", "test", tenant, "itglue_stub"])
    assert table.exit_code == 0, table.output
    assert "organizations" in table.output and "yes" in table.output
    as_json = runner.invoke(args=["integration", "test", tenant, "itglue_stub", "--json"])
    report = json.loads(as_json.output)
    assert report["ok"] is True
    assert {e["stream"] for e in report["entities"]} >= {"organizations", "configurations"}


def test_integration_test_reports_a_rejected_key_without_echoing_it(
    runner: FlaskCliRunner, tenant: str
) -> None:
    runner.invoke(args=["integration", "configure", tenant, "itglue_stub", "--set",
                        "api_key=ITG.denied-configurations"])  # fmt: skip
    result = runner.invoke(args=["integration", "test", tenant, "itglue_stub", "--json"])
    report = json.loads(result.output)
    denied = [e for e in report["entities"] if not e["readable"]]
    assert [e["stream"] for e in denied] == ["configurations"]
    assert "ITG.denied-configurations" not in result.output


def test_sync_wait_json_status_mirror_and_export(
    app: Flask, runner: FlaskCliRunner, tenant: str
) -> None:
    runner.invoke(args=["integration", "configure", tenant, "itglue_stub", "--set",
                        "api_key=ITG.demo", "--primary"])  # fmt: skip
    queued = runner.invoke(args=["sync", tenant, "itglue_stub"])
    assert queued.exit_code == 0
    run_worker(app, burst=True)

    waited = runner.invoke(args=["sync", tenant, "itglue_stub", "--stream", "organizations",
                                 "--wait", "--json"])  # fmt: skip
    assert waited.exit_code == 0, waited.output
    summary = json.loads(waited.output.strip().splitlines()[-1])
    assert summary["status"] == "succeeded"
    assert set(summary["streams"]) == {"organizations"}
    for key in ("pulled", "created", "updated", "deleted", "errors"):
        assert isinstance(summary["streams"]["organizations"][key], int)
    assert summary["api_calls"] > 0

    status = json.loads(runner.invoke(args=["status", tenant, "--json"]).output)
    assert status["integrations"][0]["connector"] == "itglue_stub"
    assert status["integrations"][0]["last_run"]["status"] == "succeeded"

    mirror = runner.invoke(args=["mirror", tenant, "itglue_stub", "organizations"])
    lines = [json.loads(line) for line in mirror.output.splitlines()]
    assert len(lines) > 10
    assert {"remote_id", "deleted", "data"} == set(lines[0])
    assert len({line["remote_id"] for line in lines}) == len(lines)

    with app.app_context():
        db.session.add(Company(tenant_id=1, name='Mañana & "Sons"'))
        db.session.commit()
    exported = runner.invoke(args=["export", tenant, "companies", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert 'Mañana & "Sons"' in [row["name"] for row in rows]
    assert sum(1 for row in rows if row["remote_id"]) > 5  # applied from the mirror
    as_jsonl = runner.invoke(args=["export", tenant, "company", "--format", "jsonl"])
    names = [json.loads(line)["name"] for line in as_jsonl.output.splitlines()]
    assert 'Mañana & "Sons"' in names


def test_sync_wait_runs_inline_without_a_worker(runner: FlaskCliRunner, tenant: str) -> None:
    runner.invoke(args=["integration", "configure", tenant, "itglue_stub", "--set",
                        "api_key=ITG.demo"])  # fmt: skip
    result = runner.invoke(args=["sync", tenant, "itglue_stub", "--wait"])
    assert result.exit_code == 0, result.output
    assert "no worker is running" in result.output
    assert "succeeded" in result.output


def test_unknown_stream_and_model_are_usage_errors(runner: FlaskCliRunner, tenant: str) -> None:
    runner.invoke(args=["integration", "configure", tenant, "itglue_stub", "--set",
                        "api_key=ITG.demo"])  # fmt: skip
    bad_stream = runner.invoke(args=["sync", tenant, "itglue_stub", "--stream", "widgets"])
    assert bad_stream.exit_code == 2 and "no stream 'widgets'" in bad_stream.output
    bad_model = runner.invoke(args=["export", tenant, "gizmos"])
    assert bad_model.exit_code == 2 and "unknown model 'gizmos'" in bad_model.output


def test_plugins_lists_versions_and_hooks(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["plugins", "--json"])
    infos = {p["name"]: p for p in json.loads(result.output)}
    assert infos["itglue_stub"]["distribution"] == "hub-itglue-stub"
    assert infos["itglue_stub"]["version"]
    assert "hub_pull_page" in infos["itglue_stub"]["hooks"]
    text = runner.invoke(args=["plugins"]).output
    assert "itglue_stub (hub-itglue-stub" in text


def test_flask_app_hub_has_the_same_commands(app: Flask, tmp_path: Path) -> None:
    import subprocess
    import sys

    flask = str(Path(sys.executable).with_name("flask"))
    env = {**os.environ, "HUB_INSTANCE_PATH": str(tmp_path / "instance")}
    result = subprocess.run(
        [flask, "--app", "hub", "plugins", "--json"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "itglue_stub" in {p["name"] for p in json.loads(result.stdout)}


def test_mirror_include_deleted(app: Flask, runner: FlaskCliRunner, tenant: str) -> None:
    runner.invoke(args=["integration", "configure", tenant, "itglue_stub", "--set",
                        "api_key=ITG.demo"])  # fmt: skip
    assert runner.invoke(args=["sync", tenant, "itglue_stub", "--wait"]).exit_code == 0
    with app.app_context():
        from hub.sync.mirror import mark_deleted

        integration = db.session.scalar(select(Integration))
        live = runner.invoke(args=["mirror", tenant, "itglue_stub", "contacts"]).output
        first = json.loads(live.splitlines()[0])["remote_id"]
        mark_deleted(integration, "contacts", [first])
        db.session.commit()
    live = runner.invoke(args=["mirror", tenant, "itglue_stub", "contacts"]).output
    everything = runner.invoke(
        args=["mirror", tenant, "itglue_stub", "contacts", "--include-deleted"]
    ).output
    assert first not in {json.loads(line)["remote_id"] for line in live.splitlines()}
    rows = {json.loads(line)["remote_id"]: json.loads(line) for line in everything.splitlines()}
    assert rows[first]["deleted"] is True
