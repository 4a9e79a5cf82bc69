"""Schemas of sync schedules and notices."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from hub.schedule.settings import MAX_INTERVAL, MIN_INTERVAL

HHMM = validate.Regexp(r"^([01]\d|2[0-3]):([0-5]\d)$", error="use HH:MM (24-hour clock)")


class StreamRuleSchema(Schema):
    """A stream's own schedule: its interval, and/or only in the nightly window."""

    interval_minutes = fields.Integer(allow_none=True, load_default=None)
    nightly = fields.Boolean(load_default=False)


class StreamScheduleSchema(Schema):
    """A stream's effective schedule, last sync and next run."""

    stream = fields.String()
    label = fields.String()
    override = fields.Nested(StreamRuleSchema, allow_none=True)
    interval_minutes = fields.Integer()
    nightly = fields.Boolean()
    last_synced_at = fields.DateTime(allow_none=True)
    next_run_at = fields.DateTime(allow_none=True, metadata={"description": "null: auto-sync off"})


class ScheduleSchema(Schema):
    """An integration's schedule (defaults: auto-sync on, every 24 hours, no window)."""

    auto_sync = fields.Boolean()
    interval_minutes = fields.Integer()
    window_start = fields.String(allow_none=True)
    window_end = fields.String(allow_none=True)
    timezone = fields.String()
    contract_auto_sync = fields.Boolean(
        metadata={"description": "re-import imported contracts every 24 hours"}
    )
    provides_contracts = fields.Boolean()
    contracts_synced_at = fields.DateTime(allow_none=True)
    last_synced_at = fields.DateTime(allow_none=True)
    streams = fields.List(fields.Nested(StreamScheduleSchema))


class ScheduleChangeSchema(Schema):
    """Schedule fields to change; ``stream_overrides`` replaces every override."""

    auto_sync = fields.Boolean()
    interval_minutes = fields.Integer(validate=validate.Range(min=MIN_INTERVAL, max=MAX_INTERVAL))
    window_start = fields.String(allow_none=True, validate=HHMM)
    window_end = fields.String(allow_none=True, validate=HHMM)
    timezone = fields.String(validate=validate.Length(min=1, max=64))
    contract_auto_sync = fields.Boolean()
    stream_overrides = fields.Dict(keys=fields.String(), values=fields.Nested(StreamRuleSchema))


class NoticeSchema(Schema):
    """An in-app notice (also emailed to the tenant's admins when SMTP is configured)."""

    id = fields.Integer()
    integration_id = fields.Integer(allow_none=True)
    kind = fields.String(metadata={"description": "first_sync, failing, credentials_rejected"})
    level = fields.String()
    title = fields.String()
    body = fields.String()
    emailed_to = fields.Integer()
    email_error = fields.String()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class NoticeArgsSchema(Schema):
    """Which notices."""

    unread = fields.Boolean(load_default=False)


class MarkedReadSchema(Schema):
    """How many notices were marked read."""

    marked = fields.Integer()
