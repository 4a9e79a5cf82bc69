"""Admin pages of one integration's mappings: companies, types and statuses, asset fields.

Filters are query-string parameters over the mirror (no re-pull); every
change is a CSRF-protected form post that stores the mapping and queues a
re-apply (no API calls), then returns to the same view.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from hub.asset_mapping import (
    asset_fields_view,
    list_assets,
    set_asset_fields,
    set_asset_selection,
)
from hub.company_mapping import (
    FILTERS_ACTIVE,
    FILTERS_MAPPED,
    create_unmapped,
    list_companies,
    map_company,
    unmap_company,
    unmapped_ids,
)
from hub.connectors import get_connector
from hub.errors import HubError, ValidationFailed
from hub.extensions import db
from hub.picklist_mapping import KINDS, create_unmapped_values, picklist_view, set_picklist_map
from hub.web.admin import admin, page_integration

MAX_FALLBACKS = 3
PAGE_SIZE = 100


def _problem(exc: HubError) -> None:
    db.session.rollback()
    if isinstance(exc, ValidationFailed):
        for name, messages in exc.errors.items():
            flash(f"{name}: {'; '.join(messages)}", "error")
    else:
        flash(exc.message, "error")


def _company_filters() -> dict[str, Any]:
    active = request.args.get("active", "all")
    mapped = request.args.get("mapped", "all")
    return {
        "types": [t for t in request.args.getlist("types") if t],
        "active": active if active in FILTERS_ACTIVE else "all",
        "mapped": mapped if mapped in FILTERS_MAPPED else "all",
        "search": request.args.get("search", "")[:200],
    }


@admin.route("/integrations/<connector>/companies", methods=["GET", "POST"])
@login_required
def companies(connector: str) -> str | Response:
    """Remote companies with filters, proposals, map/unmap and Create unmapped."""
    integration = page_integration(connector)
    filters = _company_filters()
    if request.method == "POST":
        chosen = request.form.getlist("remote_id")
        action = request.form.get("action", "")
        try:
            if request.form.get("map"):
                remote_id, _, company_id = request.form["map"].partition(":")
                map_company(integration, remote_id, int(company_id or 0))
                flash("Mapped. The hub records are being updated.", "info")
            elif action == "create":
                counts = create_unmapped(
                    integration, chosen or unmapped_ids(integration, **filters)
                )
                flash(
                    f"Created {counts['created']} hub companies and linked "
                    f"{counts['linked']} by exact name.",
                    "info",
                )
            elif action == "unmap":
                outcomes = [unmap_company(integration, remote_id) for remote_id in chosen]
                flash(_unmapped_message(outcomes), "info")
            elif action == "save":
                done = 0
                for key, value in request.form.items():
                    if key.startswith("target_") and value.isdigit():
                        map_company(integration, key[len("target_") :], int(value))
                        done += 1
                flash(f"Saved {done} mappings.", "info")
        except (HubError, ValueError) as exc:
            _problem(exc if isinstance(exc, HubError) else ValidationFailed({"map": str(exc)}))
        return redirect(request.full_path.rstrip("?"))  # same filters and page
    limit = _number("limit", PAGE_SIZE, 1, 1000)
    offset = _number("offset", 0, 0, 10**9)
    listing = list_companies(integration, limit=limit, offset=offset, **filters)
    if listing["items"] == [] and offset and listing["total"]:
        # Past the end (the list shrank): show the last page instead.
        offset = (listing["total"] - 1) // limit * limit
        listing = list_companies(integration, limit=limit, offset=offset, **filters)
    pages = {
        "prev": _page_url(connector, filters, limit, offset - limit) if offset else None,
        "next": _page_url(connector, filters, limit, offset + limit)
        if offset + limit < listing["total"]
        else None,
    }
    template = "admin/companies.html"
    if request.headers.get("X-Requested-With") == "fetch":
        template = "admin/_companies_list.html"  # the list only: filters change it in place
    return render_template(
        template,
        connector=get_connector(connector),
        listing=listing,
        filters=filters,
        pages=pages,
    )


def _number(name: str, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(request.args.get(name, default))))
    except ValueError:
        return default


def _page_url(connector: str, filters: dict[str, Any], limit: int, offset: int) -> str:
    args: dict[str, Any] = {**filters, "offset": max(0, offset)}
    if limit != PAGE_SIZE:
        args["limit"] = limit
    return url_for("admin.companies", connector=connector, **args)


def _unmapped_message(outcomes: list[str | None]) -> str:
    deleted, unlinked = outcomes.count("deleted"), outcomes.count("unlinked")
    if not deleted and not unlinked:
        return "Nothing to unmap: choose mapped companies."
    parts = []
    if deleted:
        parts.append(f"{deleted} created from the remote side left the hub")
    if unlinked:
        parts.append(f"{unlinked} hub companies you had linked stay, no longer linked")
    return f"Unmapped {deleted + unlinked} companies: {'; '.join(parts)}."


@admin.route("/integrations/<connector>/types", methods=["GET", "POST"])
@login_required
def picklists(connector: str) -> str | Response:
    """Company types and statuses, asset types and statuses: remote -> hub values."""
    integration = page_integration(connector)
    if request.method == "POST":
        kind = request.form.get("kind", "")
        try:
            if request.form.get("action") == "create":
                created = create_unmapped_values(integration, kind)
                flash(f"Created {created} hub values.", "info")
            else:
                prefix = "value_"
                changes = {
                    key[len(prefix) :]: (int(value) if value.isdigit() else None)
                    for key, value in request.form.items()
                    if key.startswith(prefix)
                }
                set_picklist_map(integration, kind, changes)
                flash("Saved. The hub records are being updated.", "info")
        except HubError as exc:
            _problem(exc)
        return redirect(url_for("admin.picklists", connector=connector))
    views = [picklist_view(integration, kind) for kind in KINDS]
    return render_template("admin/picklists.html", connector=get_connector(connector), views=views)


def _fallbacks(attribute: str) -> list[str]:
    names = [request.form.get(f"{attribute}_{i}", "").strip() for i in range(MAX_FALLBACKS)]
    return [n for n in names if n]


@admin.route("/integrations/<connector>/asset-fields", methods=["GET", "POST"])
@login_required
def asset_fields(connector: str) -> str | Response:
    """Fields to download, fields to map (with fallbacks), asset selection; assets list."""
    integration = page_integration(connector)
    if request.method == "POST":
        try:
            if request.form.get("action") == "selection":
                companies = request.form.getlist("companies_list")
                statuses = request.form.get("statuses", "active")
                set_asset_selection(
                    integration,
                    companies if request.form.get("companies") == "list" else "mapped",
                    request.form.getlist("types") or None,
                    request.form.getlist("status_values") if statuses == "list" else statuses,
                )
            elif request.form.get("reset"):
                set_asset_fields(integration, {request.form["reset"]: None})
            else:
                current = {
                    m["attribute"]: m["sources"] for m in asset_fields_view(integration)["map"]
                }
                changes: dict[str, list[str] | None] = {}
                for attribute, sources in current.items():
                    if f"{attribute}_0" not in request.form:
                        continue  # not on the form that was posted: unchanged
                    wanted = _fallbacks(attribute)
                    if wanted != sources[:MAX_FALLBACKS]:
                        changes[attribute] = wanted
                if changes:
                    set_asset_fields(integration, changes)
            flash("Saved. The assets are being re-applied.", "info")
        except HubError as exc:
            _problem(exc)
        return redirect(url_for("admin.asset_fields", connector=connector))
    assets = list_assets(integration, limit=25)
    if request.headers.get("X-Requested-With") == "fetch":
        return render_template("admin/_assets_list.html", assets=assets)  # the live refresh
    return render_template(
        "admin/asset_fields.html",
        connector=get_connector(connector),
        view=asset_fields_view(integration),
        fallbacks=MAX_FALLBACKS,
        assets=assets,
    )
