"""API: warranty dates (entered, imported, looked up), write-back with its audit log, webhooks."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_smorest import Blueprint

from hub.api.auth import authenticate, current_tenant, fail, hub_errors, tenant_integration
from hub.errors import HubError
from hub.extensions import db
from hub.jobs import get_queue
from hub.models import User
from hub.schemas.writeback import (
    CsvImportResultSchema,
    CsvImportSchema,
    EntrySchema,
    LookupQueuedSchema,
    LookupRequestSchema,
    PlannedWriteSchema,
    PreviewArgsSchema,
    WarrantyChangeSchema,
    WarrantySchema,
    WebhookStatusSchema,
    WebhookSwitchedSchema,
    WebhookSwitchSchema,
    WritebackRequestSchema,
    WritebackRunSchema,
    WritebackStateSchema,
    WritebackSwitchSchema,
)
from hub.warranty.csv_import import import_csv
from hub.warranty.sources import (
    ADMIN,
    check_tenant_assets,
    set_warranty,
    tenant_asset,
    warranty_view,
)
from hub.webhooks.subscriptions import disable_webhooks, enable_webhooks, webhook_status
from hub.writeback.preview import plan
from hub.writeback.runs import request_rollback, request_writeback
from hub.writeback.views import (
    audit_log,
    run_view,
    runs_of,
    set_writeback_enabled,
    tenant_run,
    writeback_state,
)

blp = Blueprint("api_writeback", __name__, description="Warranty dates, write-back and webhooks")
blp.before_request(authenticate)


def api_actor() -> str:
    """Return who is calling, as the audit log names them."""
    user = db.session.get(User, g.user_id) if getattr(g, "user_id", None) else None
    return f"{user.email} (API)" if user is not None else "API token"


def _asset(asset_id: int) -> Any:
    try:
        return tenant_asset(current_tenant().id, asset_id)
    except HubError as exc:
        fail(404, exc.message)


@blp.route("/assets/<int:asset_id>/warranty", methods=["GET"])
@blp.response(200, WarrantySchema)
def get_warranty(asset_id: int) -> dict[str, Any]:
    """An asset's warranty expiration date, its source and the PSA's value."""
    return warranty_view(_asset(asset_id))


@blp.route("/assets/<int:asset_id>/warranty", methods=["PUT"])
@blp.arguments(WarrantyChangeSchema)
@blp.response(200, WarrantySchema)
def put_warranty(body: dict[str, Any], asset_id: int) -> dict[str, Any]:
    """Enter an asset's warranty date (source "admin"); null hands it back to the PSA."""
    asset = _asset(asset_id)
    with hub_errors():
        set_warranty(asset, body["warranty_expiration_date"], ADMIN)
        db.session.commit()
    return warranty_view(asset)


@blp.route("/warranties/import", methods=["POST"])
@blp.arguments(CsvImportSchema)
@blp.response(200, CsvImportResultSchema)
def import_warranties(body: dict[str, Any]) -> dict[str, Any]:
    """Import dates from CSV text; 422 lists every bad row and nothing is imported then.

    With ``partial`` the good rows are imported and the bad ones still listed (200).
    """
    with hub_errors():
        result = import_csv(current_tenant().id, body["csv"], partial=body["partial_"])
    errors = [{"row": row, "message": message} for row, message in result.errors]
    if errors and not result.applied:
        fail(422, f"nothing was imported: {len(errors)} bad rows", errors={"rows": errors})
    return {**result.__dict__, "errors": errors}


@blp.route("/warranties/lookup", methods=["POST"])
@blp.arguments(LookupRequestSchema)
@blp.response(202, LookupQueuedSchema)
def lookup(body: dict[str, Any]) -> dict[str, Any]:
    """Queue a lookup of warranty dates by the plugins (hub_warranty_lookup).

    422 when an id is not one of the tenant's assets.
    """
    if body["asset_ids"]:
        with hub_errors():
            check_tenant_assets(current_tenant().id, body["asset_ids"])
    job = get_queue().enqueue_call(
        "hub.tasks.warranty_lookup_job",
        args=(current_tenant().id, body["asset_ids"], body["overwrite"]),
        timeout=3600,
        result_ttl=3600,
    )
    return {"job_id": job.id}


@blp.route("/integrations/<connector>/writeback", methods=["GET"])
@blp.response(200, WritebackStateSchema)
def state(connector: str) -> dict[str, Any]:
    """Whether write-back is on (off by default) and the active run."""
    return writeback_state(tenant_integration(connector))


@blp.route("/integrations/<connector>/writeback", methods=["PUT"])
@blp.arguments(WritebackSwitchSchema)
@blp.response(200, WritebackStateSchema)
def switch(body: dict[str, Any], connector: str) -> dict[str, Any]:
    """Turn write-back on or off for the integration."""
    integration = tenant_integration(connector)
    set_writeback_enabled(integration, body["enabled"])
    return writeback_state(integration)


@blp.route("/integrations/<connector>/writeback/preview")
@blp.arguments(PreviewArgsSchema, location="query")
@blp.response(200, PlannedWriteSchema(many=True))
def preview(args: dict[str, Any], connector: str) -> list[dict[str, Any]]:
    """Every asset whose PSA warranty date would change; nothing is written."""
    integration = tenant_integration(connector)
    with hub_errors():
        return [p.view() for p in plan(integration, args["asset_id"])]


@blp.route("/integrations/<connector>/writeback/runs", methods=["GET"])
@blp.response(200, WritebackRunSchema(many=True))
def list_runs(connector: str) -> list[dict[str, Any]]:
    """The write-back and rollback runs, newest first (without their entries)."""
    return [run_view(r, entries=False) for r in runs_of(tenant_integration(connector))]


@blp.route("/integrations/<connector>/writeback/runs", methods=["POST"])
@blp.arguments(WritebackRequestSchema)
@blp.response(202, WritebackRunSchema)
def start_run(body: dict[str, Any], connector: str) -> dict[str, Any]:
    """Queue a write of the previewed dates (all, or ``asset_ids``); 409 when write-back is off."""
    integration = tenant_integration(connector)
    with hub_errors():
        run = request_writeback(integration, actor=api_actor(), asset_ids=body["asset_ids"])
    return run_view(run)


@blp.route("/integrations/<connector>/writeback/log")
@blp.response(200, EntrySchema(many=True))
def log(connector: str) -> list[dict[str, Any]]:
    """The audit log: who wrote what to which asset, when, and the result (newest first)."""
    return audit_log(tenant_integration(connector))


def _run(run_id: int) -> Any:
    try:
        return tenant_run(current_tenant(), run_id)
    except HubError as exc:
        fail(404, exc.message)


@blp.route("/writeback/runs/<int:run_id>")
@blp.response(200, WritebackRunSchema)
def get_run(run_id: int) -> dict[str, Any]:
    """One run with its audit entries."""
    return run_view(_run(run_id))


@blp.route("/writeback/runs/<int:run_id>/rollback", methods=["POST"])
@blp.response(202, WritebackRunSchema)
def rollback(run_id: int) -> dict[str, Any]:
    """Queue the rollback of a write run: the old values go back under the same rules."""
    original = _run(run_id)
    with hub_errors():
        run = request_rollback(original, actor=api_actor())
    return run_view(run)


@blp.route("/integrations/<connector>/webhooks", methods=["GET"])
@blp.response(200, WebhookStatusSchema)
def webhooks(connector: str) -> dict[str, Any]:
    """Whether webhooks are on, and each one (deactivated ones say when)."""
    return webhook_status(tenant_integration(connector))


@blp.route("/integrations/<connector>/webhooks", methods=["PUT"])
@blp.arguments(WebhookSwitchSchema)
@blp.response(200, WebhookSwitchedSchema)
def switch_webhooks(body: dict[str, Any], connector: str) -> dict[str, Any]:
    """Register webhooks with fresh secrets (needs HUB_PUBLIC_URL), or remove them."""
    integration = tenant_integration(connector)
    with hub_errors():
        if body["enabled"]:
            rows = enable_webhooks(integration)
            message = f"webhooks registered for {', '.join(r.stream for r in rows)}"
        else:
            disable_webhooks(integration)
            message = "webhooks removed"
    return {**webhook_status(integration), "message": message}
