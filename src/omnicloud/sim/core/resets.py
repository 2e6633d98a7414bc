"""Dropping a live connection on request: uvicorn's h11 protocol, transports registered by peer.

The ASGI interface cannot close a connection without answering, so the servers started by
:mod:`omnicloud.sim.server` use :func:`protocol_class`, which remembers each connection's
transport by client address; :func:`abort_connection` then resets it (SO_LINGER 0 + abort).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from typing import Any

__all__ = ["SimulatedReset", "abort_connection", "protocol_class"]


class SimulatedReset(Exception):  # noqa: N818 - it is a signal, not an error
    """Raised by an app when the fault knobs ask for a dropped connection it cannot drop itself
    (not under :mod:`omnicloud.sim.server`): in-process transports turn it into a read error."""


_transports: dict[tuple[str, int], asyncio.Transport] = {}
_lock = threading.Lock()
_cached: type[Any] | None = None


def abort_connection(client: Any) -> bool:
    """Reset the connection of ``client`` (scope["client"]); False if it is not ours to reset."""
    if not client:
        return False
    with _lock:
        transport = _transports.get((str(client[0]), int(client[1])))
    if transport is None:
        return False
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    return True


def _base_protocol() -> type[Any]:
    """uvicorn's httptools protocol (C parser, several times cheaper per request) when httptools
    is installed, else its h11 one."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:
        from uvicorn.protocols.http.h11_impl import H11Protocol

        return H11Protocol
    return HttpToolsProtocol


def protocol_class() -> type[Any]:
    """uvicorn's HTTP protocol with TCP_NODELAY; registers transports for ``abort_connection``."""
    global _cached
    if _cached is not None:
        return _cached
    base = _base_protocol()

    class ResettableProtocol(base):  # type: ignore[valid-type,misc]
        def connection_made(self, transport: asyncio.Transport) -> None:
            sock = transport.get_extra_info("socket")
            if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
                # headers and body go out as two writes: without this, delayed ACKs cost ~40 ms
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().connection_made(transport)
            peer = transport.get_extra_info("peername")
            if peer:
                with _lock:
                    _transports[(str(peer[0]), int(peer[1]))] = transport

        def connection_lost(self, exc: Exception | None) -> None:
            peer = self.transport.get_extra_info("peername") if self.transport else None
            if peer:
                with _lock:
                    _transports.pop((str(peer[0]), int(peer[1])), None)
            super().connection_lost(exc)

    _cached = ResettableProtocol
    return _cached
