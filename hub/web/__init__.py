"""Web interfaces: the admin pages (HTML), the JSON API (``/api/v1``); webhooks join here."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException, InternalServerError

from hub.extensions import db
from hub.models import User

login_manager = LoginManager()
login_manager.login_view = "admin.login"
login_manager.session_protection = "strong"
login_manager.login_message_category = "info"
csrf = CSRFProtect()


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    from hub.web import login_sessions

    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.is_active or not login_sessions.is_live(user.id):
        return None  # e.g. a copy of a cookie whose session was logged out
    return user


def _wants_json() -> bool:
    from hub.api import API_PREFIX

    return request.path.startswith(API_PREFIX + "/") or request.path == API_PREFIX


def register_web(app: Flask) -> None:
    """Attach login, CSRF protection, the admin pages, the JSON API and error pages."""
    from hub.api import api, register_api
    from hub.cli import register_commands
    from hub.web.admin import admin
    from hub.web.input_guard import register_input_guard

    register_input_guard(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    app.register_blueprint(admin)
    from hub.webhooks.routes import webhooks

    csrf.exempt(webhooks)
    app.register_blueprint(webhooks)
    register_api(app)
    register_commands(app)

    # Registered after the API's own handler: JSON under /api/v1, HTML pages elsewhere.
    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        if _wants_json():
            return api.handle_http_exception(exc)
        return render_template("admin/error.html", error=exc), exc.code or 500

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        app.logger.exception("unexpected error")
        if _wants_json():
            return api.handle_http_exception(InternalServerError())
        return render_template("admin/error.html", error=None), 500
