"""Tests of the stub's API-key rules."""

from __future__ import annotations

import pytest
from hub_itglue_stub.access import authenticate, denied_streams, key_is_valid, require_readable

from hub.errors import AuthenticationFailed, PermissionDenied


@pytest.mark.parametrize(
    ("key", "valid"), [("ITG.abc", True), ("ITG.", False), ("itg.abc", False), ("", False)]
)
def test_key_must_start_with_itg(key: str, valid: bool) -> None:
    assert key_is_valid({"api_key": key}) is valid


def test_denied_key_names_streams() -> None:
    assert denied_streams({"api_key": "ITG.denied-configurations+contacts"}) == {
        "configurations",
        "contacts",
    }
    assert denied_streams({"api_key": "ITG.demo"}) == set()


def test_authenticate_rejects_without_echoing_the_key() -> None:
    with pytest.raises(AuthenticationFailed) as caught:
        authenticate({"api_key": "sekrit-value"})
    assert "sekrit-value" not in str(caught.value)


def test_require_readable_says_what_to_change() -> None:
    with pytest.raises(PermissionDenied, match="cannot read configurations"):
        require_readable({"api_key": "ITG.denied-configurations"}, "configurations")
    require_readable({"api_key": "ITG.denied-configurations"}, "contacts")
