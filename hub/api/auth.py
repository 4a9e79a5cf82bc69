"""Who is calling the API: a bearer token's tenant, or the logged-in admin's for reads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

from flask import g, request
from flask_login import current_user
from flask_smorest import abort
from sqlalchemy import select

from hub.connectors import get_connector
from hub.errors import ConfigurationError, HubError, ValidationFailed
from hub.extensions import db
from hub.integrations import PrimaryConflict, find_integration
from hub.models import ApiToken, Integration, Tenant
from hub.models.base import utcnow

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="hub"'}


def fail(status: int, message: str, **extra: Any) -> NoReturn:
    """Answer ``status`` with a JSON body holding ``message`` (and ``errors``, ``headers``)."""
    abort(status, message=message, **extra)
    raise AssertionError("abort returned")  # pragma: no cover


def authenticate() -> None:
    """Set ``g.tenant_id`` from the bearer token (or a session, for reads) or answer 401."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            fail(401, "use 'Authorization: Bearer <token>'", headers=CHALLENGE)
        row = db.session.scalar(
            select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token.strip()))
        )
        if row is None or row.revoked_at is not None:
            fail(401, "this API token is unknown or revoked", headers=CHALLENGE)
        row.last_used_at = utcnow()
        db.session.commit()
        g.tenant_id = row.tenant_id
        g.user_id = row.created_by_id
        return
    if current_user.is_authenticated and request.method in SAFE_METHODS:
        g.tenant_id = current_user.tenant_id
        g.user_id = current_user.id
        return
    fail(401, "send 'Authorization: Bearer <token>' (an API token)", headers=CHALLENGE)


def current_tenant() -> Tenant:
    """Return the calling tenant."""
    tenant = db.session.get(Tenant, g.tenant_id)
    if tenant is None:
        fail(401, "the token's tenant no longer exists", headers=CHALLENGE)
    return tenant


def known_connector(name: str) -> None:
    """Answer 404 unless a plugin provides connector ``name``."""
    try:
        get_connector(name)
    except ConfigurationError as exc:
        fail(404, str(exc))


def tenant_integration(connector: str) -> Integration:
    """Return the calling tenant's integration of ``connector`` or answer 404."""
    known_connector(connector)
    integration = find_integration(current_tenant(), connector)
    if integration is None:
        fail(404, f"the {connector} integration is not set up; PUT its settings first")
    return integration


@contextmanager
def hub_errors() -> Iterator[None]:
    """Turn hub errors into answers: 422 with every bad field, 409 for conflicts."""
    try:
        yield
    except ValidationFailed as exc:
        db.session.rollback()
        fail(422, exc.message, errors=exc.errors)
    except PrimaryConflict as exc:
        db.session.rollback()
        fail(409, exc.message)
    except HubError as exc:
        db.session.rollback()
        fail(409, exc.message)
