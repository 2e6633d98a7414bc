"""The ASGI app: ``POST /token`` and the Compute API under ``/compute/v1/``.

Each request: faults (429 / 503 / dropped connection / slowness from the core), the bearer
check, then the handler inside one store transaction after settling what has come due.
``POST .../operations/{op}/wait`` holds a RUNNING operation back until it is DONE or
``wait_timeout`` has passed, as Google's ``wait`` does.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..core.app import SimApi, create_sim_app
from ..core.clock import SystemClock
from ..core.faults import Faults
from ..core.jsonio import dumps_bytes, loads
from ..core.routing import NoRoute, PathRouter
from . import (
    _addresses,
    _disks,
    _firewalls,
    _images,
    _instance_config,
    _instance_extras,
    _instances,
    _networks,
    _ops,
    _places,
    _project,
)
from ._auth import TokenError, authorized, grant
from ._config import SimConfig
from ._errors import ApiError, unauthenticated
from ._request import Reply, Req
from ._request import Route as ApiRoute
from ._state import GceState

__all__ = ["create_app"]

Handler = Callable[[Req], Reply]
_PREFIX = "/compute/v1/"
_JSON = "application/json; charset=UTF-8"
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
_ROUTES: list[ApiRoute] = [
    *_places.ROUTES,
    *_images.ROUTES,
    *_instances.ROUTES,
    *_instance_extras.ROUTES,
    *_instance_config.ROUTES,
    *_disks.ROUTES,
    *_networks.ROUTES,
    *_firewalls.ROUTES,
    *_addresses.ROUTES,
    *_project.ROUTES,
    *_ops.ROUTES,
]


class Api(SimApi):
    """Faults, authentication and dispatch."""

    def __init__(self, state: GceState, config: SimConfig) -> None:
        self.state = state
        self.config = config
        self.faults = Faults(config)
        self.router: PathRouter[Handler] = PathRouter(_ROUTES)
        self._seen: dict[str, float] = {}

    async def _answer(self, request: Request) -> Response:
        raw = await self._receive(
            request, lambda: _error(ApiError(413, "uploadTooLarge", "The request is too large."))
        )
        if isinstance(raw, Response):
            return raw
        origin = str(request.base_url).rstrip("/")
        path = request.url.path
        try:
            self._check_faults()
            if path == "/token":
                return self._token(request.method, raw, origin)
            if not path.startswith(_PREFIX):
                raise ApiError(404, "notFound", f"The requested URL {path} was not found.")
            self._authenticate(request.headers.get("authorization", ""))
            segments = [s for s in path[len(_PREFIX) :].split("/") if s]
            reply = self._dispatch(request.method, segments, raw, origin, request.url.query)
            if request.method == "POST" and segments[-1:] == ["wait"]:
                reply = await self._wait(request.method, segments, origin, request.url.query, reply)
        except ApiError as error:
            return _error(error)
        if reply.document is None:
            return Response(b"", reply.status, reply.headers)
        return Response(dumps_bytes(reply.document), reply.status, reply.headers, _JSON)

    def _check_faults(self) -> None:
        wait = self.faults.over_limit("", time.monotonic())
        if wait is not None:
            seconds = max(1, math.ceil(wait / 1000))
            raise ApiError(
                429,
                "rateLimitExceeded",
                "Rate Limit Exceeded",
                headers={"Retry-After": str(seconds)},
            )
        if self.faults.error_draw() is not None:
            raise ApiError(503, "backendError", "The service is currently unavailable.")

    def _token(self, method: str, raw: bytes, origin: str) -> Response:
        if method != "POST":
            raise ApiError(405, "httpMethodNotAllowed", "Method not allowed.")
        try:
            with self.state.store.transaction():
                answer: dict[str, Any] = grant(self.state, raw, origin, self.state.clock.now())
        except TokenError as error:
            document = {"error": error.code, "error_description": error.description}
            return Response(dumps_bytes(document), 400, None, _JSON)
        return Response(dumps_bytes(answer), 200, {"Cache-Control": "no-store"}, _JSON)

    def _authenticate(self, header: str) -> None:
        verdict = authorized(self.state, header, self.state.clock.now(), self._seen)
        if not verdict:
            raise unauthenticated(verdict is None)

    def _dispatch(
        self, method: str, segments: list[str], raw: bytes, origin: str, query: str
    ) -> Reply:
        try:
            handler, args = self.router.resolve(method, segments)
        except NoRoute as miss:
            if miss.path_known:
                raise ApiError(405, "httpMethodNotAllowed", "Method not allowed.") from None
            raise ApiError(
                404, "notFound", f"The requested URL /compute/v1/{miss.path} was not found."
            ) from None
        body: Any = None
        if raw.strip():
            try:
                body = loads(raw)
            except ValueError:
                raise ApiError(400, "parseError", "Invalid JSON payload received.") from None
        with self.state.store.transaction():
            self.state.settle()
            req = Req(
                state=self.state,
                config=self.config,
                method=method,
                args=args,
                query=parse_qs(query, keep_blank_values=True),
                body=body,
                origin=origin,
                now=self.state.clock.now(),
            )
            try:
                return handler(req)
            except (TypeError, ValueError, AttributeError, KeyError) as problem:
                # a field of the wrong JSON type that no check caught: Google's front end
                # refuses such payloads before the service sees them
                raise ApiError(
                    400, "invalid", f"Invalid JSON payload received ({type(problem).__name__})."
                ) from None

    async def _wait(
        self, method: str, segments: list[str], origin: str, query: str, reply: Reply
    ) -> Reply:
        if not isinstance(self.state.clock, SystemClock):
            return reply
        deadline = time.monotonic() + self.config.wait_timeout
        while reply.retry_at is not None and (reply.document or {}).get("status") != "DONE":
            pause = min(reply.retry_at - self.state.clock.now(), deadline - time.monotonic())
            if pause <= 0 and time.monotonic() >= deadline:
                break
            await anyio.sleep(max(pause, 0.001))
            reply = self._dispatch(method, segments, b"", origin, query)
        return reply


def _error(error: ApiError) -> Response:
    return Response(dumps_bytes(error.document), error.status, error.headers, _JSON)


def create_app(state: GceState | None = None, *, config: SimConfig | None = None) -> Starlette:
    """The simulator as an ASGI app; ``app.state.gce``/``.config`` expose its world."""
    world = state if state is not None else GceState()
    settings = config if config is not None else SimConfig()
    api = Api(world, settings)
    return create_sim_app(
        endpoints={},
        routes=[Route("/{path:path}", api.handle, methods=_METHODS)],
        health=lambda: {"project": world.project, "zone": world.zone},
        state={"gce": world, "config": settings},
    )
