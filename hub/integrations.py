"""Configuring a tenant's integrations: settings, the primary rule, status."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub.connectors import Connector, get_connector
from hub.crypto import decrypt_settings, encrypt_settings
from hub.errors import ConfigurationError
from hub.extensions import db
from hub.models import Integration, Tenant


class PrimaryConflict(ConfigurationError):
    """The tenant already has a primary integration."""

    def __init__(self, tenant: Tenant, current: str, wanted: str) -> None:
        super().__init__(
            f"tenant {tenant.slug!r} already has a primary integration: {current}; "
            f"to make {wanted} primary instead, run 'hub integration set-primary "
            f"{tenant.slug} {wanted}'"
        )
        self.current = current


def find_integration(tenant: Tenant, connector: str) -> Integration | None:
    """Return the tenant's integration of ``connector``, if configured."""
    return db.session.scalar(
        select(Integration).where(
            Integration.tenant_id == tenant.id, Integration.connector == connector
        )
    )


def get_integration(tenant: Tenant, connector: str) -> Integration:
    """Return the tenant's integration of ``connector`` or raise naming it."""
    get_connector(connector)
    integration = find_integration(tenant, connector)
    if integration is None:
        raise ConfigurationError(
            f"tenant {tenant.slug!r} has no {connector} integration; "
            f"configure it with 'hub integration configure {tenant.slug} {connector}'"
        )
    return integration


def current_primary(tenant: Tenant) -> Integration | None:
    """Return the tenant's primary integration, if any."""
    return db.session.scalar(
        select(Integration).where(Integration.tenant_id == tenant.id, Integration.is_primary)
    )


def settings_of(integration: Integration) -> dict[str, Any]:
    """Return an integration's decrypted settings."""
    return decrypt_settings(integration.settings_encrypted)


def merged_settings(
    connector: Connector, integration: Integration | None, changes: Mapping[str, Any]
) -> dict[str, Any]:
    """Return validated settings: the stored ones updated by ``changes``.

    A secret left blank in ``changes`` keeps its stored value, so a form never
    needs to show a secret to keep it.
    """
    base = settings_of(integration) if integration is not None else {}
    for key, value in changes.items():
        if key in connector.secret_fields and value in ("", None) and key in base:
            continue
        base[key] = value
    return connector.validate_settings(base)


def configure_integration(
    tenant: Tenant,
    connector_name: str,
    changes: Mapping[str, Any],
    *,
    primary: bool = False,
    enabled: bool = True,
) -> Integration:
    """Create or update the tenant's integration; nothing is written if anything is wrong."""
    connector = get_connector(connector_name)
    integration = find_integration(tenant, connector_name)
    settings = merged_settings(connector, integration, changes)
    if primary:
        _check_primary_free(tenant, connector)
    if integration is None:
        integration = Integration(tenant_id=tenant.id, connector=connector_name, options={})
        db.session.add(integration)
    integration.settings_encrypted = encrypt_settings(settings)
    integration.enabled = enabled
    if primary:
        integration.is_primary = True
    if integration.status in (None, "disabled") or not enabled:
        integration.status = "new" if enabled else "disabled"
    _commit_primary(tenant, connector_name)
    return integration


def set_primary(tenant: Tenant, connector_name: str) -> Integration:
    """Make the tenant's ``connector_name`` integration primary, demoting the current one."""
    connector = get_connector(connector_name)
    integration = get_integration(tenant, connector_name)
    if not connector.info.can_be_primary:
        raise ConfigurationError(f"{connector_name} cannot be a primary integration")
    current = current_primary(tenant)
    if current is not None and current.id != integration.id:
        current.is_primary = False
        db.session.flush()
    integration.is_primary = True
    _commit_primary(tenant, connector_name)
    return integration


def _check_primary_free(tenant: Tenant, connector: Connector) -> None:
    if not connector.info.can_be_primary:
        raise ConfigurationError(f"{connector.name} cannot be a primary integration")
    current = current_primary(tenant)
    if current is not None and current.connector != connector.name:
        raise PrimaryConflict(tenant, current.connector, connector.name)


def _commit_primary(tenant: Tenant, wanted: str) -> None:
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        current = current_primary(tenant)
        if current is None:
            raise
        raise PrimaryConflict(tenant, current.connector, wanted) from None
