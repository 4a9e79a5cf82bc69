"""The Autotask connector's streams, declared as data, in pull order (parents first).

Each stream is an Autotask entity (``Companies``), named in snake_case, with
``id`` as primary key and the change field from the API notes (``None``:
always pulled in full). Two streams are not entities but picklists read from
``Companies/entityInformation/fields``: company types (the ``companyType``
picklist) and company statuses (``isActive``: active or inactive).
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.connector import StreamSpec
from hub.errors import ConfigurationError


@dataclass(frozen=True)
class AutotaskStream:
    """A stream and how it is read: the entity behind it and the kind of read."""

    spec: StreamSpec
    entity: str
    kind: str = "entity"  # "entity", or "company_types" / "company_statuses" (metadata)
    verify_change_field: bool = False  # check the tenant's metadata has the change field
    webhook_entity: str | None = None  # e.g. "CompanyWebhooks"
    webhook_entity_type: str | None = None  # the payload's EntityType, e.g. "Company"
    parent: tuple[str, str, str] | None = None  # writes go via (parent, segment, parent field)

    @property
    def name(self) -> str:
        """Return the stream's name."""
        return self.spec.name


def _entity(
    name: str,
    entity: str,
    change_field: str | None,
    hub_model: str | None,
    label: str,
    *,
    webhook_entity: str | None = None,
    webhook_entity_type: str | None = None,
    parent: tuple[str, str, str] | None = None,
    verify_change_field: bool = False,
) -> AutotaskStream:
    spec = StreamSpec(name, "id", change_field, hub_model, webhook_entity is not None, label)
    return AutotaskStream(
        spec,
        entity,
        verify_change_field=verify_change_field,
        webhook_entity=webhook_entity,
        webhook_entity_type=webhook_entity_type,
        parent=parent,
    )


ALL: tuple[AutotaskStream, ...] = (
    AutotaskStream(
        StreamSpec("company_types", hub_model="company_type", label="Company types"),
        "Companies",
        kind="company_types",
    ),
    AutotaskStream(
        StreamSpec("company_statuses", hub_model="company_status", label="Company statuses"),
        "Companies",
        kind="company_statuses",
    ),
    _entity("resources", "Resources", None, None, "Resources"),
    _entity(
        "companies",
        "Companies",
        "lastTrackedModifiedDateTime",
        "company",
        "Companies",
        webhook_entity="CompanyWebhooks",
        webhook_entity_type="Company",
    ),
    _entity(
        "contacts",
        "Contacts",
        "lastModifiedDate",
        "contact",
        "Contacts",
        webhook_entity="ContactWebhooks",
        webhook_entity_type="Contact",
        parent=("Companies", "Contacts", "companyID"),
    ),
    _entity(
        "configuration_item_types",
        "ConfigurationItemTypes",
        None,
        "asset_type",
        "Configuration item types",
    ),
    _entity(
        "configuration_item_categories",
        "ConfigurationItemCategories",
        None,
        None,
        "Configuration item categories",
    ),
    _entity("products", "Products", None, None, "Products"),
    _entity(
        "configuration_items",
        "ConfigurationItems",
        "lastModifiedTime",
        "asset",
        "Configuration items",
        webhook_entity="ConfigurationItemWebhooks",
        webhook_entity_type="ConfigurationItem",
    ),
    _entity("services", "Services", "lastModifiedDate", None, "Services"),
    _entity(
        "contracts",
        "Contracts",
        "lastModifiedDateTime",
        "contract",
        "Contracts",
        verify_change_field=True,
    ),
    _entity(
        "contract_services",
        "ContractServices",
        None,
        "contract_service",
        "Contract services",
        parent=("Contracts", "Services", "contractID"),
    ),
    _entity("contract_service_units", "ContractServiceUnits", None, None, "Contract service units"),
    _entity("opportunities", "Opportunities", "lastActivity", "opportunity", "Opportunities"),
    _entity("projects", "Projects", "lastActivityDateTime", "project", "Projects"),
    _entity(
        "tickets",
        "Tickets",
        "lastTrackedModificationDateTime",
        "ticket",
        "Tickets",
        webhook_entity="TicketWebhooks",
        webhook_entity_type="Ticket",
    ),
)

BY_NAME: dict[str, AutotaskStream] = {stream.name: stream for stream in ALL}
STREAMS: tuple[StreamSpec, ...] = tuple(stream.spec for stream in ALL)
#: Webhook payload EntityType ("Company") -> stream.
BY_ENTITY_TYPE: dict[str, AutotaskStream] = {
    s.webhook_entity_type: s for s in ALL if s.webhook_entity_type
}


def stream(name: str) -> AutotaskStream:
    """Return the stream called ``name`` or raise :class:`ConfigurationError`."""
    if name not in BY_NAME:
        known = ", ".join(BY_NAME)
        raise ConfigurationError(f"Autotask has no stream {name!r} (known: {known})")
    return BY_NAME[name]
