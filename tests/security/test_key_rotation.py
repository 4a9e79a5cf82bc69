"""``hub keys rotate``: every tenant's settings stay readable under the new key alone.

The operator puts the new key first (``new,old``) and rotates; afterwards
the old key can be dropped. A rotation that meets settings no configured key
opens stops with a clear message and changes nothing.
"""

from __future__ import annotations

from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from hub.extensions import db
from hub.integrations import configure_integration, settings_of
from hub.models import Integration
from hub.tenancy import create_tenant

OLD = "7bVQ0Sx8GJc3nW8sYfQ3Yl1y6m3m3e6Gv5q3o1oJ2aM="  # the app fixture's key
NEW = Fernet.generate_key().decode()
KEYS = {"acme": "ITG.acme-key", "beta": "ITG.beta-key"}


def _configure(app: Flask) -> None:
    with app.app_context():
        for slug, key in KEYS.items():
            tenant = create_tenant(slug, slug.title(), f"admin@{slug}.test", "password1")
            configure_integration(tenant, "itglue_stub", {"api_key": key}, primary=True)


def _stored(app: Flask) -> dict[str, str]:
    """Return each tenant's decrypted API key (raises when no key opens a blob)."""
    with app.app_context():
        found = {i.tenant.slug: settings_of(i)["api_key"] for i in _integrations()}
        db.session.remove()
        return found


def _blobs(app: Flask) -> list[bytes]:
    with app.app_context():
        blobs = [bytes(i.settings_encrypted) for i in _integrations()]
        db.session.remove()
        return blobs


def _integrations() -> list[Integration]:
    from sqlalchemy.orm import joinedload

    query = select(Integration).options(joinedload(Integration.tenant)).order_by(Integration.id)
    return list(db.session.scalars(query))


def test_rotation_reencrypts_every_tenants_settings(app: Flask, runner: FlaskCliRunner) -> None:
    _configure(app)
    before = _blobs(app)
    app.config["ENCRYPTION_KEY"] = f"{NEW},{OLD}"
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "re-encrypted the settings of 2 integrations" in result.output
    after = _blobs(app)
    assert all(b not in before for b in after)
    app.config["ENCRYPTION_KEY"] = NEW  # the old key is gone: everything still opens
    assert _stored(app) == KEYS
    result = runner.invoke(args=["integration", "test", "acme", "itglue_stub"])
    assert result.exit_code == 0, result.output
    app.config["ENCRYPTION_KEY"] = OLD  # and the old key alone opens nothing any more
    result = runner.invoke(args=["integration", "test", "acme", "itglue_stub"])
    assert result.exit_code != 0 and "cannot be decrypted" in result.output
    assert "Traceback" not in result.output and KEYS["acme"] not in result.output


def test_rotation_without_the_old_key_stops_and_changes_nothing(
    app: Flask, runner: FlaskCliRunner
) -> None:
    _configure(app)
    before = _blobs(app)
    app.config["ENCRYPTION_KEY"] = NEW  # the operator forgot to keep the old key
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code != 0
    assert "cannot be decrypted" in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert _blobs(app) == before
    app.config["ENCRYPTION_KEY"] = OLD
    assert _stored(app) == KEYS
