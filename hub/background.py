"""Work that runs on a thread beside a block of code and stops with it."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def in_background(work: Callable[[threading.Event], None], name: str) -> Iterator[None]:
    """Run ``work(stop)`` on a daemon thread while the block runs; then set ``stop`` and wait.

    ``work`` should return soon after ``stop`` is set (``stop.wait(seconds)``
    is its sleep).
    """
    stop = threading.Event()
    thread = threading.Thread(target=work, args=(stop,), name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
