"""API: connectors, integration settings, Test Settings, syncs, runs and plugins."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from hub.api.auth import (
    authenticate,
    current_tenant,
    fail,
    hub_errors,
    known_connector,
    tenant_integration,
)
from hub.connectors import all_connectors, get_connector
from hub.errors import HubError
from hub.extensions import db
from hub.integration_actions import (
    integration_state,
    report_view,
    run_view,
    runs_of,
    save_settings,
    settings_fields,
    settings_view,
    sync_status,
    test_settings,
)
from hub.integrations import find_integration
from hub.jobs import request_sync
from hub.models import SyncRun
from hub.plugins import plugin_infos
from hub.schemas.integrations import (
    ConnectionReportSchema,
    ConnectorSchema,
    IntegrationSchema,
    PluginSchema,
    SavedSchema,
    SettingsChangeSchema,
    SettingsTestSchema,
)
from hub.schemas.runs import (
    RunListArgsSchema,
    RunSchema,
    SyncRequestSchema,
    SyncStartedSchema,
    SyncStatusSchema,
)
from hub.webhooks.subscriptions import after_save, check_before_save

blp = Blueprint("api_integrations", __name__, description="Connectors, settings, syncs and runs")
blp.before_request(authenticate)


@blp.route("/connectors")
class Connectors(MethodView):
    """Every connector the plugins provide."""

    @blp.response(200, ConnectorSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """List connectors with the tenant's integration state (null: not set up)."""
        tenant = current_tenant()
        return [
            {
                "name": c.name,
                "label": c.info.label,
                "kind": c.info.kind,
                "can_be_primary": c.info.can_be_primary,
                "description": c.info.description,
                "integration": integration_state(find_integration(tenant, c.name)),
            }
            for c in all_connectors()
        ]


def _integration_view(connector_name: str) -> dict[str, Any]:
    connector = get_connector(connector_name)
    integration = find_integration(current_tenant(), connector_name)
    return {
        "connector": connector.name,
        "label": connector.info.label,
        "guidance": connector.info.guidance,
        "fields_": settings_fields(connector),
        "settings": settings_view(connector, integration),
        "integration": integration_state(integration),
    }


@blp.route("/integrations/<connector>")
class IntegrationSettings(MethodView):
    """A connector's settings for the tenant."""

    @blp.response(200, IntegrationSchema)
    def get(self, connector: str) -> dict[str, Any]:
        """Show the settings form and values; secrets only as {"set": true|false}."""
        known_connector(connector)
        return _integration_view(connector)

    @blp.arguments(SettingsChangeSchema)
    @blp.response(200, SavedSchema)
    def put(self, body: dict[str, Any], connector: str) -> dict[str, Any]:
        """Store settings (422 lists every bad field; nothing is stored then).

        A blank secret keeps the stored one. The first save with ``enabled``
        starts the initial sync.
        """
        known_connector(connector)
        with hub_errors():
            check_before_save(
                find_integration(current_tenant(), connector), connector, body["webhooks"]
            )
            integration, run = save_settings(
                current_tenant(),
                connector,
                body["settings"],
                enabled=body["enabled"],
                primary=body["primary"],
                replace_primary=body["replace_primary"],
            )
        try:
            webhooks_message = after_save(integration, body["webhooks"])
        except HubError as exc:
            db.session.rollback()
            fail(409, f"the settings were saved, but {exc.message}")
        return {
            "integration": integration_state(integration),
            "settings": settings_view(get_connector(connector), integration),
            "started_run_id": run.id if run is not None else None,
            "webhooks_message": webhooks_message,
        }


@blp.route("/integrations/<connector>/test", methods=["POST"])
@blp.arguments(SettingsTestSchema)
@blp.response(200, ConnectionReportSchema)
def test_connection(body: dict[str, Any], connector: str) -> dict[str, Any]:
    """Test the stored settings updated by ``settings``: login, then read access per stream."""
    known_connector(connector)
    with hub_errors():
        report = test_settings(current_tenant(), connector, body["settings"])
    return report_view(get_connector(connector), report)


@blp.route("/integrations/<connector>/sync", methods=["POST"])
@blp.arguments(SyncRequestSchema)
@blp.response(202, SyncStartedSchema)
def sync(body: dict[str, Any], connector: str) -> dict[str, Any]:
    """Queue a sync of every stream or of ``streams`` (one active sync at a time)."""
    integration = tenant_integration(connector)
    with hub_errors():
        run, created = request_sync(
            integration, streams=body["streams"] or None, full=body["full"], trigger="api"
        )
    return {"created": created, "run": run_view(run)}


@blp.route("/integrations/<connector>/status")
@blp.response(200, SyncStatusSchema)
def status(connector: str) -> dict[str, Any]:
    """Streams with last synced times, the active run's progress, the API budget this hour."""
    return sync_status(tenant_integration(connector))


@blp.route("/integrations/<connector>/runs")
@blp.arguments(RunListArgsSchema, location="query")
@blp.response(200, RunSchema(many=True))
def runs(args: dict[str, Any], connector: str) -> list[dict[str, Any]]:
    """The run history, newest first, with per-stream counts and record errors in words."""
    integration = tenant_integration(connector)
    return [run_view(run) for run in runs_of(integration, args["limit"])]


@blp.route("/runs/<int:run_id>")
@blp.response(200, RunSchema)
def run(run_id: int) -> dict[str, Any]:
    """One run's live progress: pulled of total per stream, counts, errors, events."""
    row = db.session.scalar(
        select(SyncRun).where(SyncRun.id == run_id, SyncRun.tenant_id == current_tenant().id)
    )
    if row is None:
        fail(404, f"no run {run_id}")
    return run_view(row)


@blp.route("/plugins")
@blp.response(200, PluginSchema(many=True))
def plugins() -> list[dict[str, Any]]:
    """The loaded plugins, their versions and hooks."""
    current_tenant()
    return [asdict(p) for p in plugin_infos()]
