"""The embedded Redis: one server per instance folder, even while it is still starting."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from hub.redis_conn import embedded_redis_url, stop_embedded_redis


def _servers(socket: Path) -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes()
        except OSError:
            continue
        if b"redis-server" in text and str(socket).encode() in text:
            found.append(int(cmdline.parent.name))
    return found


def test_a_server_not_answering_yet_is_waited_for_not_doubled(tmp_path: Path) -> None:
    folder = tmp_path / "instance"
    socket = folder / "redis.sock"
    url = embedded_redis_url(str(folder))
    (first,) = _servers(socket)
    # As while it starts: the server runs, but its socket answers nothing yet.
    os.kill(first, signal.SIGSTOP)
    socket.rename(folder / "hidden.sock")
    answered: list[str] = []
    try:
        waiting = threading.Thread(target=lambda: answered.append(embedded_redis_url(str(folder))))
        waiting.start()
        waiting.join(timeout=2)
        assert waiting.is_alive() and not answered
        assert _servers(socket) == [first]  # no second server took the socket over
        (folder / "hidden.sock").rename(socket)
        os.kill(first, signal.SIGCONT)
        waiting.join(timeout=30)
        assert answered == [url]
        assert _servers(socket) == [first]
    finally:
        os.kill(first, signal.SIGCONT)
        stop_embedded_redis(str(folder))
