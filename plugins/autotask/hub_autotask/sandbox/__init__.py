"""A faithful Autotask REST API simulator ("the sandbox") for demos, tests and benchmarks.

Use :class:`Sandbox`::

    with Sandbox(scale="small", seed=1) as sb:
        httpx.get(f"{sb.zone_lookup_url}v1.0/zoneInformation", params={"user": ...})

See ``docs/sandbox.md`` for what it models and what it does not.
"""

from __future__ import annotations

from hub_autotask.sandbox.sandbox import Sandbox

__all__ = ["Sandbox"]
