"""The Starlette application serving ``/api/2.0/...`` with Basic authentication."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import threading
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import _billing, _drives, _misc, _servers, _tags
from ._config import SimConfig
from ._errors import SimError
from ._faults import Faults
from ._request import Req
from ._router import Router
from ._state import CloudSigmaState

__all__ = ["create_app"]

PREFIX = "/api/2.0/"
_METHODS = ["GET", "POST", "PUT", "DELETE"]


def _json(status: int, document: Any, headers: dict[str, str] | None = None) -> Response:
    if status == 204:
        return Response(b"", status_code=204, media_type="text/html", headers=headers)
    body = json.dumps(document, separators=(",", ":")).encode()
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def _error(error: SimError) -> Response:
    return _json(error.status, error.body(), error.headers)


def _authorized(request: Request, state: CloudSigmaState) -> bool:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, password = base64.b64decode(token, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    name, secret = state.credentials
    return hmac.compare_digest(user, name) and hmac.compare_digest(password, secret)


class Api:
    """Authenticates, injects faults, parses and dispatches one API request."""

    def __init__(self, state: CloudSigmaState, config: SimConfig) -> None:
        self.state = state
        self.config = config
        self.faults = Faults(config)
        self._slow_lock = threading.Lock()
        self.router = Router(
            [*_servers.ROUTES, *_drives.ROUTES, *_tags.ROUTES, *_billing.ROUTES, *_misc.ROUTES]
        )

    def _slow(self) -> bool:
        """Whether this answer is delayed (``slow_requests`` counts down the delayed ones)."""
        config = self.config
        if config.slow_seconds <= 0:
            return False
        with self._slow_lock:
            if config.slow_requests is None:
                return True
            if config.slow_requests <= 0:
                return False
            config.slow_requests -= 1
            return True

    async def handle(self, request: Request) -> Response:
        """The answer, after ``slow_seconds`` when slowness is on.

        The request is read and applied first, then the answer waits: a client that gives up
        meanwhile has had its call applied, as with a slow real server.
        """
        slow = self._slow()
        response = await self._answer(request)
        if slow:
            import anyio

            await anyio.sleep(self.config.slow_seconds)
        return response

    async def _answer(self, request: Request) -> Response:
        try:
            raw = await request.body()
        except ClientDisconnect:
            return Response(b"", status_code=400)
        if not _authorized(request, self.state):
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
        try:
            self.faults.check()
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
            handler, req.args = self.router.resolve(request.method, segments)
            with self.state.store.transaction():
                reply = handler(req)
        except SimError as error:
            return _error(error)
        return _json(reply.status, reply.document, reply.headers or None)


async def _health(request: Request) -> Response:
    return JSONResponse({"status": "ok", "username": request.app.state.cloudsigma.username})


def create_app(
    state: CloudSigmaState | None = None, *, config: SimConfig | None = None
) -> Starlette:
    """The simulator as an ASGI app; ``app.state.cloudsigma``/``.config`` expose its world."""
    world = state if state is not None else CloudSigmaState()
    settings = config if config is not None else SimConfig()
    api = Api(world, settings)
    app = Starlette(
        routes=[
            Route(PREFIX + "{path:path}", api.handle, methods=_METHODS),
            Route("/sim/health", _health),
        ]
    )
    app.state.cloudsigma = world
    app.state.config = settings
    return app
