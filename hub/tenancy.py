"""Creating and finding tenants and their admins."""

from __future__ import annotations

import re

from sqlalchemy import select

from hub.errors import ConfigurationError, ValidationFailed
from hub.extensions import db
from hub.models import Tenant, User

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def get_tenant(slug: str) -> Tenant:
    """Return the tenant with ``slug`` or raise naming it."""
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise ConfigurationError(f"unknown tenant {slug!r}")
    return tenant


def create_tenant(slug: str, name: str, admin_email: str, admin_password: str) -> Tenant:
    """Create a tenant with its first admin; raise listing every bad field."""
    errors: dict[str, list[str] | str] = {}
    if not SLUG.match(slug):
        errors["slug"] = "use 1-63 lowercase letters, digits and hyphens, starting alphanumeric"
    if not name.strip():
        errors["name"] = "must not be blank"
    if not EMAIL.match(admin_email):
        errors["admin_email"] = "not a valid email address"
    if len(admin_password) < 8:
        errors["admin_password"] = "must be at least 8 characters"  # noqa: S105
    if errors:
        raise ValidationFailed(errors, what="tenant")
    if db.session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None:
        raise ConfigurationError(f"tenant {slug!r} already exists")
    if db.session.scalar(select(User.id).where(User.email == admin_email.lower())) is not None:
        raise ConfigurationError(f"a user with email {admin_email!r} already exists")
    tenant = Tenant(slug=slug, name=name.strip())
    admin = User(email=admin_email.lower(), tenant=tenant)
    admin.set_password(admin_password)
    db.session.add_all([tenant, admin])
    db.session.commit()
    return tenant
