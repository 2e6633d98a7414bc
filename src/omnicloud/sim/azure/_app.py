"""The ASGI app: Entra ID (identity) and Azure Resource Manager on one origin.

Each request: faults (connection resets, slowness; for ARM also 429 and random 500s), then
identity routes (no token), else ARM: Bearer token, ``api-version``, the subscription, due
operations settled, and the handler inside one store transaction. The scheme does not matter:
the SDKs need TLS (see :mod:`._tls`), in-process transports use none.
"""

from __future__ import annotations

import math
import re
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..core.app import SimApi, create_sim_app
from ..core.faults import Faults
from ..core.jsonio import dumps_bytes, loads
from ..core.routing import NoRoute, PathRouter
from . import (
    _disks,
    _groups,
    _identity,
    _lro,
    _nics,
    _nsgs,
    _offers,
    _publicips,
    _vmpower,
    _vms,
    _vnets,
)
from ._config import SimConfig
from ._errors import ArmError, bad_request
from ._request import Reply, Req
from ._state import AzureState

__all__ = ["create_app"]

Handler = Callable[[Req], Reply]
_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
_API_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(-[a-z]+(\.\d+)?)?$", re.IGNORECASE)


class Router:
    """Routes matched case-insensitively (ARM paths are); ``*`` arguments keep their case."""

    def __init__(self, routes: Sequence[tuple[str, str, Handler]]) -> None:
        table = []
        for method, pattern, handler in routes:
            parts = pattern.lower().split("/")
            stars = tuple(i for i, part in enumerate(parts) if part == "*")
            table.append((method, pattern.lower(), (handler, stars)))
        self._router: PathRouter[tuple[Handler, tuple[int, ...]]] = PathRouter(table)

    def resolve(self, method: str, segments: list[str]) -> tuple[Handler, list[str]]:
        """The handler and its arguments, or :class:`NoRoute`."""
        (handler, stars), _ = self._router.resolve(method, [s.lower() for s in segments])
        return handler, [segments[i] for i in stars]


ARM = Router(
    [
        *_groups.ROUTES,
        *_lro.ROUTES,
        *_offers.ROUTES,
        *_vnets.ROUTES,
        *_publicips.ROUTES,
        *_nics.ROUTES,
        *_nsgs.ROUTES,
        *_vms.ROUTES,
        *_vmpower.ROUTES,
        *_disks.ROUTES,
    ]
)
IDENTITY = Router(_identity.ROUTES)


class Api(SimApi):
    """Faults, identity, authentication and dispatch."""

    def __init__(self, state: AzureState, config: SimConfig) -> None:
        self.state = state
        self.config = config
        self.faults = Faults(config)

    async def _answer(self, request: Request) -> Response:
        raw = await self._receive(
            request,
            lambda: _render(ArmError(413, "RequestEntityTooLarge", "The request is too large.")),
        )
        if isinstance(raw, Response):
            return raw
        headers = {k.lower(): v for k, v in request.headers.items()}
        extra = {"x-ms-request-id": str(uuid.uuid4())}
        if "x-ms-client-request-id" in headers:
            extra["x-ms-client-request-id"] = headers["x-ms-client-request-id"][:200]
        segments = [s for s in request.url.path.split("/") if s]
        req = Req(
            state=self.state,
            config=self.config,
            faults=self.faults,
            method=request.method,
            args=[],
            query=dict(parse_qsl(request.url.query, keep_blank_values=True)),
            body=None,
            origin=str(request.base_url).rstrip("/"),
            path=request.url.path,
            api_version="",
            now=self.state.clock.now(),
            headers=headers,
        )
        try:
            reply = self._identity(req, segments, raw)
            if reply is None:
                reply = self._arm(req, segments, raw)
        except ArmError as error:
            return _render(error, extra)
        return _reply(reply, extra)

    def _identity(self, req: Req, segments: list[str], raw: bytes) -> Reply | None:
        try:
            handler, req.args = IDENTITY.resolve(req.method, segments)
        except NoRoute:
            return None
        if "form-urlencoded" in req.headers.get("content-type", ""):
            req.body = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        with self.state.store.transaction():
            return handler(req)

    def _arm(self, req: Req, segments: list[str], raw: bytes) -> Reply:
        self._check_faults()
        self._authenticate(req)
        version = req.q("api-version")
        if version is None:
            raise bad_request(
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            )
        if not _API_VERSION.match(version):
            raise bad_request(
                "InvalidApiVersionParameter",
                f"The api-version '{version}' is "
                "invalid. The supported versions are dates such as '2024-07-01'.",
            )
        req.api_version = version
        try:
            handler, req.args = ARM.resolve(req.method, segments)
        except NoRoute as miss:
            if miss.path_known:
                raise ArmError(
                    405,
                    "MethodNotAllowed",
                    f"The requested resource does not support http method '{req.method}'.",
                ) from None
            raise ArmError(
                404,
                "InvalidResourceType",
                f"The resource type for path "
                f"'{req.path}' could not be found for api version "
                f"'{version}'.",
            ) from None
        if (
            segments[0].lower() == "subscriptions"
            and len(segments) > 1
            and segments[1].lower() != self.state.subscription_id.lower()
        ):
            raise ArmError(
                404, "SubscriptionNotFound", f"The subscription '{segments[1]}' could not be found."
            )
        req.body = _json(raw)
        store = self.state.store
        with store.transaction():
            _lro.settle_due(self.state, req.now)
        with store.transaction():
            return handler(req)

    def _check_faults(self) -> None:
        wait = self.faults.over_limit("", time.monotonic())
        if wait is not None:
            seconds = max(int(self.config.retry_after), math.ceil(wait / 1000), 1)
            raise ArmError(
                429,
                "SubscriptionRequestsThrottled",
                f"Number of requests for subscription '{self.state.subscription_id}' exceeded "
                f"the limit. Please try again after '{seconds}' seconds. Refer to "
                "https://aka.ms/arm-throttling",
                headers={"Retry-After": str(seconds)},
            )
        if self.faults.error_draw() is not None:
            raise ArmError(
                500,
                "InternalServerError",
                "Encountered internal server error. "
                f"Diagnostic information: tracking id '{uuid.uuid4()}'.",
            )

    def _authenticate(self, req: Req) -> None:
        header = req.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        authority = f"{req.origin}/{self.state.tenant_id}"
        if not header:
            raise ArmError(
                401,
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is missing.",
                headers={
                    "WWW-Authenticate": f'Bearer authorization_uri="{authority}", '
                    'error="invalid_token", error_description="The authentication failed '
                    "because of missing 'Authorization' header.\""
                },
            )
        expires = self.state.token_expiry(token.strip()) if scheme.lower() == "bearer" else None
        if expires is None or expires <= req.now:
            message = (
                "The access token is invalid."
                if expires is None
                else "The access token has expired."
            )
            raise ArmError(
                401,
                "InvalidAuthenticationToken",
                message,
                headers={
                    "WWW-Authenticate": f'Bearer authorization_uri="{authority}", '
                    f'error="invalid_token", error_description="{message}"'
                },
            )


def _json(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return loads(raw)
    except ValueError:
        raise bad_request(
            "InvalidRequestContent",
            "The request content was invalid and could not be deserialized.",
        ) from None


def _render(error: ArmError, extra: dict[str, str] | None = None) -> Response:
    headers = {**(extra or {}), **error.headers}
    return Response(
        dumps_bytes(error.document), error.status, headers, "application/json; charset=utf-8"
    )


def _reply(reply: Reply, extra: dict[str, str]) -> Response:
    headers = {**extra, **reply.headers}
    if reply.document is None:
        return Response(b"", reply.status, headers)
    return Response(
        dumps_bytes(reply.document), reply.status, headers, "application/json; charset=utf-8"
    )


def create_app(state: AzureState | None = None, *, config: SimConfig | None = None) -> Starlette:
    """The simulator as an ASGI app; ``app.state.azure``/``.config`` expose its world."""
    world = state if state is not None else AzureState()
    settings = config if config is not None else SimConfig()
    api = Api(world, settings)
    return create_sim_app(
        endpoints={},
        routes=[Route("/{path:path}", api.handle, methods=_METHODS)],
        health=lambda: {"subscription": world.subscription_id, "tenant": world.tenant_id},
        state={"azure": world, "config": settings},
    )
