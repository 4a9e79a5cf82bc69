"""In-app notices, each emailed once to the tenant's active admins.

A notice has a ``key`` so the same event never notifies twice (two workers
finishing the same streak, a retried job). Runs that finish are turned into
notices by :func:`notify_run_finished`: the first sync of a new integration,
and an integration that fails three runs in a row or whose credentials the
remote system rejected.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub.connectors import get_connector
from hub.errors import ConfigurationError
from hub.extensions import db
from hub.models import Integration, Notice, SyncRun, Tenant, User
from hub.models.base import utcnow
from hub.notify.mailer import send_mail

log = logging.getLogger(__name__)
FAILED_IN_A_ROW = 3


def notify(
    integration: Integration, key: str, kind: str, title: str, body: str, level: str = "info"
) -> Notice | None:
    """Record a notice and email it to the tenant's admins; ``None`` when ``key`` was used."""
    notice = Notice(
        tenant_id=integration.tenant_id,
        integration_id=integration.id,
        key=key[:100],
        kind=kind,
        level=level,
        title=title[:200],
        body=body,
    )
    try:
        with db.session.begin_nested():
            db.session.add(notice)
    except IntegrityError:
        return None  # already notified
    db.session.commit()
    admins = list(
        db.session.scalars(
            select(User.email).where(User.tenant_id == integration.tenant_id, User.is_active)
        )
    )
    tenant = db.session.get(Tenant, integration.tenant_id)
    subject = f"[{tenant.name if tenant else 'hub'}] {title}"
    error = send_mail(current_app.config, admins, subject, body)
    if error:
        log.warning("notice %s: %s", notice.key, error)
    notice.email_error = error
    notice.emailed_to = len(admins) if current_app.config.get("SMTP_HOST") and not error else 0
    db.session.commit()
    return notice


def _label(integration: Integration) -> str:
    try:
        return get_connector(integration.connector).info.label
    except ConfigurationError:
        return integration.connector


def _finished_runs(integration: Integration, limit: int) -> list[SyncRun]:
    return list(
        db.session.scalars(
            select(SyncRun)
            .where(SyncRun.integration_id == integration.id, SyncRun.finished_at.is_not(None))
            .order_by(SyncRun.id.desc())
            .limit(limit)
        )
    )


def _counts(run: SyncRun) -> str:
    lines = []
    for row in run.streams:
        lines.append(f"  {row.stream}: {row.status}, {row.pulled} pulled, {row.errors} errors")
    return "\n".join(lines)


def notify_run_finished(run: SyncRun) -> None:
    """Notify the tenant's admins about a finished run when it matters."""
    integration = db.session.get(Integration, run.integration_id)
    if integration is None:
        return
    label = _label(integration)
    recent = _finished_runs(integration, 50)
    if len(recent) == 1 and recent[0].id == run.id:
        notify(
            integration,
            f"first-sync:{integration.id}",
            "first_sync",
            f"The first {label} sync finished: {run.status}",
            f"The first sync of the {label} integration finished at "
            f"{run.finished_at:%Y-%m-%d %H:%M} UTC with status {run.status}.\n\n"
            f"{_counts(run)}\n\nSee the Sync page of the integration for details.",
            "info" if run.status == "succeeded" else "warning",
        )
    if run.status != "failed":
        return
    streak = []
    for previous in recent:
        if previous.status != "failed":
            break
        streak.append(previous)
    start = streak[-1].id
    if run.message:  # the runner records a run-wide message only when credentials are rejected
        notify(
            integration,
            f"credentials:{integration.id}:{start}",
            "credentials_rejected",
            f"{label} rejected the hub's credentials",
            f"The {label} sync #{run.id} failed: {run.message}\n\n"
            "Correct the credentials on the integration's Settings page; syncs stay failed "
            "until then.",
            "error",
        )
    elif len(streak) >= FAILED_IN_A_ROW:
        notify(
            integration,
            f"failing:{integration.id}:{start}",
            "failing",
            f"The {label} integration is failing",
            f"The last {len(streak)} syncs of the {label} integration failed "
            f"(the latest, #{run.id}, at {run.finished_at:%Y-%m-%d %H:%M} UTC).\n\n"
            f"{_counts(run)}\n\nSee the Sync page of the integration for what went wrong.",
            "error",
        )


def unread_notices(tenant_id: int, limit: int = 50) -> list[Notice]:
    """Return the tenant's unread notices, newest first."""
    return list(
        db.session.scalars(
            select(Notice)
            .where(Notice.tenant_id == tenant_id, Notice.read_at.is_(None))
            .order_by(Notice.id.desc())
            .limit(limit)
        )
    )


def recent_notices(tenant_id: int, limit: int = 50) -> list[Notice]:
    """Return the tenant's notices, newest first."""
    return list(
        db.session.scalars(
            select(Notice)
            .where(Notice.tenant_id == tenant_id)
            .order_by(Notice.id.desc())
            .limit(limit)
        )
    )


def mark_read(tenant_id: int, notice_id: int | None = None) -> int:
    """Mark one notice (or all) of the tenant read; return how many changed."""
    query = select(Notice).where(Notice.tenant_id == tenant_id, Notice.read_at.is_(None))
    if notice_id is not None:
        query = query.where(Notice.id == notice_id)
    rows = list(db.session.scalars(query))
    for row in rows:
        row.read_at = utcnow()
    db.session.commit()
    return len(rows)
