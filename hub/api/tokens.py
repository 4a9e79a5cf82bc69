"""API: the tenant's API tokens (create: the plain token is shown once; list; revoke)."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from hub.api.auth import authenticate, current_tenant, fail
from hub.extensions import db
from hub.models import ApiToken
from hub.models.base import utcnow
from hub.schemas.tokens import TokenCreatedSchema, TokenCreateSchema, TokenSchema

blp = Blueprint("api_tokens", __name__, description="API tokens")
blp.before_request(authenticate)


def issue_token(tenant_id: int, name: str, user_id: int | None) -> tuple[ApiToken, str]:
    """Create and store a token; return it with its plain value (never stored)."""
    row, plain = ApiToken.issue(tenant_id, name.strip())
    row.created_by_id = user_id
    db.session.add(row)
    db.session.commit()
    return row, plain


def tenant_tokens(tenant_id: int) -> list[ApiToken]:
    """Return the tenant's tokens, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.tenant_id == tenant_id).order_by(ApiToken.id.desc())
        )
    )


def revoke_token(tenant_id: int, token_id: int) -> ApiToken | None:
    """Revoke one of the tenant's tokens; ``None`` when it has no such token."""
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.tenant_id == tenant_id)
    )
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.commit()
    return row


@blp.route("/tokens")
class Tokens(MethodView):
    """The tenant's API tokens."""

    @blp.response(200, TokenSchema(many=True))
    def get(self) -> list[ApiToken]:
        """List tokens (name, prefix, last used, revoked); never their values."""
        return tenant_tokens(current_tenant().id)

    @blp.arguments(TokenCreateSchema)
    @blp.response(201, TokenCreatedSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create a token; its plain value is in this answer only."""
        row, plain = issue_token(current_tenant().id, body["name"], g.get("user_id"))
        shown = ("id", "name", "prefix", "created_at", "last_used_at", "revoked_at")
        return {**{key: getattr(row, key) for key in shown}, "token": plain}


@blp.route("/tokens/<int:token_id>", methods=["DELETE"])
@blp.response(200, TokenSchema)
def revoke(token_id: int) -> ApiToken:
    """Revoke a token: it is refused from then on."""
    row = revoke_token(current_tenant().id, token_id)
    if row is None:
        fail(404, f"no token {token_id}")
    return row
