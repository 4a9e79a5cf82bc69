"""One primary integration per tenant, enforced by the database itself."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy.exc import IntegrityError

from hub import plugins
from hub.crypto import encrypt_settings
from hub.extensions import db
from hub.integrations import PrimaryConflict, configure_integration, set_primary
from hub.models import Integration
from hub.tenancy import create_tenant
from tests import memory_connector as memory


@pytest.fixture
def memory_plugin() -> Iterator[None]:
    memory.reset()
    plugins.register_plugin(memory, "memory")
    yield
    plugins.unregister_plugin("memory")


def test_the_database_refuses_a_second_primary(app: Flask, memory_plugin: None) -> None:
    with app.app_context():
        tenant = create_tenant("acme", "Acme", "a@acme.test", "password1")
        blob = encrypt_settings({})
        db.session.add(Integration(tenant_id=tenant.id, connector="a", is_primary=True,
                                   settings_encrypted=blob, options={}))  # fmt: skip
        db.session.commit()
        db.session.add(Integration(tenant_id=tenant.id, connector="b", is_primary=True,
                                   settings_encrypted=blob, options={}))  # fmt: skip
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        # Non-primary rows and other tenants' primaries are fine.
        other = create_tenant("beta", "Beta", "b@beta.test", "password1")
        db.session.add_all([
            Integration(tenant_id=tenant.id, connector="c", is_primary=False,
                        settings_encrypted=blob, options={}),
            Integration(tenant_id=other.id, connector="a", is_primary=True,
                        settings_encrypted=blob, options={}),
        ])  # fmt: skip
        db.session.commit()


def test_conflict_names_the_current_primary_and_switching_is_explicit(
    app: Flask, memory_plugin: None
) -> None:
    with app.app_context():
        tenant = create_tenant("acme", "Acme", "a@acme.test", "password1")
        configure_integration(tenant, "itglue_stub", {"api_key": "ITG.k"}, primary=True)
        with pytest.raises(PrimaryConflict, match="already has a primary integration: itglue_stub"):
            configure_integration(tenant, "memory", {"token": "t"}, primary=True)
        configure_integration(tenant, "memory", {"token": "t"})
        set_primary(tenant, "memory")
        rows = {i.connector: i.is_primary for i in db.session.query(Integration)}
        assert rows == {"itglue_stub": False, "memory": True}
