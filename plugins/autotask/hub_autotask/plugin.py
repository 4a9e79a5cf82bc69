"""Hook implementations of the Autotask connector."""

from __future__ import annotations

from collections.abc import Callable

import click

from hub import hookimpl
from hub.connector import ConnectorInfo
from hub_autotask.settings import AutotaskSettings

NAME = "autotask"

GUIDANCE = (
    "In Autotask, open Admin > Account Settings & Users > Resources/Users (HR) > Security > "
    "Security Levels, copy 'API User (system)' and allow View on Companies, Contacts, "
    "Configuration Items, Contracts, Opportunities, Tickets and Projects. Then create a new "
    "API User (Admin > Resources/Users > New API User) with that security level, generate its "
    "secret, and under API Tracking Identifier choose Integration Vendor (or Custom "
    "Integration and copy its identifier). Enter the username, secret and identifier here."
)


@hookimpl
def hub_register_connectors(register: Callable[[ConnectorInfo], None]) -> None:
    """Register the Autotask connector."""
    register(
        ConnectorInfo(
            name=NAME,
            label="Datto Autotask PSA",
            settings_schema=AutotaskSettings,
            kind="psa",
            can_be_primary=True,
            description="Companies, contacts, configuration items, contracts, opportunities, "
            "tickets and projects from Datto Autotask PSA.",
            guidance=GUIDANCE,
            max_concurrency=3,
            hourly_call_limit=10_000,
        )
    )


@hookimpl
def hub_sandbox_commands(register: Callable[[click.Command], None]) -> None:
    """Register ``hub sandbox autotask``."""
    from hub_autotask.sandbox.cli import command

    register(command)
