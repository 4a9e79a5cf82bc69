"""Schemas of company mapping, type/status maps, asset field maps and asset selection."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from webargs.fields import DelimitedList


class CompanyListArgsSchema(Schema):
    """Filters of the remote company list (applied to the mirror: no re-pull)."""

    types = DelimitedList(fields.String(), load_default=list)
    active = fields.String(
        load_default="all", validate=validate.OneOf(["all", "active", "inactive"])
    )
    mapped = fields.String(
        load_default="all", validate=validate.OneOf(["all", "mapped", "unmapped"])
    )
    search = fields.String(load_default="", validate=validate.Length(max=200))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class NamedRefSchema(Schema):
    """A hub record's id and name."""

    id = fields.Integer()
    name = fields.String()


class ValueLabelSchema(Schema):
    """A remote value and its label."""

    value = fields.String(allow_none=True)
    label = fields.String()


class ProposalSchema(Schema):
    """A proposed hub company: exact name, or fuzzy with a confidence the admin confirms."""

    company_id = fields.Integer()
    name = fields.String()
    method = fields.String(metadata={"description": "exact or fuzzy"})
    confidence = fields.Float()


class RemoteCompanySchema(Schema):
    """A remote company with its mapping and proposal."""

    remote_id = fields.String()
    name = fields.String()
    type = fields.Nested(ValueLabelSchema)
    active = fields.Boolean()
    mapped_to = fields.Nested(NamedRefSchema, allow_none=True)
    proposal = fields.Nested(ProposalSchema, allow_none=True)


class CompanyListSchema(Schema):
    """One page of remote companies and the filter choices."""

    total = fields.Integer(metadata={"description": "companies matching the filters"})
    offset = fields.Integer()
    limit = fields.Integer()
    mapped = fields.Integer()
    remote_total = fields.Integer()
    items = fields.List(fields.Nested(RemoteCompanySchema))
    types = fields.List(fields.Nested(ValueLabelSchema))
    hub_companies = fields.List(fields.Nested(NamedRefSchema))


class MapCompanySchema(Schema):
    """Map a remote company to an existing hub company."""

    remote_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    company_id = fields.Integer(required=True)


class UnmapCompanySchema(Schema):
    """Unmap a remote company (created from it: deleted; a pre-existing one: unlinked)."""

    remote_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


class CreateUnmappedSchema(Schema):
    """Create hub companies for these remote ones (empty: every unmapped one)."""

    remote_ids = fields.List(fields.String(validate=validate.Length(max=64)), load_default=list)


class MappingDoneSchema(Schema):
    """What a mapping change did; the re-apply runs in a worker (no API calls)."""

    ok = fields.Boolean()
    apply_queued = fields.Boolean()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class PicklistRemoteSchema(Schema):
    """A remote type or status value and the hub value it maps to."""

    value = fields.String()
    label = fields.String()
    mapped_to = fields.Nested(NamedRefSchema, allow_none=True)
    how = fields.String(allow_none=True, metadata={"description": "chosen or created from it"})


class PicklistSchema(Schema):
    """One kind of type or status: remote values and hub values."""

    kind = fields.String()
    label = fields.String()
    provided = fields.Boolean(metadata={"description": "false: the connector has none"})
    stream = fields.String()
    remote = fields.List(fields.Nested(PicklistRemoteSchema))
    hub = fields.List(fields.Nested(NamedRefSchema))


class PicklistMapSchema(Schema):
    """Remote value -> hub value id (null: back to the value created from it)."""

    map = fields.Dict(keys=fields.String(), values=fields.Integer(allow_none=True), required=True)


class RemoteFieldSchema(Schema):
    """A field to download: from the connector's metadata, with samples from the mirror."""

    name = fields.String()
    label = fields.String()
    data_type = fields.String()
    is_custom = fields.Boolean()
    is_required = fields.Boolean()
    is_protected = fields.Boolean()
    samples = fields.List(fields.String())
    warning = fields.String()


class FieldMapSchema(Schema):
    """A hub asset attribute and its remote fields in fallback order."""

    attribute = fields.String()
    label = fields.String()
    required = fields.Boolean()
    sources = fields.List(fields.String())
    customised = fields.Boolean()
    warnings = fields.List(fields.String())


class AssetSelectionSchema(Schema):
    """Which remote assets are applied."""

    companies = fields.Raw(
        load_default="mapped",
        metadata={
            "description": '"mapped" (all mapped companies, also later ones) or a list of ids'
        },
    )
    types = fields.List(fields.String(), load_default=None, allow_none=True)
    statuses = fields.Raw(
        load_default="active", metadata={"description": '"active", "all" or a list of values'}
    )
    choices = fields.Dict(dump_only=True)


class AssetFieldsSchema(Schema):
    """Fields to download, fields to map and the asset selection."""

    stream = fields.String()
    problem = fields.String()
    download = fields.List(fields.Nested(RemoteFieldSchema))
    map = fields.List(fields.Nested(FieldMapSchema))
    selection = fields.Nested(AssetSelectionSchema)


class AssetFieldsChangeSchema(Schema):
    """Attribute -> remote field names in fallback order (null: back to the default)."""

    fields_ = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String(), allow_none=True),
        required=True,
        data_key="fields",
    )


class AssetListArgsSchema(Schema):
    """A page of hub assets."""

    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class AssetListSchema(Schema):
    """Hub assets with their mapped attributes."""

    total = fields.Integer()
    items = fields.List(fields.Dict())
    pending = fields.Boolean(
        metadata={"description": "true: a re-apply of the latest mapping change is still due"}
    )
