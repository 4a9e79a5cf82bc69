"""The hub's pytest plugin, loaded through the ``pytest11`` entry point.

It declares the markers that the hub's own and plugins' test suites use and
provides the app fixtures (:mod:`hub.testing.fixtures`: ``app``, ``client``,
``runner``, ``backend``, ``embedded_redis``). The connector contract suite
itself is imported explicitly (``from hub.testing import ConnectorContract``).
"""

from __future__ import annotations

import pytest

from hub.testing.fixtures import (  # noqa: F401 - fixtures are found by name
    app,
    backend,
    client,
    embedded_redis,
    pytest_report_header,
    runner,
)

MARKERS = {
    "contract": "the connector contract suite (hub.testing.ConnectorContract)",
    "sandbox": "needs a remote-system simulator started by a fixture",
}


def pytest_configure(config: pytest.Config) -> None:
    """Declare the hub's markers so ``--strict-markers`` accepts them."""
    for name, description in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {description}")
