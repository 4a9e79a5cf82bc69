"""Tests of the stub's stream declarations."""

from __future__ import annotations

import pytest
from hub_itglue_stub.streams import RESOURCE_TYPES, STREAM_OF_TYPE, STREAMS, stream_spec

from hub.errors import ConfigurationError


def test_streams_feed_the_expected_hub_models() -> None:
    assert {s.name: (s.hub_model, s.change_field) for s in STREAMS} == {
        "organizations": ("company", "updated-at"),
        "organization_types": ("company_type", None),
        "organization_statuses": ("company_status", None),
        "configurations": ("asset", "updated-at"),
        "configuration_types": ("asset_type", None),
        "configuration_statuses": ("asset_status", None),
        "contacts": ("contact", "updated-at"),
    }


def test_picklists_come_before_the_records_that_use_them() -> None:
    names = [s.name for s in STREAMS]
    assert names.index("organization_types") < names.index("organizations")
    assert names.index("configuration_statuses") < names.index("configurations")


def test_resource_types_are_kebab_case() -> None:
    assert RESOURCE_TYPES["organization_types"] == "organization-types"
    assert STREAM_OF_TYPE["configurations"] == "configurations"


def test_unknown_stream_names_the_known_ones() -> None:
    with pytest.raises(ConfigurationError, match="known: organization_types"):
        stream_spec("tickets")
