"""The JSON API under ``/api/v1``: flask-smorest blueprints, per-tenant bearer tokens.

Every endpoint answers for one tenant: the token's, or (for reads only, so
the admin pages can poll progress) the logged-in admin's. Ids of another
tenant's records answer 404. The OpenAPI document is ``/api/v1/openapi.json``.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from hub.routing import RowIdConverter, row_id_schema

API_PREFIX = "/api/v1"

api = Api(
    spec_kwargs={
        "info": {
            "description": "The MSP integration hub: connectors, settings, syncs and mappings. "
            "Authenticate with `Authorization: Bearer <token>` (a per-tenant API token)."
        },
        "security": [{"bearerAuth": []}],
    }
)


api.register_converter(RowIdConverter, row_id_schema)


def register_api(app: Flask) -> None:
    """Attach the JSON API and its OpenAPI document to ``app`` (CSRF does not apply)."""
    from hub.api.contracts import blp as contracts_blp
    from hub.api.integrations import blp as integrations_blp
    from hub.api.mappings import blp as mappings_blp
    from hub.api.schedules import blp as schedules_blp
    from hub.api.tokens import blp as tokens_blp
    from hub.api.writeback import blp as writeback_blp
    from hub.web import csrf

    app.config.setdefault("API_TITLE", "MSP integration hub")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "a hub API token"}
    )
    for blueprint in (
        integrations_blp,
        mappings_blp,
        tokens_blp,
        writeback_blp,
        contracts_blp,
        schedules_blp,
    ):
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint, url_prefix=API_PREFIX)
