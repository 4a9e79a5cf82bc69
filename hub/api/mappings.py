"""API: company mapping, type and status maps, asset field maps and asset selection.

Every change is stored in the integration's apply options and re-applied
from the mirror by a worker: zero API calls.
"""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from hub.api.auth import authenticate, hub_errors, tenant_integration
from hub.asset_mapping import (
    asset_fields_view,
    list_assets,
    selection_view,
    set_asset_fields,
    set_asset_selection,
)
from hub.company_mapping import (
    create_unmapped,
    list_companies,
    map_company,
    unmap_company,
    unmapped_ids,
)
from hub.picklist_mapping import (
    KINDS,
    create_unmapped_values,
    picklist_view,
    set_picklist_map,
)
from hub.schemas.mapping import (
    AssetFieldsChangeSchema,
    AssetFieldsSchema,
    AssetListArgsSchema,
    AssetListSchema,
    AssetSelectionSchema,
    CompanyListArgsSchema,
    CompanyListSchema,
    CreateUnmappedSchema,
    MapCompanySchema,
    MappingDoneSchema,
    PicklistMapSchema,
    PicklistSchema,
    UnmapCompanySchema,
)

blp = Blueprint("api_mappings", __name__, description="Mappings: companies, types, asset fields")
blp.before_request(authenticate)
BASE = "/integrations/<connector>"


@blp.route(f"{BASE}/companies")
@blp.arguments(CompanyListArgsSchema, location="query")
@blp.response(200, CompanyListSchema)
def companies(args: dict[str, Any], connector: str) -> dict[str, Any]:
    """Remote companies from the mirror, filtered, each with its mapping or a proposed match."""
    integration = tenant_integration(connector)
    with hub_errors():
        return list_companies(integration, **args)


@blp.route(f"{BASE}/companies/map", methods=["POST"])
@blp.arguments(MapCompanySchema)
@blp.response(200, MappingDoneSchema)
def map_(body: dict[str, Any], connector: str) -> dict[str, Any]:
    """Map a remote company to an existing hub company (confirming a proposal)."""
    integration = tenant_integration(connector)
    with hub_errors():
        map_company(integration, body["remote_id"], body["company_id"])
    return {"ok": True, "apply_queued": True, "counts": {"mapped": 1}}


@blp.route(f"{BASE}/companies/unmap", methods=["POST"])
@blp.arguments(UnmapCompanySchema)
@blp.response(200, MappingDoneSchema)
def unmap(body: dict[str, Any], connector: str) -> dict[str, Any]:
    """Unmap a remote company; from then on only mapped companies are applied.

    A hub company created from it leaves the hub (``deleted``); a pre-existing
    hub company that was linked to it stays, hub-only (``unlinked``).
    """
    integration = tenant_integration(connector)
    with hub_errors():
        outcome = unmap_company(integration, body["remote_id"])
    counts = {"unmapped": int(outcome is not None), "deleted": int(outcome == "deleted"),
              "unlinked": int(outcome == "unlinked")}  # fmt: skip
    return {"ok": True, "apply_queued": True, "counts": counts}


@blp.route(f"{BASE}/companies/create-unmapped", methods=["POST"])
@blp.arguments(CreateUnmappedSchema)
@blp.response(200, MappingDoneSchema)
def companies_create_unmapped(body: dict[str, Any], connector: str) -> dict[str, Any]:
    """Create hub companies for the given (default: every) unmapped remote company and map them."""
    integration = tenant_integration(connector)
    with hub_errors():
        ids = body["remote_ids"] or unmapped_ids(integration)
        counts = create_unmapped(integration, ids)
    return {"ok": True, "apply_queued": True, "counts": counts}


@blp.route(f"{BASE}/picklists/<kind>")
@blp.response(200, PicklistSchema)
def picklist(connector: str, kind: str) -> dict[str, Any]:
    """Remote values of one kind (company_type, company_status, asset_type, asset_status)."""
    integration = tenant_integration(connector)
    with hub_errors():
        return picklist_view(integration, kind)


@blp.route(f"{BASE}/picklists/<kind>", methods=["PUT"])
@blp.arguments(PicklistMapSchema)
@blp.response(200, PicklistSchema)
def picklist_map(body: dict[str, Any], connector: str, kind: str) -> dict[str, Any]:
    """Map remote values to hub values (null: back to the value created from it)."""
    integration = tenant_integration(connector)
    with hub_errors():
        return set_picklist_map(integration, kind, body["map"])


@blp.route(f"{BASE}/picklists/<kind>/create-unmapped", methods=["POST"])
@blp.response(200, MappingDoneSchema)
def picklist_create_unmapped(connector: str, kind: str) -> dict[str, Any]:
    """Create a hub value for every unmapped remote value and map it."""
    integration = tenant_integration(connector)
    with hub_errors():
        created = create_unmapped_values(integration, kind)
    return {"ok": True, "apply_queued": True, "counts": {"created": created}}


@blp.route(f"{BASE}/picklists")
@blp.response(200, PicklistSchema(many=True))
def picklists(connector: str) -> list[dict[str, Any]]:
    """Every kind of type and status at once."""
    integration = tenant_integration(connector)
    return [picklist_view(integration, kind) for kind in KINDS]


@blp.route(f"{BASE}/asset-fields")
@blp.response(200, AssetFieldsSchema)
def asset_fields(connector: str) -> dict[str, Any]:
    """Fields to download (metadata + samples), fields to map (with warnings), the selection."""
    integration = tenant_integration(connector)
    with hub_errors():
        return asset_fields_view(integration)


@blp.route(f"{BASE}/asset-fields", methods=["PUT"])
@blp.arguments(AssetFieldsChangeSchema)
@blp.response(200, AssetFieldsSchema)
def asset_fields_change(body: dict[str, Any], connector: str) -> dict[str, Any]:
    """Map hub asset attributes to remote fields in fallback order; re-applies."""
    integration = tenant_integration(connector)
    with hub_errors():
        set_asset_fields(integration, body["fields_"])
        return asset_fields_view(integration)


@blp.route(f"{BASE}/asset-selection", methods=["PUT"])
@blp.arguments(AssetSelectionSchema)
@blp.response(200, AssetSelectionSchema)
def asset_selection(body: dict[str, Any], connector: str) -> dict[str, Any]:
    """Choose companies ("mapped" or ids), types (null: all) and statuses; re-applies."""
    integration = tenant_integration(connector)
    with hub_errors():
        set_asset_selection(integration, body["companies"], body["types"], body["statuses"])
    return selection_view(integration)


@blp.route(f"{BASE}/assets")
@blp.arguments(AssetListArgsSchema, location="query")
@blp.response(200, AssetListSchema)
def assets(args: dict[str, Any], connector: str) -> dict[str, Any]:
    """The hub assets this integration feeds, with their mapped attributes."""
    return list_assets(tenant_integration(connector), args["limit"], args["offset"])
