"""Admin pages of hub companies' contracts: the list, "Sync from PSA", a contract, its copy.

"Sync from PSA" is part of the company's Contracts page (``?psa=1``): the
remote contracts from the mirror with new/changed marks and per-field diffs
(on hover and expanded), optionally their services, checkboxes and
"Sync [n] selected". Imported contracts show PSA-controlled fields
read-only; "Copy to local contract" makes an editable copy.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from hub.contracts.actions import (
    company_overview,
    import_for_company,
    list_companies,
    remote_listing,
    tenant_company,
    tenant_contract,
)
from hub.contracts.editing import (
    EDITABLE,
    contract_view,
    copy_to_local,
    set_services,
    update_contract,
)
from hub.errors import HubError, ValidationFailed
from hub.extensions import db
from hub.models import Company, Contract
from hub.web.admin import admin

SERVICE_ROWS_EXTRA = 1


def _problem(exc: HubError) -> None:
    """Undo the request's changes and say what was wrong, field by field."""
    db.session.rollback()
    if isinstance(exc, ValidationFailed):
        for name, messages in exc.errors.items():
            flash(f"{name}: {'; '.join(messages)}", "error")
    else:
        flash(exc.message, "error")


def _company(company_id: int) -> Company:
    company = tenant_company(current_user.tenant_id, company_id)
    if company is None:
        abort(404, description="There is no such company.")
    return company


def _contract(contract_id: int) -> Contract:
    contract = tenant_contract(current_user.tenant_id, contract_id)
    if contract is None:
        abort(404, description="There is no such contract.")
    return contract


@admin.route("/companies")
@login_required
def hub_companies() -> str:
    """The tenant's hub companies, each with its contracts."""
    search = request.args.get("search", "")[:200]
    return render_template(
        "admin/hub_companies.html",
        companies=list_companies(current_user.tenant_id, search),
        search=search,
    )


@admin.route("/companies/<int:company_id>/contracts", methods=["GET", "POST"])
@login_required
def company_contracts(company_id: int) -> str | Response:
    """A company's contracts, and "Sync from PSA" (list with marks, import selected)."""
    company = _company(company_id)
    services = request.values.get("services") == "1"
    if request.method == "POST":
        selected = request.form.getlist("selected")
        try:
            result = import_for_company(company, selected, None)
        except HubError as exc:
            _problem(exc)
        else:
            flash(
                f"Synced {len(selected)} selected: {result.created} new contracts, "
                f"{result.updated} updated, {result.unchanged} unchanged; "
                f"{result.assets_linked} configuration items linked.",
                "info",
            )
        return redirect(
            url_for("admin.company_contracts", company_id=company_id, psa=1, services=int(services))
        )
    overview = company_overview(company)
    listing: dict[str, Any] | None = None
    if request.args.get("psa") == "1":
        try:
            listing = remote_listing(company, None, services=services)
        except HubError as exc:
            _problem(exc)
    return render_template(
        "admin/contracts.html",
        overview=overview,
        listing=listing,
        services=services,
    )


def _posted_services() -> list[dict[str, str]]:
    rows = []
    for index in range(int(request.form.get("service_rows", "0") or 0)):
        row = {
            name: request.form.get(f"service-{index}-{name}", "").strip()
            for name in ("name", "unit_price", "unit_cost", "units")
        }
        if any(row.values()):
            rows.append(row)
    return rows


@admin.route("/contracts/<int:contract_id>", methods=["GET", "POST"])
@login_required
def contract(contract_id: int) -> str | Response:
    """One contract: PSA-controlled fields read-only when imported; save; copy to local."""
    found = _contract(contract_id)
    if request.method == "POST":
        try:
            if request.form.get("action") == "copy":
                copy = copy_to_local(found)
                flash("Copied to a local contract: every field can be edited.", "info")
                return redirect(url_for("admin.contract", contract_id=copy.id))
            changes = {
                name: request.form[name]
                for name in EDITABLE
                if name in request.form
                and not (found.imported_from_psa and name in Contract.PSA_FIELDS)
            }
            update_contract(found, changes, commit=False)
            if not found.imported_from_psa:
                set_services(found, _posted_services(), commit=False)
            db.session.commit()  # all or nothing
            flash("Contract saved.", "info")
        except HubError as exc:
            _problem(exc)
        return redirect(url_for("admin.contract", contract_id=contract_id))
    view = contract_view(found)
    return render_template(
        "admin/contract.html",
        contract=view,
        company=tenant_company(current_user.tenant_id, found.company_id or 0),
        extra_rows=SERVICE_ROWS_EXTRA,
    )
