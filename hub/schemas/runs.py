"""Schemas of sync requests, runs (history and live progress) and sync status."""

from __future__ import annotations

from marshmallow import Schema, fields

from hub.schemas.integrations import IntegrationStateSchema
from hub.schemas.writeback import WebhookStatusSchema


class SyncRequestSchema(Schema):
    """What to sync: every stream (``streams`` empty) or some; incremental or full."""

    streams = fields.List(fields.String(), load_default=list)
    full = fields.Boolean(load_default=False)


class StreamProgressSchema(Schema):
    """One stream of a run: progress and counts."""

    stream = fields.String()
    label = fields.String()
    status = fields.String()
    mode = fields.String()
    total = fields.Integer(allow_none=True, metadata={"description": "what query/count reported"})
    pulled = fields.Integer()
    percent = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    deleted = fields.Integer()
    errors = fields.Integer()
    api_calls = fields.Integer()
    message = fields.String()


class RecordErrorSchema(Schema):
    """A remote record that could not be stored or applied as it was, in words."""

    stream = fields.String()
    label = fields.String(metadata={"description": "the stream's name for people"})
    remote_id = fields.String(allow_none=True)
    message = fields.String()


class RunEventSchema(Schema):
    """A line of a run's history."""

    at = fields.String()
    level = fields.String()
    message = fields.String()


class RunSchema(Schema):
    """A sync run with per-stream progress, record errors and events."""

    id = fields.Integer()
    status = fields.String()
    finished = fields.Boolean()
    trigger = fields.String()
    full = fields.Boolean()
    message = fields.String()
    created_at = fields.String(allow_none=True)
    started_at = fields.String(allow_none=True)
    finished_at = fields.String(allow_none=True)
    api_calls = fields.Integer()
    applied = fields.Dict(keys=fields.String(), values=fields.Dict())
    streams = fields.List(fields.Nested(StreamProgressSchema))
    record_errors = fields.List(fields.Nested(RecordErrorSchema))
    record_error_count = fields.Integer(metadata={"description": "all of them (a few are listed)"})
    events = fields.List(fields.Nested(RunEventSchema))


class SyncStartedSchema(Schema):
    """The run a sync request queued (or the one already active)."""

    created = fields.Boolean(metadata={"description": "false: a sync was already active"})
    run = fields.Nested(RunSchema)


class StreamStateSchema(Schema):
    """A stream and when it was last synced."""

    stream = fields.String()
    label = fields.String()
    last_synced_at = fields.DateTime(allow_none=True)
    last_webhook_at = fields.DateTime(
        allow_none=True, metadata={"description": "when a webhook last updated the stream"}
    )


class BudgetSchema(Schema):
    """The hub's API calls this hour and its cap (null: no limit known)."""

    used_this_hour = fields.Integer()
    cap = fields.Integer(allow_none=True, metadata={"description": "the hub's share this hour"})
    hourly_limit = fields.Integer(
        allow_none=True, metadata={"description": "what the remote account allows per hour"}
    )


class SyncStatusSchema(Schema):
    """What the Sync page shows."""

    integration = fields.Nested(IntegrationStateSchema)
    streams = fields.List(fields.Nested(StreamStateSchema))
    budget = fields.Nested(BudgetSchema)
    active_run = fields.Nested(RunSchema, allow_none=True)
    latest_run = fields.Nested(RunSchema, allow_none=True)
    webhooks = fields.Nested(WebhookStatusSchema, allow_none=True)


class RunListArgsSchema(Schema):
    """How many runs to list."""

    limit = fields.Integer(load_default=20, validate=lambda n: 1 <= n <= 200)
