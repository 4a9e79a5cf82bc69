"""The hub's connector contract suite, applied to the Autotask connector over the sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from hub.testing import ConnectorContract


class TestAutotaskContract(ConnectorContract):
    """Every stream of the small sandbox: CIs and tickets span three partitions of pages."""

    connector = "autotask"

    @pytest.fixture
    def settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        """The shared sandbox's credentials (see conftest)."""
        return settings
