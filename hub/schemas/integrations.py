"""Schemas of connectors, integration settings, connection tests and plugins."""

from __future__ import annotations

from marshmallow import Schema, fields


class IntegrationStateSchema(Schema):
    """A configured integration's state."""

    id = fields.Integer()
    enabled = fields.Boolean()
    is_primary = fields.Boolean()
    status = fields.String(metadata={"description": "new, active, failing or disabled"})
    status_message = fields.String()
    last_synced_at = fields.DateTime(allow_none=True)


class ConnectorSchema(Schema):
    """A connector a plugin provides, and the tenant's integration of it (null: not set up)."""

    name = fields.String()
    label = fields.String()
    kind = fields.String()
    can_be_primary = fields.Boolean()
    description = fields.String()
    integration = fields.Nested(IntegrationStateSchema, allow_none=True)


class SettingsFieldSchema(Schema):
    """One field of a connector's settings form."""

    name = fields.String()
    label = fields.String()
    help = fields.String()
    secret = fields.Boolean(metadata={"description": "write-only: shown as {set: bool}"})
    required = fields.Boolean()


class IntegrationSchema(Schema):
    """A connector's settings (secrets as {"set": bool}), form and guidance."""

    connector = fields.String()
    label = fields.String()
    guidance = fields.String()
    fields_ = fields.List(fields.Nested(SettingsFieldSchema), data_key="fields")
    settings = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(allow_none=True),
        metadata={"description": 'values; a secret is {"set": true|false}, never its value'},
    )
    integration = fields.Nested(IntegrationStateSchema, allow_none=True)


class SettingsChangeSchema(Schema):
    """Settings to store (a blank secret keeps the stored one) and the switches."""

    settings = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), required=True)
    enabled = fields.Boolean(load_default=True, metadata={"description": "integration active"})
    primary = fields.Boolean(
        load_default=None,
        allow_none=True,
        metadata={"description": "true: make it primary; false: secondary; null keeps the role"},
    )
    replace_primary = fields.Boolean(
        load_default=False,
        metadata={
            "description": "with primary: true, the current primary becomes secondary "
            "(without it, another primary answers 409 and nothing is stored)"
        },
    )
    webhooks = fields.Boolean(
        load_default=None,
        allow_none=True,
        metadata={"description": "register webhooks (fresh secrets); false removes; null keeps"},
    )


class SettingsTestSchema(Schema):
    """Settings to test (merged over the stored ones); nothing is stored."""

    settings = fields.Dict(
        keys=fields.String(), values=fields.Raw(allow_none=True), load_default=dict
    )


class EntityAccessSchema(Schema):
    """Whether the remote API user may read one stream, and what to change if not."""

    stream = fields.String()
    label = fields.String()
    readable = fields.Boolean()
    message = fields.String()


class ConnectionReportSchema(Schema):
    """The outcome of Test Settings."""

    ok = fields.Boolean()
    message = fields.String()
    entities = fields.List(fields.Nested(EntityAccessSchema))


class SavedSchema(Schema):
    """The stored integration and the initial sync it started, if any."""

    integration = fields.Nested(IntegrationStateSchema)
    settings = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True))
    started_run_id = fields.Integer(allow_none=True)
    webhooks_message = fields.String(metadata={"description": "what happened to webhooks"})


class PluginSchema(Schema):
    """A loaded plugin: distribution, version and hooks."""

    name = fields.String()
    module = fields.String()
    distribution = fields.String(allow_none=True)
    version = fields.String(allow_none=True)
    hooks = fields.List(fields.String())
