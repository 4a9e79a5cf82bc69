"""Testing helpers for the hub and its connector plugins.

``from hub.testing import ConnectorContract`` gives a connector plugin the
contract suite (see ``docs/plugin-guide.md``); :class:`CountingGate` is a call
gate that records every remote call.
"""

from __future__ import annotations

import pytest

# Rewrite the suite's asserts so contract failures show the compared values.
pytest.register_assert_rewrite("hub.testing.contract")

from hub.testing.contract import HUB_MODELS, ConnectorContract  # noqa: E402
from hub.testing.gates import CountingGate  # noqa: E402

__all__ = ["HUB_MODELS", "ConnectorContract", "CountingGate"]
