"""The MSP integration hub.

``hub.hookimpl`` is what connector plugins decorate their hook functions with;
``create_app`` is the Flask application factory (``flask --app hub`` finds it).
"""

from __future__ import annotations

from hub.app import create_app
from hub.hookspecs import hookimpl

__all__ = ["create_app", "hookimpl"]
