"""A TCP proxy on 127.0.0.1 that injects faults between a client and a real server.

Modes, set per connection with :meth:`FaultProxy.plan`:

* ``pass``: forward both ways;
* ``reset_before``: accept, then reset the connection before anything reaches the server;
* ``reset_after``: forward the request, then reset before the response reaches the client (the
  server did the work; the client cannot know);
* ``truncate``: forward the request and only the first ``keep`` bytes of the response, then close;
* ``delay``: wait ``seconds`` before forwarding the response.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass


@dataclass
class Fault:
    """What to do with one connection."""

    mode: str = "pass"
    keep: int = 0
    seconds: float = 0.0


def _reset(sock: socket.socket) -> None:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    finally:
        sock.close()


def _read_request(sock: socket.socket) -> bytes:
    """Read one HTTP request (headers and a Content-Length body) from ``sock``."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _close_after(request: bytes) -> bytes:
    """The request with ``Connection: close`` so the server ends the exchange."""
    head, _, body = request.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body


class FaultProxy:
    """Forwards to ``target_port``; each new connection takes the next planned fault."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._plans: deque[Fault] = deque()
        self._lock = threading.Lock()
        self.connections = 0
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def plan(self, *faults: Fault) -> None:
        """Use ``faults`` for the next connections, in order; later ones pass through."""
        with self._lock:
            self._plans.clear()
            self._plans.extend(faults)
            self.connections = 0

    def _next(self) -> Fault:
        with self._lock:
            self.connections += 1
            return self._plans.popleft() if self._plans else Fault()

    def _accept(self) -> None:
        while self._running:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            while True:
                request = _read_request(client)
                if not request:
                    client.close()
                    return
                fault = self._next()
                if fault.mode == "reset_before":
                    _reset(client)
                    return
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
                upstream.sendall(_close_after(request))
                response = b""
                while True:
                    chunk = upstream.recv(65536)
                    if not chunk:
                        break
                    response += chunk
                upstream.close()
                if fault.mode == "reset_after":
                    _reset(client)
                    return
                if fault.mode == "truncate":
                    client.sendall(response[: fault.keep])
                    client.close()
                    return
                if fault.mode == "delay":
                    time.sleep(fault.seconds)
                client.sendall(response)
                client.close()
                return
        except OSError:
            client.close()

    def stop(self) -> None:
        """Stop accepting connections."""
        self._running = False
        self._listener.close()
