"""A TCP proxy on 127.0.0.1 that injects faults between a client and a real server.

Modes, set per connection with :meth:`FaultProxy.plan`:

* ``pass``: forward both ways;
* ``reset_before``: accept, then reset the connection before anything reaches the server;
* ``reset_after``: forward the request, then reset before the response reaches the client (the
  server did the work; the client cannot know);
* ``truncate``: forward the request and only the first ``keep`` bytes of the response, then close;
* ``truncate_body``: forward the response's head and half its body, then close (the
  Content-Length promises more than arrives);
* ``cut_body``: forward the response with only the first half of its body and a Content-Length
  that matches (a well-framed answer whose document is cut short);
* ``flip_body``: forward the response with one byte of its body inverted (the middle one, or
  the one at ``keep`` when set): same framing, wrong content;
* ``delay``: wait ``seconds`` before forwarding the response;
* ``reply_before``: answer ``status`` with ``body`` without forwarding (a gateway or a rate limiter
  turned the request away: the server never saw it);
* ``reply_after``: forward the request, then answer ``status`` with ``body`` instead of the
  server's response (a gateway lost the answer: the server did the work).

A fault with ``match`` applies to the next request whose head contains those bytes; other requests
pass through without using it up. Every request forwarded to the server is kept in ``forwarded``
(its request line), so tests can count what the server really received.
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
    status: int = 502
    body: bytes = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    content_type: str = "text/html"
    match: bytes = b""

    def reply(self) -> bytes:
        """The raw HTTP response of a ``reply_*`` fault."""
        head = (
            f"HTTP/1.1 {self.status} Injected\r\nContent-Type: {self.content_type}\r\n"
            f"Content-Length: {len(self.body)}\r\nConnection: close\r\n\r\n"
        )
        return head.encode("ascii") + self.body


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


def _cut(response: bytes, reframe: bool) -> bytes:
    """``response`` with half its body; with ``reframe``, a Content-Length saying so."""
    head, _, body = response.partition(b"\r\n\r\n")
    half = body[: len(body) // 2]
    if not reframe:
        return head + b"\r\n\r\n" + half
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"content-length")]
    lines.append(b"Content-Length: " + str(len(half)).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + half


def _flip(response: bytes, at: int) -> bytes:
    """``response`` with body byte ``at`` (the middle one when 0) inverted."""
    head, _, body = response.partition(b"\r\n\r\n")
    if not body:
        return response
    index = at if 0 < at < len(body) else len(body) // 2
    flipped = body[:index] + bytes([body[index] ^ 0xFF]) + body[index + 1 :]
    return head + b"\r\n\r\n" + flipped


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
        self.forwarded: list[bytes] = []
        self.injected = 0
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
            self.forwarded = []
            self.injected = 0

    def count(self, needle: bytes) -> int:
        """How many forwarded request lines contain ``needle``."""
        with self._lock:
            return sum(1 for line in self.forwarded if needle in line)

    def _next(self, request: bytes) -> Fault:
        head = request.partition(b"\r\n\r\n")[0]
        with self._lock:
            self.connections += 1
            if self._plans and (not self._plans[0].match or self._plans[0].match in head):
                fault = self._plans.popleft()
                if fault.mode != "pass":
                    self.injected += 1
                return fault
            return Fault()

    def _record(self, request: bytes) -> None:
        with self._lock:
            self.forwarded.append(request.partition(b"\r\n")[0])

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
                fault = self._next(request)
                if fault.mode == "reset_before":
                    _reset(client)
                    return
                if fault.mode == "reply_before":
                    client.sendall(fault.reply())
                    client.close()
                    return
                self._record(request)
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
                if fault.mode == "reply_after":
                    client.sendall(fault.reply())
                    client.close()
                    return
                if fault.mode in ("truncate_body", "cut_body"):
                    client.sendall(_cut(response, fault.mode == "cut_body"))
                    client.close()
                    return
                if fault.mode == "flip_body":
                    response = _flip(response, fault.keep)
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
