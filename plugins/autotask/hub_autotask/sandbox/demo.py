"""The sandbox ``hub demo`` runs: one small, seeded sandbox per process."""

from __future__ import annotations

import threading

from hub_autotask.sandbox import Sandbox

_lock = threading.Lock()
_running: Sandbox | None = None


def demo_sandbox() -> Sandbox:
    """Start (once) and return the demo's sandbox: small scale, seed 1, a free port."""
    global _running
    with _lock:
        if _running is None:
            _running = Sandbox(scale="small", seed=1).start()
        return _running
