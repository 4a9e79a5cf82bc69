"""Admin pages: warranty dates (enter, import a CSV, look up) and write-back (preview, run,
audit log, rollback) of one integration. They add their routes to the admin blueprint."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from hub.connectors import get_connector
from hub.errors import HubError
from hub.extensions import db
from hub.jobs import get_queue
from hub.models import Asset, Company
from hub.warranty.csv_import import import_csv
from hub.warranty.sources import ADMIN, parse_date, set_warranty, source_label, tenant_asset
from hub.web.admin import admin, current_tenant, page_integration
from hub.writeback.preview import plan
from hub.writeback.runs import request_rollback, request_writeback
from hub.writeback.views import run_view, runs_of, set_writeback_enabled, tenant_run

PAGE_SIZE = 100


def _asset_ids(values: list[str]) -> list[int]:
    return sorted({int(v) for v in values if v.isdigit()})


@admin.route("/integrations/<connector>/writeback", methods=["GET", "POST"])
@login_required
def writeback(connector: str) -> str | Response | tuple[str, int]:
    """Write-back: the opt-in switch, the preview, runs with their audit entries, rollback."""
    integration = page_integration(connector)
    if request.method == "POST":
        action = request.form.get("action", "")
        try:
            if action in ("enable", "disable"):
                set_writeback_enabled(integration, action == "enable")
                flash(f"Write-back is {'on' if action == 'enable' else 'off'}.", "info")
            elif action in ("run", "run_all"):
                chosen = _asset_ids(request.form.getlist("asset"))
                if action == "run" and not chosen:
                    flash("Select at least one asset, or use Write all.", "error")
                else:
                    run = request_writeback(
                        integration,
                        actor=current_user.email,
                        asset_ids=chosen if action == "run" else None,
                    )
                    flash(f"Write-back run #{run.id} started.", "info")
            elif action == "rollback" and request.form.get("run_id", "").isdigit():
                original = tenant_run(current_tenant(), int(request.form["run_id"]))
                run = request_rollback(original, actor=current_user.email)
                flash(f"Rollback run #{run.id} of run #{original.id} started.", "info")
            else:
                abort(400)
        except HubError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        return redirect(url_for("admin.writeback", connector=connector))
    problem = ""
    try:
        planned = [p.view() for p in plan(integration)]
    except HubError as exc:
        planned, problem = [], exc.message
    runs = [run_view(r) for r in runs_of(integration, 10)]
    active = any(not r["finished"] for r in runs)
    return render_template(
        "admin/writeback.html",
        connector=get_connector(connector),
        integration=integration,
        planned=planned,
        problem=problem,
        runs=runs,
        refresh=active,
    )


def _assets_page(tenant_id: int, page: int, query: str) -> tuple[list[dict[str, Any]], int]:
    where = [Asset.tenant_id == tenant_id]
    if query:
        like = f"%{query}%"
        where.append(Asset.name.ilike(like) | Asset.serial_number.ilike(like))
    total = db.session.scalar(select(func.count()).select_from(Asset).where(*where)) or 0
    rows = db.session.execute(
        select(Asset, Company.name)
        .outerjoin(Company, Company.id == Asset.company_id)
        .where(*where)
        .order_by(Asset.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    items = [
        {
            "id": asset.id,
            "name": asset.name or "",
            "company": company or "",
            "serial_number": asset.serial_number or "",
            "date": asset.warranty_expiration_date,
            "source": asset.warranty_source or "psa",
            "source_label": source_label(asset.warranty_source),
        }
        for asset, company in rows
    ]
    return items, int(total)


def _warranty_post(tenant_id: int) -> None:
    action = request.form.get("action", "")
    if action == "set" and request.form.get("asset_id", "").isdigit():
        asset = tenant_asset(tenant_id, int(request.form["asset_id"]))
        text = request.form.get("date", "").strip()
        try:
            value = None if request.form.get("clear") or not text else parse_date(text)
        except ValueError as exc:
            flash(f"Asset {asset.id}: {exc}. Nothing was changed.", "error")
            return
        set_warranty(asset, value, ADMIN)
        db.session.commit()
        flash(f"Asset {asset.id}: warranty {value or 'handed back to the PSA'}.", "info")
    elif action == "import":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash("Choose a CSV file to import.", "error")
            return
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            flash("The file is not UTF-8 text. Nothing was imported.", "error")
            return
        result = import_csv(tenant_id, text, partial=request.form.get("partial") == "on")
        for row, message in result.errors[:200]:
            flash(f"Row {row}: {message}", "error")
        if result.applied:
            flash(f"Imported {result.imported} dates ({result.unchanged} unchanged).", "info")
        else:
            flash(f"Nothing was imported: {len(result.errors)} bad rows.", "error")
    elif action == "lookup":
        get_queue().enqueue_call(
            "hub.tasks.warranty_lookup_job", args=(tenant_id, None, False), timeout=3600
        )
        flash("Warranty lookup started; reload this page in a while.", "info")
    else:
        abort(400)


@admin.route("/warranties", methods=["GET", "POST"])
@login_required
def warranties() -> str | Response:
    """Every asset's warranty date and source; enter one, import a CSV, look them up."""
    tenant = current_tenant()
    if request.method == "POST":
        try:
            _warranty_post(tenant.id)
        except HubError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        return redirect(url_for("admin.warranties", q=request.args.get("q", "")))
    page = max(1, request.args.get("page", 1, type=int) or 1)
    query = request.args.get("q", "").strip()[:100]
    items, total = _assets_page(tenant.id, page, query)
    return render_template(
        "admin/warranties.html",
        assets=items,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        q=query,
    )
