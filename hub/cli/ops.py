"""Operator commands: workers, plugins, sandboxes, key rotation and the demo."""

from __future__ import annotations

import json
from dataclasses import asdict

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from hub.cli.errors import reports_errors
from hub.crypto import rotate
from hub.extensions import db
from hub.models import Integration
from hub.plugins import plugin_infos, sandbox_commands


@click.command("worker")
@click.option(
    "--burst",
    is_flag=True,
    help="Exit when the queue is empty and no retry is due within two minutes.",
)
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run an RQ worker for the hub queue (start several, on any machines, to go faster)."""
    from hub.worker import run_worker, tune_interpreter

    tune_interpreter()  # the worker process only: it freezes what exists now
    run_worker(current_app._get_current_object(), burst=burst)  # type: ignore[attr-defined]


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def plugins_command(as_json: bool) -> None:
    """List loaded plugins, their versions and the hooks they implement."""
    infos = plugin_infos()
    if as_json:
        click.echo(json.dumps([asdict(info) for info in infos]))
        return
    for info in infos:
        version = f"{info.distribution} {info.version}" if info.distribution else "built in"
        click.echo(f"{info.name} ({version})")
        for hook in info.hooks:
            click.echo(f"  {hook}")


class SandboxGroup(click.Group):
    """``hub sandbox NAME``: the simulators that connector plugins ship."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Return the registered sandbox names."""
        return sorted(sandbox_commands())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return the sandbox command called ``cmd_name``."""
        return sandbox_commands().get(cmd_name)


sandbox_group = SandboxGroup(
    "sandbox", help="Run a connector's simulator of its remote system (for demos and tests)."
)


@click.group("keys")
def keys_group() -> None:
    """Manage the encryption key of stored settings."""


@keys_group.command("rotate")
@with_appcontext
@reports_errors
def rotate_command() -> None:
    """Re-encrypt every stored setting with the first key of HUB_ENCRYPTION_KEY."""
    count = 0
    for integration in db.session.scalars(select(Integration)):
        integration.settings_encrypted = rotate(integration.settings_encrypted)
        count += 1
    db.session.commit()
    click.echo(f"re-encrypted the settings of {count} integrations")


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@with_appcontext
@reports_errors
def demo_command(host: str, port: int) -> None:
    """Set up a demo tenant on embedded defaults, start a worker and serve the admin pages."""
    from hub.demo import run_demo

    run_demo(current_app._get_current_object(), host=host, port=port)  # type: ignore[attr-defined]
