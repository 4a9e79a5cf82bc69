"""Schemas of warranty dates, CSV imports, write-back runs, the audit log and webhooks."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class WarrantySchema(Schema):
    """An asset's warranty expiration date and where it came from."""

    asset_id = fields.Integer()
    name = fields.String()
    serial_number = fields.String(allow_none=True)
    warranty_expiration_date = fields.Date(allow_none=True)
    source = fields.String(metadata={"description": "psa, admin, csv or lookup:<provider>"})
    source_label = fields.String()
    psa_value = fields.Date(allow_none=True, metadata={"description": "the PSA's value"})


class WarrantyChangeSchema(Schema):
    """A warranty date entered by an admin; null hands the date back to the PSA."""

    warranty_expiration_date = fields.Date(required=True, allow_none=True)


class CsvImportSchema(Schema):
    """A CSV file's text: header, then asset_id|serial_number|remote_id and the date."""

    csv = fields.String(required=True, validate=validate.Length(min=1, max=20_000_000))
    partial_ = fields.Boolean(
        data_key="partial",
        load_default=False,
        metadata={"description": "import the good rows even if some are bad"},
    )


class RowErrorSchema(Schema):
    """A bad CSV row, in words."""

    row = fields.Integer()
    message = fields.String()


class CsvImportResultSchema(Schema):
    """What an import did; with errors and without ``partial`` nothing was imported."""

    applied = fields.Boolean()
    imported = fields.Integer()
    unchanged = fields.Integer()
    errors = fields.List(fields.Nested(RowErrorSchema))


class LookupRequestSchema(Schema):
    """Which assets to look warranties up for (all when omitted)."""

    asset_ids = fields.List(fields.Integer(), load_default=None, allow_none=True)
    overwrite = fields.Boolean(
        load_default=False, metadata={"description": "replace dates admins entered or imported"}
    )


class LookupQueuedSchema(Schema):
    """The queued lookup job."""

    job_id = fields.String()


class PlannedWriteSchema(Schema):
    """One asset whose PSA warranty date would change."""

    asset_id = fields.Integer()
    asset_name = fields.String()
    stream = fields.String()
    remote_id = fields.String()
    field = fields.String()
    psa_value = fields.String(allow_none=True, metadata={"description": "current PSA value"})
    new_value = fields.String()
    source = fields.String()
    source_label = fields.String()


class PreviewArgsSchema(Schema):
    """Limit the preview to some assets."""

    asset_id = fields.List(fields.Integer(), load_default=None)


class EntrySchema(Schema):
    """One audit log entry: who, when, asset, old value, new value, result."""

    id = fields.Integer()
    run_id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String()
    asset_id = fields.Integer(allow_none=True)
    asset_name = fields.String()
    stream = fields.String()
    remote_id = fields.String()
    field = fields.String()
    old_value = fields.String(allow_none=True)
    new_value = fields.String(allow_none=True)
    source = fields.String()
    result = fields.String(metadata={"description": "written, skipped or failed"})
    message = fields.String()


class WritebackRunSchema(Schema):
    """A write-back (or rollback) run with its counts and audit entries."""

    id = fields.Integer()
    kind = fields.String(metadata={"description": "write or rollback"})
    rollback_of = fields.Integer(allow_none=True)
    status = fields.String()
    finished = fields.Boolean()
    requested_by = fields.String()
    asset_ids = fields.List(fields.Integer(), allow_none=True)
    message = fields.String()
    written = fields.Integer()
    skipped = fields.Integer()
    failed = fields.Integer()
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    entries = fields.List(fields.Nested(EntrySchema))


class WritebackStateSchema(Schema):
    """Whether write-back is on, and the active run."""

    enabled = fields.Boolean()
    active_run = fields.Nested(WritebackRunSchema, allow_none=True)


class WritebackSwitchSchema(Schema):
    """Turn write-back on or off."""

    enabled = fields.Boolean(required=True)


class WritebackRequestSchema(Schema):
    """Which assets to write (all previewed ones when omitted)."""

    asset_ids = fields.List(fields.Integer(), load_default=None, allow_none=True)


class SubscriptionSchema(Schema):
    """One remote webhook."""

    stream = fields.String()
    remote_id = fields.String()
    registered_at = fields.DateTime()
    deactivated_at = fields.DateTime(
        allow_none=True, metadata={"description": "set when the remote system deactivated it"}
    )


class WebhookStatusSchema(Schema):
    """Whether webhooks are on and their subscriptions."""

    enabled = fields.Boolean()
    subscriptions = fields.List(fields.Nested(SubscriptionSchema))
    deactivated = fields.Boolean()


class WebhookSwitchSchema(Schema):
    """Register (fresh secrets) or remove the integration's webhooks."""

    enabled = fields.Boolean(required=True)


class WebhookSwitchedSchema(WebhookStatusSchema):
    """The webhooks after the change, and what happened in words."""

    message = fields.String()
