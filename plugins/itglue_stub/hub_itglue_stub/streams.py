"""The stub's streams, declared as data, in pull order (picklists before records)."""

from __future__ import annotations

from hub.connector import StreamSpec
from hub.errors import ConfigurationError

CHANGE_FIELD = "updated-at"

STREAMS: tuple[StreamSpec, ...] = (
    StreamSpec("organization_types", hub_model="company_type", label="Organization types"),
    StreamSpec("organization_statuses", hub_model="company_status", label="Organization statuses"),
    StreamSpec(
        "organizations",
        change_field=CHANGE_FIELD,
        hub_model="company",
        webhooks=True,
        label="Organizations",
    ),
    StreamSpec("configuration_types", hub_model="asset_type", label="Configuration types"),
    StreamSpec("configuration_statuses", hub_model="asset_status", label="Configuration statuses"),
    StreamSpec(
        "configurations",
        change_field=CHANGE_FIELD,
        hub_model="asset",
        webhooks=True,
        label="Configurations",
    ),
    StreamSpec(
        "contacts", change_field=CHANGE_FIELD, hub_model="contact", webhooks=True, label="Contacts"
    ),
)

BY_NAME: dict[str, StreamSpec] = {spec.name: spec for spec in STREAMS}

# The JSON:API resource type of each stream ("organization_types" -> "organization-types").
RESOURCE_TYPES: dict[str, str] = {spec.name: spec.name.replace("_", "-") for spec in STREAMS}
STREAM_OF_TYPE: dict[str, str] = {kind: name for name, kind in RESOURCE_TYPES.items()}


def stream_spec(name: str) -> StreamSpec:
    """Return the stream called ``name``, or raise :class:`ConfigurationError`."""
    if name not in BY_NAME:
        known = ", ".join(BY_NAME)
        raise ConfigurationError(f"IT Glue (stub) has no stream {name!r} (known: {known})")
    return BY_NAME[name]
