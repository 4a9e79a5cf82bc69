"""Web interfaces: the admin pages (HTML); the JSON API and webhooks join here."""

from __future__ import annotations

from flask import Flask, render_template
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException

from hub.extensions import db
from hub.models import User

login_manager = LoginManager()
login_manager.login_view = "admin.login"
login_manager.session_protection = "strong"
csrf = CSRFProtect()


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.is_active else None


def register_web(app: Flask) -> None:
    """Attach login, CSRF protection, blueprints and error pages to ``app``."""
    from hub.cli import register_commands
    from hub.web.admin import admin

    login_manager.init_app(app)
    csrf.init_app(app)
    app.register_blueprint(admin)
    register_commands(app)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> tuple[str, int]:
        return render_template("admin/error.html", error=exc), exc.code or 500

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[str, int]:
        app.logger.exception("unexpected error")
        return render_template("admin/error.html", error=None), 500
