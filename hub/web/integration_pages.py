"""Admin pages of one integration: connector settings (Test, Save) and Sync.

The settings form is drawn from the plugin's settings schema; secrets are
never put back into the page (shown as set or not set; blank keeps them).
Test Settings works as a plain form post, and with JavaScript it answers a
fragment so the typed secret stays in the form for Save.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import missing
from werkzeug.wrappers import Response

from hub.connectors import Connector, get_connector
from hub.errors import ConfigurationError, HubError, ValidationFailed
from hub.extensions import db
from hub.integration_actions import (
    PrimaryTaken,
    integration_state,
    primary_view,
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
from hub.models import Integration
from hub.web.admin import admin, current_tenant, page_connector, page_integration
from hub.webhooks.subscriptions import after_save, check_before_save, offers_webhooks


def _form_changes(connector: Connector) -> dict[str, Any]:
    """Return the posted settings; a blank field falls back to the schema's default."""
    changes: dict[str, Any] = {}
    for name, field in connector.info.settings_schema().fields.items():
        value = request.form.get(name, "").strip()
        if not value and field.load_default is not missing and not field.metadata.get("secret"):
            default = field.load_default
            value = default() if callable(default) else default
        changes[name] = value
    return changes


@admin.route("/integrations/<connector>/settings", methods=["GET", "POST"])
@login_required
def settings(connector: str) -> str | Response | tuple[str, int]:
    """The connector's settings: Test Settings, Save Settings, the guidance text."""
    page_connector(connector)
    plugin = get_connector(connector)
    tenant = current_tenant()
    integration = find_integration(tenant, connector)
    fields = settings_fields(plugin)
    values = settings_view(plugin, integration)
    enabled = integration.enabled if integration is not None else True
    primary = primary_view(tenant, plugin)
    wants_primary, replace = primary["default"], False
    errors: dict[str, list[str]] = {}
    report = None
    status = 200
    if request.method == "POST":
        changes = _form_changes(plugin)
        enabled = request.form.get("enabled") == "on"
        if request.form.get("primary_shown"):
            wants_primary = request.form.get("primary") == "on"
            replace = request.form.get("replace_primary") == "on"
        values.update({f["name"]: changes[f["name"]] for f in fields if not f["secret"]})
        try:
            if request.form.get("action") == "test":
                report = report_view(plugin, test_settings(tenant, connector, changes))
                if request.headers.get("X-Requested-With") == "fetch":
                    return render_template("admin/_report.html", report=report)
            else:
                wanted = (
                    request.form.get("webhooks") == "on" if offers_webhooks(connector) else None
                )
                check_before_save(integration, connector, wanted)
                integration, run = save_settings(
                    tenant,
                    connector,
                    changes,
                    enabled=enabled,
                    primary=wants_primary if request.form.get("primary_shown") else None,
                    replace_primary=replace,
                )
                if not _webhooks_saved(integration, wanted):
                    return redirect(url_for("admin.settings", connector=connector))
                if run is not None:
                    flash("Settings saved. The first sync has started.", "info")
                    return redirect(url_for("admin.sync", connector=connector))
                flash("Settings saved.", "info")
                return redirect(url_for("admin.settings", connector=connector))
        except ValidationFailed as exc:
            db.session.rollback()
            errors, status = exc.errors, 422
            flash("Nothing was stored: correct the fields marked below.", "error")
            if request.headers.get("X-Requested-With") == "fetch":
                return render_template("admin/_report.html", errors=errors, fields=fields), 422
        except PrimaryTaken as exc:
            db.session.rollback()
            flash(
                f"{exc.current} is already the primary integration and only one can be, so "
                f"nothing was stored. Tick “Replace {exc.current} as primary” to make "
                f"{exc.wanted} primary instead.",
                "error",
            )
            status = 409
        except HubError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            status = 409
    return render_template(
        "admin/settings.html",
        connector=plugin,
        fields=fields,
        values=values,
        enabled=enabled,
        errors=errors,
        report=report,
        state=integration_state(integration),
        primary=primary,
        wants_primary=wants_primary,
        replace=replace,
        retype_secret=report is not None,
        webhooks={
            "offered": offers_webhooks(connector),
            "enabled": bool(integration and integration.webhooks_enabled),
        },
    ), status


def _webhooks_saved(integration: Integration, wanted: bool | None) -> bool:
    """Register or remove webhooks after a save; flash what happened or what failed."""
    try:
        done = after_save(integration, wanted)
    except HubError as exc:
        db.session.rollback()
        flash(f"Settings saved, but {exc.message}", "error")
        return False
    if done:
        flash(done, "info")
    return True


@admin.route("/integrations/<connector>/sync", methods=["GET", "POST"])
@login_required
def sync(connector: str) -> str | Response:
    """Per-stream progress, last synced times, run history, the API budget; Sync now."""
    integration = page_integration(connector)
    if request.method == "POST":
        stream = request.form.get("stream") or None
        try:
            run, created = request_sync(
                integration, streams=[stream] if stream else None, trigger="manual"
            )
        except ConfigurationError as exc:
            flash(exc.message, "error")
        else:
            flash(
                f"Sync #{run.id} started." if created else f"Sync #{run.id} is already running.",
                "info",
            )
        return redirect(url_for("admin.sync", connector=connector))
    status = sync_status(integration)
    history = [run_view(run, errors=20) for run in runs_of(integration, 10)]
    return render_template(
        "admin/sync.html",
        connector=get_connector(connector),
        status=status,
        history=history,
        status_url=url_for("api_integrations.status", connector=connector),
    )
