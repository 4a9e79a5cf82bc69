"""API: per-integration sync schedules and the tenant's notices."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_smorest import Blueprint

from hub.api.auth import authenticate, fail, hub_errors, tenant_integration
from hub.extensions import db
from hub.models import Notice
from hub.notify.notices import mark_read, recent_notices, unread_notices
from hub.schedule.settings import schedule_view, update_schedule
from hub.schemas.schedules import (
    MarkedReadSchema,
    NoticeArgsSchema,
    NoticeSchema,
    ScheduleChangeSchema,
    ScheduleSchema,
)

blp = Blueprint("api_schedules", __name__, description="Sync schedules and notices")
blp.before_request(authenticate)


@blp.route("/integrations/<connector>/schedule")
@blp.response(200, ScheduleSchema)
def schedule(connector: str) -> dict[str, Any]:
    """Auto-sync, interval, nightly window, per-stream overrides; each stream's next run."""
    return schedule_view(tenant_integration(connector))


@blp.route("/integrations/<connector>/schedule", methods=["PATCH"])
@blp.arguments(ScheduleChangeSchema)
@blp.response(200, ScheduleSchema)
def change_schedule(body: dict[str, Any], connector: str) -> dict[str, Any]:
    """Change the schedule; nothing is stored when a field is wrong (422 lists them)."""
    integration = tenant_integration(connector)
    with hub_errors():
        update_schedule(integration, body)
    return schedule_view(integration)


@blp.route("/notices")
@blp.arguments(NoticeArgsSchema, location="query")
@blp.response(200, NoticeSchema(many=True))
def notices(args: dict[str, Any]) -> list[Notice]:
    """The tenant's notices, newest first (``unread=true``: only unread ones)."""
    return unread_notices(g.tenant_id) if args["unread"] else recent_notices(g.tenant_id)


@blp.route("/notices/<int:notice_id>/read", methods=["POST"])
@blp.response(200, MarkedReadSchema)
def read_notice(notice_id: int) -> dict[str, Any]:
    """Mark one notice read."""
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.tenant_id != g.tenant_id:
        fail(404, f"there is no notice {notice_id}")
    return {"marked": mark_read(g.tenant_id, notice_id)}


@blp.route("/notices/read", methods=["POST"])
@blp.response(200, MarkedReadSchema)
def read_all() -> dict[str, Any]:
    """Mark every notice read."""
    return {"marked": mark_read(g.tenant_id)}
