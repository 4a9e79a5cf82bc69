"""Admin pages: login, and the integrations dashboard with live sync progress."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from hub.connectors import all_connectors
from hub.extensions import db
from hub.models import Integration, SyncRun, User

admin = Blueprint("admin", __name__, template_folder="templates")


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


@admin.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """Show the login form; log the user in on valid credentials."""
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == form.email.data.lower()))
        if user is not None and user.is_active and user.check_password(form.password.data):
            login_user(user)
            return redirect(url_for("admin.integrations"))
        flash("Wrong email or password.", "error")
    return render_template("admin/login.html", form=form)


@admin.post("/logout")
@login_required
def logout() -> Response:
    """Log out and return to the login page."""
    logout_user()
    return redirect(url_for("admin.login"))


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
    return render_template(
        "admin/integrations.html",
        connectors=all_connectors(),
        configured=configured,
        runs=runs,
        refresh=running or request.args.get("watch") == "1",
    )
