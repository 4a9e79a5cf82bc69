"""``hub tenant ...``: create and list tenants."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from hub.cli.errors import reports_errors
from hub.extensions import db
from hub.models import Tenant
from hub.tenancy import create_tenant


@click.group("tenant")
def tenant_group() -> None:
    """Manage tenants (one per MSP)."""


@tenant_group.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The MSP's display name.")
@click.option("--admin-email", required=True, help="The first admin's login email.")
@click.option("--admin-password", required=True, help="The first admin's password (8+ chars).")
@with_appcontext
@reports_errors
def create_command(slug: str, name: str, admin_email: str, admin_password: str) -> None:
    """Create tenant SLUG with its first admin user."""
    tenant = create_tenant(slug, name, admin_email, admin_password)
    click.echo(f"created tenant {tenant.slug} (id {tenant.id}) with admin {admin_email.lower()}")


@tenant_group.command("list")
@with_appcontext
def list_command() -> None:
    """List tenants."""
    for tenant in db.session.scalars(select(Tenant).order_by(Tenant.slug)):
        click.echo(f"{tenant.slug}\t{tenant.name}")
