"""The hub's pytest plugin, loaded through the ``pytest11`` entry point.

It is kept small on purpose: it declares the markers that the hub's own and
plugins' test suites use. The connector contract suite itself is imported
explicitly (``from hub.testing import ConnectorContract``), never injected.
"""

from __future__ import annotations

import pytest

MARKERS = {
    "contract": "the connector contract suite (hub.testing.ConnectorContract)",
    "sandbox": "needs a remote-system simulator started by a fixture",
}


def pytest_configure(config: pytest.Config) -> None:
    """Declare the hub's markers so ``--strict-markers`` accepts them."""
    for name, description in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {description}")
