"""Schemas of hub contracts and the "Sync from PSA" import."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

FIELD_DESCRIPTION = "PSA-controlled on imported contracts (see read_only)"


class ServiceSchema(Schema):
    """A service billed under a contract."""

    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    unit_price = fields.String(allow_none=True, load_default=None)
    unit_cost = fields.String(allow_none=True, load_default=None)
    units = fields.String(allow_none=True, load_default=None)


class AssetRefSchema(Schema):
    """An asset a contract covers; ``source``: psa (from the PSA) or hub."""

    id = fields.Integer()
    name = fields.String(allow_none=True)
    source = fields.String()


class ContractSchema(Schema):
    """A hub contract; ``read_only`` lists the fields only a contract sync changes."""

    id = fields.Integer()
    company_id = fields.Integer(allow_none=True)
    name = fields.String(metadata={"description": FIELD_DESCRIPTION})
    number = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    contract_type = fields.String(allow_none=True)
    start_date = fields.String(allow_none=True)
    end_date = fields.String(allow_none=True)
    billing_cost = fields.String(allow_none=True, metadata={"description": "sum of services"})
    billing_cycle = fields.String(allow_none=True)
    vendor_name = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    imported_from_psa = fields.Boolean()
    import_source = fields.String(allow_none=True, metadata={"description": "contract or service"})
    remote_id = fields.String(allow_none=True)
    remote_flag = fields.String(allow_none=True, metadata={"description": "deleted or deactivated"})
    remote_removed_at = fields.String(allow_none=True)
    last_synced_at = fields.String(allow_none=True)
    copied_from_id = fields.Integer(allow_none=True)
    read_only = fields.List(fields.String())
    services = fields.List(fields.Nested(ServiceSchema))
    assets = fields.List(fields.Nested(AssetRefSchema))


class ContractChangeSchema(Schema):
    """Fields to change; PSA-controlled ones of an imported contract answer 422."""

    name = fields.String()
    number = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    contract_type = fields.String(allow_none=True)
    start_date = fields.String(allow_none=True)
    end_date = fields.String(allow_none=True)
    billing_cost = fields.String(allow_none=True)
    billing_cycle = fields.String(allow_none=True)
    vendor_name = fields.String(allow_none=True, validate=validate.Length(max=255))
    description = fields.String(allow_none=True)


class ServicesChangeSchema(Schema):
    """The complete list of a local contract's services."""

    services = fields.List(fields.Nested(ServiceSchema), required=True)


class CompanyContractsSchema(Schema):
    """A company's hub contracts, their total cost, and where they can be synced from."""

    company = fields.Dict()
    contracts = fields.List(fields.Nested(ContractSchema))
    total_cost = fields.String()
    psa = fields.Dict(allow_none=True, metadata={"description": "integration and last synced"})


class ChangeSchema(Schema):
    """One field an import would change: the hub's value and the PSA's."""

    field = fields.String()
    label = fields.String()
    hub = fields.Raw(allow_none=True)
    psa = fields.Raw(allow_none=True)


class RemoteServiceSchema(Schema):
    """A remote contract service, importable alone (key ``service:<id>``)."""

    key = fields.String()
    remote_id = fields.String()
    values = fields.Dict()
    mark = fields.String(metadata={"description": "new, available, imported or changed"})
    hub_contract_id = fields.Integer(allow_none=True)
    changes = fields.List(fields.Nested(ChangeSchema))


class RemoteContractSchema(Schema):
    """A remote contract (key ``contract:<id>``) with its mark and per-field diff."""

    key = fields.String()
    remote_id = fields.String()
    values = fields.Dict()
    active = fields.Boolean()
    deleted = fields.Boolean()
    mark = fields.String(metadata={"description": "new, available, imported or changed"})
    psa_state = fields.String(allow_none=True, metadata={"description": "deleted or deactivated"})
    hub_contract_id = fields.Integer(allow_none=True)
    changes = fields.List(fields.Nested(ChangeSchema))
    assets = fields.Integer(metadata={"description": "configuration items tied to it"})
    services = fields.List(fields.Nested(RemoteServiceSchema))


class RemoteListingSchema(Schema):
    """A company's remote contracts as "Sync from PSA" lists them."""

    integration = fields.String()
    company_remote_id = fields.String()
    last_imported_at = fields.String(allow_none=True)
    mirror_synced_at = fields.String(allow_none=True)
    items = fields.List(fields.Nested(RemoteContractSchema))


class RemoteListingArgsSchema(Schema):
    """Listing options."""

    services = fields.Boolean(load_default=False)
    integration = fields.String(load_default=None, allow_none=True)


class ImportRequestSchema(Schema):
    """Keys to import: ``contract:<id>`` or ``service:<id>``."""

    selected = fields.List(fields.String(), required=True, validate=validate.Length(min=1, max=500))
    integration = fields.String(load_default=None, allow_none=True)


class ImportResultSchema(Schema):
    """What an import or a contract sync did."""

    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    flagged = fields.Integer()
    assets_linked = fields.Integer()
    contract_ids = fields.List(fields.Integer())
