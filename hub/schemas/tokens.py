"""Schemas of API tokens: only a prefix is ever shown after creation."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class TokenSchema(Schema):
    """An API token (its hash is stored, never shown)."""

    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class TokenCreateSchema(Schema):
    """A name for the new token."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=100))


class TokenCreatedSchema(TokenSchema):
    """The new token, with its plain value: shown this once."""

    token = fields.String()
