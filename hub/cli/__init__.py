"""The ``hub`` command: a Flask CLI group (``flask --app hub`` has the same commands)."""

from __future__ import annotations

from flask import Flask
from flask.cli import FlaskGroup

from hub.cli.data import export_command, mirror_command
from hub.cli.integrations import integration_group
from hub.cli.ops import demo_command, keys_group, plugins_command, sandbox_group, worker_command
from hub.cli.schedule import scheduler_command
from hub.cli.sync import apply_command, status_command, sync_command
from hub.cli.tenants import tenant_group
from hub.cli.writeback import warranty_group, webhooks_group, writeback_group


def register_commands(app: Flask) -> None:
    """Attach every hub command to ``app.cli``."""
    for command in (
        tenant_group,
        integration_group,
        sync_command,
        apply_command,
        status_command,
        mirror_command,
        export_command,
        worker_command,
        plugins_command,
        sandbox_group,
        keys_group,
        demo_command,
        warranty_group,
        writeback_group,
        webhooks_group,
        scheduler_command,
    ):
        app.cli.add_command(command)


def _create_app() -> Flask:
    from hub.app import create_app

    return create_app()


main = FlaskGroup(
    name="hub",
    help="The MSP integration hub: tenants, integrations, syncs, workers.",
    create_app=_create_app,
    add_version_option=False,
)
