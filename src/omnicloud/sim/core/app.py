"""The ASGI side every simulator shares: the app factory, request bodies, raw answers, resets.

:func:`create_sim_app` builds the Starlette app: the simulator's API endpoints (raw ASGI
callables, answered without Starlette's routing and middleware layers, which cost every request
for nothing), ``GET /sim/health`` without authentication, any extra routes, and ``app.state``
attributes exposing the simulator's world. :class:`SimApi` is the base of a simulator's request
handler: the answer delayed by ``slow_seconds``, the body read, connection resets. Starlette is
imported with this module only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .faults import Faults
from .resets import SimulatedReset, abort_connection

__all__ = [
    "MAX_BODY",
    "ClientGone",
    "SimApi",
    "SimApp",
    "SimulatedReset",
    "create_sim_app",
    "drop_connection",
    "read_body",
    "send_bytes",
]

MAX_BODY = 8 * 1024 * 1024
"""The largest request body a simulator reads (8 MiB)."""


class ClientGone(Exception):  # noqa: N818 - a signal
    """The client disconnected before its body was complete; ``partial`` is what arrived."""

    def __init__(self, partial: bytes) -> None:
        super().__init__("the client disconnected before sending its whole body")
        self.partial = partial


async def read_body(
    headers: Mapping[bytes, bytes], receive: Receive, limit: int = MAX_BODY
) -> bytes | None:
    """The request body, or None when it is over ``limit`` bytes.

    A declared ``Content-Length`` over the limit is refused unread; a longer streamed body is
    refused as soon as it passes the limit (the server discards the rest). ``ClientGone`` when
    the client leaves first.
    """
    declared = headers.get(b"content-length", b"").strip()
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone(b"".join(chunks))
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def send_bytes(
    send: Send,
    status: int,
    body: bytes,
    content_type: str | None,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Answer with ``body`` as it is (``content_type`` None: no Content-Type header)."""
    raw = [] if content_type is None else [(b"content-type", content_type.encode())]
    raw.append((b"content-length", str(len(body)).encode()))
    if headers:
        raw += [(k.lower().encode(), v.encode("latin-1", "replace")) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def drop_connection(scope: Scope, receive: Receive) -> None:
    """Reset the client's connection without an answer (``reset_rate``).

    Under :mod:`omnicloud.sim.server` the socket is aborted (the client sees a TCP RST);
    elsewhere :class:`SimulatedReset` is raised for the transport to report.
    """
    if not abort_connection(scope.get("client")):
        raise SimulatedReset("connection reset by the simulator (reset_rate)")
    while (await receive())["type"] != "http.disconnect":
        pass


class SimApi:
    """The base of a simulator's request handler (a Starlette endpoint): subclasses set
    ``faults`` and implement :meth:`_answer`."""

    faults: Faults

    async def handle(self, request: Request) -> Response:
        """The answer, after ``slow_seconds`` when slowness is on.

        The request is read and applied first, then the answer waits: a client that gives up
        meanwhile has had its call applied, as with a slow real server.
        """
        delay = self.faults.delay()
        response = await self._answer(request)
        if delay > 0:
            await anyio.sleep(delay)
        return response

    async def _answer(self, request: Request) -> Response:
        raise NotImplementedError

    async def _receive(
        self, request: Request, too_large: Callable[[], Response]
    ) -> bytes | Response:
        """The request body, or the answer to give instead: an empty 400 when the client left
        before sending all of it, ``too_large()`` over :data:`MAX_BODY`, and after resetting the
        connection when ``reset_rate`` picks this request, an empty 400 that is never sent."""
        try:
            raw = await read_body(dict(request.scope.get("headers", [])), request.receive)
        except ClientGone:
            return Response(b"", status_code=400)
        if raw is None:
            return too_large()
        if self.faults.should_reset():
            await drop_connection(request.scope, request.receive)
            return Response(b"", status_code=400)  # not sent: the connection is gone
        return raw


class SimApp(Starlette):
    """Starlette with the simulator's API paths answered directly by raw ASGI endpoints."""

    def __init__(self, endpoints: Mapping[str, ASGIApp], routes: list[BaseRoute]) -> None:
        super().__init__(routes=routes)
        self.endpoints = dict(endpoints)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
            endpoint = self.endpoints.get(scope["path"])
            if endpoint is not None:
                scope["app"] = self
                await endpoint(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def create_sim_app(
    *,
    endpoints: Mapping[str, ASGIApp],
    health: Callable[[], Mapping[str, Any]],
    state: Mapping[str, Any],
    routes: Iterable[BaseRoute] = (),
) -> SimApp:
    """A simulator's ASGI app.

    ``endpoints`` maps an exact path to the raw ASGI callable answering it; ``routes`` are
    further Starlette routes (a path pattern, say). ``health()`` gives the fields of
    ``GET /sim/health`` besides ``"status": "ok"``. ``state`` becomes ``app.state`` attributes.
    """

    async def _health(request: Request) -> Response:
        return JSONResponse({"status": "ok", **health()})

    table: list[BaseRoute] = [
        *(Route(path, endpoint) for path, endpoint in endpoints.items()),
        Route("/sim/health", _health),
        *routes,
    ]
    app = SimApp(endpoints, table)
    for name, value in state.items():
        setattr(app.state, name, value)
    return app
