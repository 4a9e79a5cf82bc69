"""HTTP plumbing: a threaded HTTP/1.1 keep-alive server around a responder.

Each connection gets its own thread, so a request sleeping out simulated
latency never blocks another. The responder returns an :class:`Answer`, or
raises :class:`DropConnection` to have the socket closed without a reply.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hub_autotask.sandbox.faults import DropConnection


@dataclass
class Answer:
    """A response: status, JSON-able body and extra headers."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    payload: bytes | None = None  # the body encoded already

    def encode(self) -> bytes:
        """Return the body as UTF-8 JSON bytes."""
        if self.payload is not None:
            return self.payload
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


Responder = Callable[[str, str, Mapping[str, str], bytes], Answer]


def _headers(message: Any) -> Mapping[str, str]:
    """Return request headers as a case-insensitive mapping (``email.message``)."""
    headers: Mapping[str, str] = message
    return headers


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: avoid 40 ms stalls
    server_version = "Microsoft-IIS/10.0"
    sys_version = ""
    server: SandboxHTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, add=False)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        try:
            answer = self.server.responder(self.command, self.path, _headers(self.headers), raw)
        except DropConnection:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        payload = answer.encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests and benchmarks read statistics instead of logs."""


class SandboxHTTPServer(ThreadingHTTPServer):
    """Threaded server that can close every open connection when stopped."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, host: str, port: int, responder: Responder) -> None:
        """Bind to ``host:port`` (0 picks a free port) and answer with ``responder``."""
        self.responder = responder
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__((host, port), _Handler)

    def track(self, connection: socket.socket, *, add: bool) -> None:
        """Remember or forget an open client connection."""
        with self._connections_lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self) -> None:
        """Shut down every open client connection (used on stop)."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


def serve_in_background(server: SandboxHTTPServer) -> threading.Thread:
    """Run ``server`` in a daemon thread and return the thread."""
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="autotask-sandbox",
        daemon=True,
    )
    thread.start()
    return thread
