"""A faithful Autotask REST API simulator ("the sandbox") for demos, tests and benchmarks.

Use :class:`Sandbox`::

    with Sandbox(scale="small", seed=1) as sb:
        httpx.get(f"{sb.zone_lookup_url}v1.0/zoneInformation", params={"user": ...})

See ``docs/sandbox.md`` for what it models and what it does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hub_autotask.sandbox.sandbox import Sandbox

__all__ = ["Sandbox"]


def __getattr__(name: str) -> Any:
    # Lazy: ``hub`` imports this package to register ``hub sandbox autotask`` on every
    # start, and the simulator's data catalogue is slow to import.
    if name == "Sandbox":
        from hub_autotask.sandbox.sandbox import Sandbox

        return Sandbox
    raise AttributeError(name)
