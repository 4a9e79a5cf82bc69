"""The hub's connector contract suite, applied to the IT Glue stub."""

from __future__ import annotations

from typing import Any

import pytest

from hub.testing import ConnectorContract


class TestItGlueContract(ConnectorContract):
    """The stub passes the contract with its default page size (several pages, two partitions)."""

    connector = "itglue_stub"

    @pytest.fixture
    def settings(self) -> dict[str, Any]:
        """A valid demo key."""
        return {"api_key": "ITG.demo"}


class TestItGlueContractSmallPages(ConnectorContract):
    """And with tiny pages, so every stream spans several pages and resumes mid-stream."""

    connector = "itglue_stub"

    @pytest.fixture
    def settings(self) -> dict[str, Any]:
        """A valid key, eu region, three records per page."""
        return {"api_key": "ITG.small-pages", "region": "eu", "page_size": 3}
