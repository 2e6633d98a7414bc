"""The Starlette application serving ``/api/2.0/...`` with Basic authentication."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..core.app import MAX_BODY, ClientGone, SimApi, create_sim_app, drop_connection, read_body
from ..core.auth import BasicAuth
from ..core.faults import Faults
from ..core.routing import NoRoute, PathRouter
from . import _billing, _drives, _misc, _servers, _tags
from ._config import SimConfig
from ._errors import SimError
from ._request import Reply, Req
from ._state import CloudSigmaState

__all__ = ["MAX_BODY", "create_app"]

PREFIX = "/api/2.0/"
_METHODS = ["GET", "POST", "PUT", "DELETE"]


def _json(status: int, document: Any, headers: dict[str, str] | None = None) -> Response:
    if status == 204:
        return Response(b"", status_code=204, media_type="text/html", headers=headers)
    body = json.dumps(document, separators=(",", ":")).encode()
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def _error(error: SimError) -> Response:
    return _json(error.status, error.body(), error.headers)


def _too_large() -> Response:
    return _error(SimError(413, "validation", f"Request body is larger than {MAX_BODY} bytes"))


class Api(SimApi):
    """Authenticates, injects faults, parses and dispatches one API request."""

    def __init__(self, state: CloudSigmaState, config: SimConfig) -> None:
        self.state = state
        self.config = config
        self.faults = Faults(config)
        self.auth = BasicAuth(lambda: state.credentials)
        self.router: PathRouter[Callable[[Req], Reply]] = PathRouter(
            [*_servers.ROUTES, *_drives.ROUTES, *_tags.ROUTES, *_billing.ROUTES, *_misc.ROUTES]
        )

    def _route(self, method: str, segments: list[str]) -> tuple[Callable[[Req], Reply], list[str]]:
        """The handler and its path arguments, or CloudSigma's 404/405."""
        try:
            return self.router.resolve(method, segments)
        except NoRoute as miss:
            if miss.path_known:
                raise SimError(405, "permission", f'Method "{method}" not allowed.') from None
            raise SimError(
                404, "notexist", f"The requested resource /{miss.path}/ does not exist"
            ) from None

    def _check_faults(self) -> None:
        """Raise the injected error for this request, if any."""
        wait = self.faults.over_limit("", time.monotonic())
        if wait is not None:
            seconds = max(1, math.ceil(wait / 1000))
            raise SimError(
                429,
                "permission",
                f"Request was throttled. Expected available in {seconds} seconds.",
                headers={"Retry-After": str(seconds)},
            )
        if self.faults.roll(self.config.concurrency_rate) is not None:
            raise SimError(
                503, "concurrency", "Another operation on this object is in progress; retry"
            )
        if self.faults.error_draw() is not None:
            raise SimError(503, "backend", "Service temporarily unavailable")

    async def _answer(self, request: Request) -> Response:
        try:
            raw = await read_body(dict(request.scope.get("headers", [])), request.receive)
        except ClientGone:
            return Response(b"", status_code=400)
        if raw is None:
            return _too_large()
        if self.auth.check(request.headers.get("authorization", "")) is None:
            return _json(
                401,
                [
                    {
                        "error_point": None,
                        "error_type": "permission",
                        "error_message": "Invalid username/password.",
                    }
                ],
                {"WWW-Authenticate": 'Basic realm="users"'},
            )
        if self.faults.should_reset():
            await drop_connection(request.scope, request.receive)
            return Response(b"", status_code=400)  # not sent: the connection is gone
        try:
            self._check_faults()
            body = json.loads(raw) if raw.strip() else None
        except SimError as error:
            return _error(error)
        except ValueError:
            return _error(SimError(400, "validation", "Malformed JSON body"))
        segments = [s for s in request.url.path[len(PREFIX) :].split("/") if s]
        req = Req(
            state=self.state,
            config=self.config,
            method=request.method,
            args=[],
            query=dict(request.query_params),
            body=body,
            host=request.url.hostname or "127.0.0.1",
        )
        try:
            handler, req.args = self._route(request.method, segments)
            with self.state.store.transaction():
                reply = handler(req)
        except SimError as error:
            return _error(error)
        return _json(reply.status, reply.document, reply.headers or None)


def create_app(
    state: CloudSigmaState | None = None, *, config: SimConfig | None = None
) -> Starlette:
    """The simulator as an ASGI app; ``app.state.cloudsigma``/``.config`` expose its world."""
    world = state if state is not None else CloudSigmaState()
    settings = config if config is not None else SimConfig()
    api = Api(world, settings)
    return create_sim_app(
        endpoints={},
        routes=[Route(PREFIX + "{path:path}", api.handle, methods=_METHODS)],
        health=lambda: {"username": world.username},
        state={"cloudsigma": world, "config": settings},
    )
