"""Driving an ASGI app (a simulator) in-process, without sockets.

- :class:`InProcessTransport` and :class:`AsyncInProcessTransport`: omnicloud transports (see
  :mod:`omnicloud.http._base`) for a driver or client, as the built-in ``local`` clouds use:
  ``CloudStackNodeDriver(key, secret, url=..., transport=InProcessTransport(app))``. The sync one
  runs the app on a private event loop in a daemon thread; the async one in the caller's task
  (asyncio or trio).
- :class:`SyncASGITransport`: the same for a sync ``httpx.Client``, and ``ASGITransport``
  (httpx's own) for an ``httpx.AsyncClient``; httpx is imported only when they are used.

A simulated connection reset (the fault knobs) surfaces as a dropped connection would:
:class:`~omnicloud.errors.TransportError` (``httpx.ReadError`` for the httpx transport).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote

from omnicloud.http._base import (
    AsyncStream,
    AsyncTransport,
    SyncStream,
    SyncTransport,
    broken,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud.http._wire import Outgoing

__all__ = ["AsyncInProcessTransport", "InProcessTransport"]  # and, made lazily, the httpx ones

CLIENT = ("127.0.0.1", 12345)


class _Headers(Mapping[str, str]):
    """Response headers by lower-case name; repeated ones joined with ``", "``."""

    __slots__ = ("_values",)

    def __init__(self, pairs: list[tuple[bytes, bytes]]) -> None:
        values: dict[str, str] = {}
        for raw_name, raw_value in pairs:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            values[name] = f"{values[name]}, {value}" if name in values else value
        self._values = values

    def __getitem__(self, name: str) -> str:
        return self._values[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._values


class _Answer:
    __slots__ = ("body", "headers", "status")

    def __init__(self) -> None:
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = bytearray()


async def _call(
    app: Any,
    method: str,
    scheme: str,
    target: str,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
    client: tuple[str, int],
    server: tuple[str, int],
) -> _Answer:
    """One request through ``app`` (ASGI 3, ``http`` scope); the whole answer."""
    import anyio

    path, _, query = target.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": scheme,
        "path": unquote(path),
        "raw_path": path.encode("ascii"),
        "query_string": query.encode("ascii"),
        "root_path": "",
        "headers": headers,
        "client": client,
        "server": server,
    }
    answer = _Answer()
    finished = anyio.Event()
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")
            if not message.get("more_body", False):
                finished.set()

    try:
        await app(scope, receive, send)
    finally:
        finished.set()
    return answer


def _request_headers(request: Outgoing, body: bytes) -> list[tuple[bytes, bytes]]:
    netloc = request.url.split("://", 1)[1].split("/", 1)[0]
    headers = [(b"host", netloc.encode("ascii"))]
    headers += [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in request.headers
        if name.lower() not in ("host", "content-length", "transfer-encoding")
    ]
    if body or request.method not in ("GET", "HEAD", "DELETE", "OPTIONS"):
        headers.append((b"content-length", str(len(body)).encode("ascii")))
    return headers


class _Body(SyncStream, AsyncStream):
    """A whole answer, handed out in pieces."""

    def __init__(self, answer: _Answer) -> None:
        self._content = memoryview(bytes(answer.body))
        self._offset = 0
        self.status = answer.status
        self.reason = ""
        self.headers = _Headers(answer.headers)

    def read1(self, size: int) -> bytes:
        """The next ``size`` bytes (fewer only at the end)."""
        piece = self._content[self._offset : self._offset + size]
        self._offset += len(piece)
        return bytes(piece)

    async def aread(self, size: int) -> bytes:
        """The next ``size`` bytes (fewer only at the end)."""
        return self.read1(size)

    def close(self) -> None:
        """Nothing to hand back."""

    async def aclose(self) -> None:
        """Nothing to hand back."""


class _PrivateLoop:
    """An event loop in a daemon thread, started on first use: a forgotten transport never
    keeps the interpreter from exiting."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def run(self, coroutine: Any) -> Any:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="omnicloud-asgi", daemon=True
                )
                thread.start()
                self._loop, self._thread = loop, thread
            loop = self._loop
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result()

    def stop(self) -> None:
        with self._lock:
            loop, thread, self._loop, self._thread = self._loop, self._thread, None, None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
            loop.close()


def _is_reset(exc: Exception) -> bool:
    """Whether the app dropped the connection on purpose (the simulators' fault knobs)."""
    from .core.resets import SimulatedReset  # loaded only when an app raised

    return isinstance(exc, SimulatedReset)


def _joined(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    return b"".join(body)


class InProcessTransport(SyncTransport):
    """Hands every request to the ASGI ``app`` in this process (no sockets), for sync code."""

    #: no network lies behind it (drivers mark their nodes as simulated)
    in_process = True

    def __init__(self, app: Any, *, client: tuple[str, int] = CLIENT) -> None:
        self.app = app
        self._client = client
        self._loop = _PrivateLoop()

    def open(self, request: Outgoing) -> SyncStream:
        """Run ``request`` through the app; the whole answer is in once this returns."""
        body = _joined(request.body)
        call = _call(
            self.app,
            request.method,
            request.scheme,
            request.target,
            _request_headers(request, body),
            body,
            self._client,
            (request.host, request.port),
        )
        try:
            answer = self._loop.run(call)
        except Exception as exc:
            if _is_reset(exc):
                raise broken(request, str(exc)) from None
            raise
        return _Body(answer)

    def close(self) -> None:
        """Stop the private event loop."""
        self._loop.stop()


class AsyncInProcessTransport(AsyncTransport):
    """Hands every request to the ASGI ``app`` in the caller's task (no sockets)."""

    #: no network lies behind it (drivers mark their nodes as simulated)
    in_process = True

    def __init__(self, app: Any, *, client: tuple[str, int] = CLIENT) -> None:
        self.app = app
        self._client = client

    async def open(self, request: Outgoing) -> AsyncStream:
        """Run ``request`` through the app; the whole answer is in once this returns."""
        body = request.body
        if body is not None and hasattr(body, "__aiter__"):
            body = b"".join([piece async for piece in body])
        data = _joined(body)
        try:
            answer = await _call(
                self.app,
                request.method,
                request.scheme,
                request.target,
                _request_headers(request, data),
                data,
                self._client,
                (request.host, request.port),
            )
        except Exception as exc:
            if _is_reset(exc):
                raise broken(request, str(exc)) from None
            raise
        return _Body(answer)


def _httpx_transport() -> Any:
    import httpx

    class SyncASGITransport(httpx.BaseTransport):
        """An ``httpx.BaseTransport`` that runs requests through an ASGI app on a private event
        loop. A simulated connection reset surfaces as ``httpx.ReadError``."""

        in_process = True

        def __init__(self, app: Any, *, client: tuple[str, int] = CLIENT) -> None:
            self.app = app
            self._client = client
            self._loop = _PrivateLoop()

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            """Send ``request`` to the app and return its complete response."""
            body = request.read()
            url = request.url
            target = request.extensions.get("target") or url.raw_path
            call = _call(
                self.app,
                request.method,
                url.scheme,
                target.decode("ascii"),
                [(name.lower(), value) for name, value in request.headers.raw],
                body,
                self._client,
                (url.host, url.port or (443 if url.scheme == "https" else 80)),
            )
            try:
                answer = self._loop.run(call)
            except Exception as exc:
                if _is_reset(exc):
                    raise httpx.ReadError(str(exc), request=request) from exc
                raise
            return httpx.Response(
                answer.status, headers=answer.headers, content=bytes(answer.body), request=request
            )

        def close(self) -> None:
            """Stop the background event loop."""
            self._loop.stop()

    SyncASGITransport.__module__ = __name__
    SyncASGITransport.__qualname__ = "SyncASGITransport"
    return SyncASGITransport


_lazy: dict[str, Any] = {}


def __getattr__(name: str) -> Any:
    """``SyncASGITransport`` and ``ASGITransport``, which need httpx, made on first use."""
    if name not in ("SyncASGITransport", "ASGITransport"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if name not in _lazy:
        if name == "ASGITransport":
            import httpx

            _lazy[name] = httpx.ASGITransport
        else:
            _lazy[name] = _httpx_transport()
    return _lazy[name]
