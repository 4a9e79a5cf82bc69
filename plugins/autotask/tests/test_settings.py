"""The settings schema: the secret is marked, the integration code may come from the operator."""

from __future__ import annotations

import pytest

from hub.connectors import get_connector
from hub.errors import ValidationFailed

BASE = {"username": " api@example.com ", "secret": "s3cret-value"}


def test_secret_is_marked_and_values_are_stripped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the secret is encrypted; surrounding blanks are dropped; zone_url defaults blank."""
    monkeypatch.delenv("HUB_AUTOTASK_INTEGRATION_CODE", raising=False)
    connector = get_connector("autotask")
    assert connector.secret_fields == ["secret"]
    loaded = connector.validate_settings({**BASE, "integration_code": " CODE "})
    assert loaded == {
        "username": "api@example.com",
        "secret": "s3cret-value",
        "integration_code": "CODE",
        "zone_url": "",
    }


def test_integration_code_required_unless_the_operator_set_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A blank code is an error naming the field, unless HUB_AUTOTASK_INTEGRATION_CODE is set."""
    monkeypatch.delenv("HUB_AUTOTASK_INTEGRATION_CODE", raising=False)
    connector = get_connector("autotask")
    with pytest.raises(ValidationFailed) as caught:
        connector.validate_settings(BASE)
    assert "integration_code" in caught.value.errors
    monkeypatch.setenv("HUB_AUTOTASK_INTEGRATION_CODE", "VENDOR")
    assert connector.validate_settings(BASE)["integration_code"] == ""
