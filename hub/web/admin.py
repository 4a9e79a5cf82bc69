"""Admin pages: login (throttled), logout, the integrations dashboard, plugins and API tokens.

The per-integration pages live in :mod:`hub.web.integration_pages` (settings,
sync) and :mod:`hub.web.mapping_pages` (companies, types and statuses, asset
fields); they add their routes to this blueprint.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from hub.api.tokens import issue_token, revoke_token, tenant_tokens
from hub.connectors import all_connectors, get_connector
from hub.errors import ConfigurationError
from hub.extensions import db
from hub.integrations import find_integration
from hub.models import Integration, SyncRun, Tenant, User
from hub.plugins import plugin_infos
from hub.web import login_sessions, throttle

admin = Blueprint("admin", __name__, template_folder="templates")


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@admin.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    """Show the login form; log the user in on valid credentials (failures slow down)."""
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        address = request.remote_addr or "-"
        wait = throttle.wait_seconds(email, address)
        if wait:
            flash(f"Too many failed attempts. Try again in {wait} seconds.", "error")
            return render_template("admin/login.html", form=form), 429
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None and user.is_active and user.check_password(form.password.data):
            throttle.clear_failures(email, address)
            session.clear()  # a new session on login: nothing from before carries over
            login_user(user)
            login_sessions.start(user.id)
            return redirect(_safe_next(request.args.get("next")) or url_for("admin.integrations"))
        throttle.record_failure(email, address)
        flash("Wrong email or password.", "error")
    return render_template("admin/login.html", form=form)


@admin.post("/logout")
@login_required
def logout() -> Response:
    """Log out (every copy of the session cookie with it) and return to the login page."""
    login_sessions.end()
    logout_user()
    session.clear()
    return redirect(url_for("admin.login"))


def current_tenant() -> Tenant:
    """Return the logged-in admin's tenant."""
    tenant = db.session.get(Tenant, current_user.tenant_id)
    if tenant is None:
        abort(403)
    return tenant


def page_connector(connector: str) -> None:
    """Answer 404 unless a plugin provides ``connector``."""
    try:
        get_connector(connector)
    except ConfigurationError:
        abort(404, description=f"There is no connector called {connector!r}.")


def page_integration(connector: str) -> Integration:
    """Return the admin's integration of ``connector`` or answer 404 saying what to do."""
    page_connector(connector)
    integration = find_integration(current_tenant(), connector)
    if integration is None:
        abort(404, description=f"The {connector} integration is not set up yet: save its settings.")
    return integration


@admin.route("/")
@login_required
def integrations() -> str:
    """Every connector the plugins provide, its state and the latest runs."""
    tenant_id = current_user.tenant_id
    configured = {
        row.connector: row
        for row in db.session.scalars(select(Integration).where(Integration.tenant_id == tenant_id))
    }
    runs = db.session.scalars(
        select(SyncRun).where(SyncRun.tenant_id == tenant_id).order_by(SyncRun.id.desc()).limit(10)
    ).all()
    running = any(not run.finished for run in runs)
    connectors = all_connectors()
    by_name = {c.name: c for c in connectors}
    labels = {
        row.id: {s.name: s.label or s.name for s in by_name[row.connector].streams()}
        for row in configured.values()
        if row.connector in by_name
    }
    return render_template(
        "admin/integrations.html",
        connectors=connectors,
        configured=configured,
        labels=labels,
        runs=runs,
        refresh=running or request.args.get("watch") == "1",
    )


@admin.route("/plugins")
@login_required
def plugins() -> str:
    """What is loaded: plugins, versions, hooks, and the connectors they provide."""
    return render_template(
        "admin/plugins.html", plugins=plugin_infos(), connectors=all_connectors()
    )


@admin.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens() -> str | Response:
    """Create (the plain token is shown once), list and revoke the tenant's API tokens."""
    tenant = current_tenant()
    created = None
    if request.method == "POST":
        if request.form.get("revoke", "").isdigit():
            if revoke_token(tenant.id, int(request.form["revoke"])) is None:
                abort(404)
            flash("Token revoked.", "info")
            return redirect(url_for("admin.tokens"))
        name = request.form.get("name", "").strip()
        if not name or len(name) > 100:
            flash("Give the token a name (at most 100 characters).", "error")
        else:
            _, created = issue_token(tenant.id, name, current_user.id)
    return render_template("admin/tokens.html", tokens=tenant_tokens(tenant.id), created=created)


from hub.web import (  # noqa: E402, F401  (their routes)
    contract_pages,
    integration_pages,
    mapping_pages,
    schedule_pages,
    writeback_pages,
)
