"""Fixtures shared by the stub's tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hub_itglue_stub import dataset

from hub.testing import CountingGate


@pytest.fixture(autouse=True)
def _fresh_overlay() -> Iterator[None]:
    """Forget written-back values before and after every test."""
    dataset.reset()
    yield
    dataset.reset()


@pytest.fixture
def settings() -> dict[str, Any]:
    """Validated default settings with a demo key."""
    return {"api_key": "ITG.demo", "region": "us", "page_size": 50}


@pytest.fixture
def gate() -> CountingGate:
    """A gate that counts calls."""
    return CountingGate()
