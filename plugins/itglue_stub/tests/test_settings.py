"""Tests of the stub's settings schema."""

from __future__ import annotations

import pytest
from hub_itglue_stub.settings import ItGlueSettings, base_url
from marshmallow import ValidationError

from hub.connector import secret_fields


def test_defaults_fill_region_and_page_size() -> None:
    assert ItGlueSettings().load({"api_key": " ITG.abc "}) == {
        "api_key": "ITG.abc",
        "region": "us",
        "page_size": 50,
    }


def test_api_key_is_the_only_secret() -> None:
    assert secret_fields(ItGlueSettings) == ["api_key"]


@pytest.mark.parametrize(
    ("raw", "bad_field"),
    [
        ({}, "api_key"),
        ({"api_key": ""}, "api_key"),
        ({"api_key": "ITG.x", "region": "mars"}, "region"),
        ({"api_key": "ITG.x", "page_size": 0}, "page_size"),
        ({"api_key": "ITG.x", "page_size": 1001}, "page_size"),
    ],
)
def test_bad_settings_name_the_field(raw: dict[str, object], bad_field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ItGlueSettings().load(raw)
    assert bad_field in caught.value.messages_dict


def test_a_key_without_prefix_still_validates() -> None:
    # the remote system rejects it; the connection test says so in words
    assert ItGlueSettings().load({"api_key": "not-a-key"})["api_key"] == "not-a-key"


@pytest.mark.parametrize(
    ("region", "url"),
    [("us", "https://api.itglue.com"), ("eu", "https://api.eu.itglue.com")],
)
def test_base_url_follows_region(region: str, url: str) -> None:
    assert base_url({"region": region}) == url
