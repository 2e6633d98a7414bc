"""A programmable HTTP server on 127.0.0.1 for client tests (real sockets, real resets)."""

from __future__ import annotations

import json
import socket
import ssl
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    params: dict[str, str]
    pairs: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    target: str = ""  # the request target as sent: path and raw query


@dataclass
class Reply:
    """What to answer: a status, headers and body, or ``reset=True`` to drop the connection."""

    status: int = 200
    body: bytes | str | dict[str, Any] = b""
    headers: dict[str, str] = field(default_factory=dict)
    reset: bool = False
    delay: float = 0.0


Handler = Callable[[Seen], Reply]


class StubServer:
    """Threaded HTTP server whose behaviour tests set with :meth:`handle`."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self.requests: list[Seen] = []
        self._handler: Handler = lambda seen: Reply(404, "no handler")
        self._lock = threading.Lock()
        stub = self

        class _RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    body = self._read_chunked()
                else:
                    length = int(self.headers.get("Content-Length") or 0)
                    body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                pairs = parse_qsl(parts.query, keep_blank_values=True)
                ctype = self.headers.get("Content-Type", "")
                if "x-www-form-urlencoded" in ctype:
                    pairs += parse_qsl(body.decode(), keep_blank_values=True)
                params: dict[str, str] = {}
                for k, v in pairs:
                    params.setdefault(k, v)
                seen = Seen(
                    self.command, parts.path, params, pairs, dict(self.headers), body, self.path
                )
                with stub._lock:
                    stub.requests.append(seen)
                    handler = stub._handler
                reply = handler(seen)
                if reply.delay:
                    threading.Event().wait(reply.delay)
                if reply.reset:
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.connection.close()
                    self.close_connection = True
                    return
                payload = reply.body
                headers = dict(reply.headers)
                if isinstance(payload, dict):
                    payload = json.dumps(payload)
                    headers.setdefault("Content-Type", "application/json; charset=UTF-8")
                if isinstance(payload, str):
                    payload = payload.encode()
                headers.setdefault("Content-Type", "text/plain")
                self.send_response(reply.status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _read_chunked(self) -> bytes:
                parts = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                    if size == 0:
                        self.rfile.readline()
                        return b"".join(parts)
                    parts.append(self.rfile.read(size))
                    self.rfile.readline()

            do_GET = _serve
            do_POST = _serve
            do_PUT = _serve
            do_DELETE = _serve

        class _Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # clients that hang up early (timeouts under test) are expected

        self._server = _Server(("127.0.0.1", 0), _RequestHandler)
        self._server.daemon_threads = True
        if ssl_context is not None:
            self._server.socket = ssl_context.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        scheme = "https" if ssl_context is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def handle(self, handler: Handler) -> None:
        """Answer every following request with ``handler`` and forget earlier requests."""
        with self._lock:
            self._handler = handler
            self.requests.clear()

    def stop(self) -> None:
        """Shut the server down."""
        self._server.shutdown()
        self._server.server_close()
