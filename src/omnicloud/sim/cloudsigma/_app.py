"""The Starlette application serving ``/api/2.0/...`` with Basic authentication."""

from __future__ import annotations

import base64
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
MAX_BODY = 8 * 1024 * 1024
_METHODS = ["GET", "POST", "PUT", "DELETE"]


def _json(status: int, document: Any, headers: dict[str, str] | None = None) -> Response:
    if status == 204:
        return Response(b"", status_code=204, media_type="text/html", headers=headers)
    body = json.dumps(document, separators=(",", ":")).encode()
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def _error(error: SimError) -> Response:
    return _json(error.status, error.body(), error.headers)


def _authorized(request: Request, state: CloudSigmaState) -> bool:
    """Whether the Basic credentials match, compared as UTF-8 bytes in constant time.

    A header that is not ``Basic <base64>`` (non-ASCII, bad padding, no colon) never matches.
    """
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(token.strip(), validate=True)
    except ValueError:  # binascii.Error, or non-ASCII characters in the token
        return False
    user, colon, password = decoded.partition(b":")
    name, secret = state.credentials
    user_ok = hmac.compare_digest(user, name.encode("utf-8"))
    password_ok = hmac.compare_digest(password, secret.encode("utf-8"))
    return bool(colon) and user_ok and password_ok


def _too_large() -> Response:
    return _error(SimError(413, "validation", f"Request body is larger than {MAX_BODY} bytes"))


async def _read_body(request: Request) -> bytes | None:
    """The body, or None past ``MAX_BODY`` bytes (a declared length over it is not read at all)."""
    declared = request.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


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
            raw = await _read_body(request)
        except ClientDisconnect:
            return Response(b"", status_code=400)
        if raw is None:
            return _too_large()
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
