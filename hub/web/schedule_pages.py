"""Admin pages: an integration's sync schedule, and the tenant's notices.

The nav shows how many notices are unread (a context processor), so a
first sync finishing or an integration failing is seen on every page.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from hub.connectors import get_connector
from hub.errors import HubError, ValidationFailed
from hub.extensions import db
from hub.notify.notices import mark_read, recent_notices, unread_notices
from hub.schedule.settings import schedule_view, update_schedule
from hub.web.admin import admin, page_integration


@admin.app_context_processor
def _unread_notices() -> dict[str, Any]:
    if not current_user.is_authenticated:
        return {"unread_notices": 0}
    return {"unread_notices": len(unread_notices(current_user.tenant_id))}


def _minutes(text: str, name: str, errors: dict[str, list[str] | str]) -> int | None:
    """Read hours (the form's unit, decimals allowed) as whole minutes."""
    if not text.strip():
        return None
    try:
        return round(float(text) * 60)
    except ValueError:
        errors[name] = "enter a number of hours"
        return None


def _form_changes(streams: list[dict[str, Any]]) -> dict[str, Any]:
    errors: dict[str, list[str] | str] = {}
    form = request.form
    changes: dict[str, Any] = {
        "auto_sync": form.get("auto_sync") == "on",
        "contract_auto_sync": form.get("contract_auto_sync") == "on",
        "window_start": form.get("window_start", "").strip() or None,
        "window_end": form.get("window_end", "").strip() or None,
        "timezone": form.get("timezone", "UTC").strip() or "UTC",
    }
    interval = _minutes(form.get("interval_hours", ""), "interval_hours", errors)
    changes["interval_minutes"] = interval if interval is not None else 24 * 60
    overrides: dict[str, Any] = {}
    for row in streams:
        name = row["stream"]
        minutes = _minutes(form.get(f"every-{name}", ""), f"every {name}", errors)
        nightly = form.get(f"nightly-{name}") == "on"
        if minutes is not None or nightly:
            overrides[name] = {"interval_minutes": minutes, "nightly": nightly}
    changes["stream_overrides"] = overrides
    if errors:
        raise ValidationFailed(errors, what="schedule")
    return changes


@admin.route("/integrations/<connector>/schedule", methods=["GET", "POST"])
@login_required
def schedule(connector: str) -> str | Response:
    """Auto-sync, interval, nightly window, per-stream overrides, contract auto-sync."""
    integration = page_integration(connector)
    view = schedule_view(integration)
    if request.method == "POST":
        try:
            update_schedule(integration, _form_changes(view["streams"]))
            flash("Schedule saved.", "info")
        except HubError as exc:
            db.session.rollback()
            if isinstance(exc, ValidationFailed):
                for name, messages in exc.errors.items():
                    flash(f"{name}: {'; '.join(messages)}", "error")
            else:
                flash(exc.message, "error")
        return redirect(url_for("admin.schedule", connector=connector))
    return render_template("admin/schedule.html", connector=get_connector(connector), view=view)


@admin.route("/notices", methods=["GET", "POST"])
@login_required
def notices() -> str | Response:
    """The tenant's notices, newest first; mark one or all read."""
    if request.method == "POST":
        notice_id = request.form.get("notice", "")
        mark_read(current_user.tenant_id, int(notice_id) if notice_id.isdigit() else None)
        return redirect(url_for("admin.notices"))
    return render_template("admin/notices.html", notices=recent_notices(current_user.tenant_id))
