"""The ASGI app: one origin, a path prefix per service.

``/identity`` (Keystone v3 and v2.0, also at ``/v3`` and ``/v2.0``), ``/compute/v2.1`` (Nova),
``/image/v2`` (Glance), ``/networking/v2.0`` (Neutron), ``/volume/v3/{project_id}`` (Cinder),
``/swift/v1/AUTH_{project_id}`` (Swift, a raw ASGI app of its own: see :mod:`._swift`).
Each request: faults, version documents (no token needed), token check (keystonemiddleware's
401), microversion, then the handler inside one store transaction.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..core.app import SimApi, create_sim_app
from ..core.faults import Faults
from ..core.jsonio import dumps_bytes, loads
from ..core.routing import NoRoute, PathRouter
from . import (
    _cinder_misc,
    _flavors,
    _floatingips,
    _identity,
    _images,
    _interfaces,
    _keypairs,
    _networks,
    _neutron,
    _nova_images,
    _nova_misc,
    _ports,
    _routers,
    _secgroups,
    _server_actions,
    _server_extras,
    _servers,
    _snapshots,
    _tokens,
    _tokens_v2,
    _versions,
    _volumes,
)
from ._config import SimConfig
from ._errors import ApiError, glance, keystone, neutron, nova, unauthorized
from ._microversion import echo_headers, negotiate
from ._request import Reply, Req
from ._state import Cloud
from ._swift import PREFIX as SWIFT_PREFIX
from ._swift import SwiftApp
from ._world import OpenStackState

__all__ = ["create_app"]

Handler = Callable[[Req], Reply]
_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]


def _style_error(style: str, status: int, message: str) -> ApiError:
    if style == "neutron":
        kind = {404: "HTTPNotFound", 405: "HTTPMethodNotAllowed", 429: "OverQuota"}
        return neutron(status, kind.get(status, "HTTPError"), message)
    if style == "glance":
        return glance(status, message)
    if style == "keystone":
        return keystone(status, message)
    return nova(status, message)


@dataclass(frozen=True, slots=True)
class Service:
    """One API: its routes, error style and microversion header name (if any)."""

    router: PathRouter[Handler]
    style: str
    microversion: str | None = None


class Api(SimApi):
    """Faults, discovery, authentication, microversions and dispatch for every service."""

    def __init__(self, cloud: Cloud, config: SimConfig) -> None:
        self.cloud = cloud
        self.config = config
        self.faults = Faults(config)
        self.services = {
            "identity/v3": Service(PathRouter([*_tokens.ROUTES, *_identity.ROUTES]), "keystone"),
            "identity/v2.0": Service(PathRouter(_tokens_v2.ROUTES), "keystone"),
            "compute": Service(
                PathRouter(
                    [
                        *_servers.ROUTES,
                        *_server_actions.ROUTES,
                        *_server_extras.ROUTES,
                        *_interfaces.ROUTES,
                        *_flavors.ROUTES,
                        *_keypairs.ROUTES,
                        *_nova_misc.ROUTES,
                        *_nova_images.ROUTES,
                    ]
                ),
                "nova",
                "compute",
            ),
            "image": Service(PathRouter(_images.ROUTES), "glance"),
            "networking": Service(
                PathRouter(
                    [
                        *_networks.ROUTES,
                        *_ports.ROUTES,
                        *_routers.ROUTES,
                        *_secgroups.ROUTES,
                        *_floatingips.ROUTES,
                        *_neutron.QUOTA_ROUTES,
                    ]
                ),
                "neutron",
            ),
            "volume": Service(
                PathRouter([*_volumes.ROUTES, *_snapshots.ROUTES, *_cinder_misc.ROUTES]),
                "nova",
                "volume",
            ),
        }

    async def _answer(self, request: Request) -> Response:
        segments = [s for s in request.url.path.split("/") if s]
        if segments[:1] in (["v3"], ["v2.0"]):
            segments = ["identity", *segments]
        style = {"networking": "neutron", "image": "glance", "identity": "keystone"}.get(
            segments[0] if segments else "", "nova"
        )
        raw = await self._receive(
            request, lambda: _render(_style_error(style, 413, "Request is too large."))
        )
        if isinstance(raw, Response):
            return raw
        origin = str(request.base_url).rstrip("/")
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            self._check_faults(style)
            reply, version_headers = self._dispatch(
                request.method, segments, raw, headers, origin, request.url.query
            )
        except ApiError as error:
            return _render(error)
        return _reply(reply, version_headers)

    def _check_faults(self, style: str) -> None:
        wait = self.faults.over_limit("", time.monotonic())
        if wait is not None:
            seconds = max(1, math.ceil(wait / 1000))
            error = _style_error(style, 429, "Rate limit exceeded; retry later.")
            error.headers["Retry-After"] = str(seconds)
            raise error
        if self.faults.error_draw() is not None:
            raise _style_error(style, 503, "The service is temporarily unavailable.")

    def _dispatch(
        self,
        method: str,
        segments: list[str],
        raw: bytes,
        headers: dict[str, str],
        origin: str,
        query_text: str,
    ) -> tuple[Reply, dict[str, str]]:
        config = self.config
        head, rest = (segments[0], segments[1:]) if segments else ("", [])
        discovery = _discovery(head, rest, origin, config)
        if discovery is not None and method in ("GET", "HEAD"):
            return discovery, {}
        key, base, path = _locate(head, rest)
        service = self.services.get(key)
        if service is None:
            raise _style_error("nova", 404, "The resource could not be found.")
        req = Req(
            cloud=self.cloud,
            config=config,
            method=method,
            args=[],
            query=parse_qs(query_text, keep_blank_values=True),
            body=_parse(raw, headers, service.style),
            raw=raw,
            headers=headers,
            origin=origin,
            service_url=f"{origin}/{base}",
            faults=self.faults,
        )
        req.principal = self.cloud.principal(headers.get("x-auth-token", ""))
        if service.style != "keystone" and req.principal is None:
            raise unauthorized(f"{origin}/identity")
        echo: dict[str, str] = {}
        if service.microversion == "compute":
            req.version = negotiate(
                "compute", headers, config.min_compute_version, config.max_compute_version
            )
            echo = echo_headers("compute", req.version)
        elif service.microversion == "volume":
            req.version = negotiate("volume", headers, "3.0", config.max_volume_version)
            echo = echo_headers("volume", req.version)
            if req.principal is not None and base.split("/")[-1] != req.project:
                raise nova(403, "Policy doesn't allow this project's resources to be used.")
        try:
            handler, req.args = service.router.resolve(method, path or [""])
        except NoRoute as miss:
            if miss.path_known:
                raise _style_error(service.style, 405, "The method is not allowed.") from None
            raise _style_error(service.style, 404, "The resource could not be found.") from None
        with self.cloud.store.transaction():
            try:
                reply = handler(req)
            except ApiError as error:
                error.headers.update(echo)
                raise
        return reply, echo


def _discovery(head: str, rest: list[str], origin: str, config: SimConfig) -> Reply | None:
    if head == "identity":
        if not rest:
            return _versions.identity_root(origin)
        if rest == ["v3"]:
            return _versions.identity_v3(origin)
        if rest == ["v2.0"]:
            return _versions.identity_v2(origin)
    elif head == "compute":
        if not rest:
            return _versions.compute_root(origin, config)
        if rest in (["v2.1"], ["v2"]):
            return _versions.compute_v21(origin, config)
    elif head == "image":
        if not rest or rest == ["versions"]:
            return _versions.image_root(origin)
    elif head == "networking":
        if not rest:
            return _versions.network_root(origin)
    elif head == "volume":
        if not rest:
            return _versions.volume_root(origin, config)
        if rest == ["v3"]:
            return _versions.volume_v3(origin, config)
    return None


def _locate(head: str, rest: list[str]) -> tuple[str, str, list[str]]:
    """(service key, base path under the origin, path inside the service)."""
    if head == "identity" and rest[:1] in (["v3"], ["v2.0"]):
        return f"identity/{rest[0]}", f"identity/{rest[0]}", rest[1:]
    if head == "compute" and rest[:1] == ["v2.1"]:
        return "compute", "compute/v2.1", rest[1:]
    if head == "image" and rest[:1] == ["v2"]:
        return "image", "image/v2", rest[1:]
    if head == "networking" and rest[:1] == ["v2.0"]:
        return "networking", "networking/v2.0", [_strip_json(s) for s in rest[1:]]
    if head == "volume" and rest[:1] == ["v3"] and len(rest) >= 2:
        return "volume", f"volume/v3/{rest[1]}", rest[2:]
    return "", "", []


def _strip_json(segment: str) -> str:
    return segment[:-5] if segment.endswith(".json") else segment


def _parse(raw: bytes, headers: dict[str, str], style: str) -> Any:
    content_type = headers.get("content-type", "")
    if not raw.strip() or "octet-stream" in content_type:
        return None
    try:
        return loads(raw)
    except ValueError:
        if style == "neutron":
            raise neutron(400, "HTTPBadRequest", "Failed to parse request.") from None
        if style == "keystone":
            raise keystone(400, "Malformed JSON in request body.") from None
        if style == "glance":
            raise glance(400, "Malformed JSON in request body.") from None
        raise nova(400, "Malformed request body") from None


def _request_id() -> str:
    return f"req-{uuid.uuid4()}"


def _render(error: ApiError) -> Response:
    headers = {"X-Openstack-Request-Id": _request_id(), **error.headers}
    if error.text is not None:
        return Response(
            error.text.encode(), error.status, headers, media_type="text/plain; charset=UTF-8"
        )
    return Response(dumps_bytes(error.document), error.status, headers, "application/json")


def _reply(reply: Reply, extra: dict[str, str]) -> Response:
    headers = {"X-Openstack-Request-Id": _request_id(), **extra, **reply.headers}
    if reply.raw is not None:
        return Response(reply.raw, reply.status, headers, reply.content_type)
    if reply.document is None:
        return Response(b"", reply.status, headers, None if reply.status == 204 else "text/html")
    return Response(dumps_bytes(reply.document), reply.status, headers, "application/json")


def create_app(cloud: Cloud | None = None, *, config: SimConfig | None = None) -> Starlette:
    """The simulator as an ASGI app; ``app.state.openstack``/``.config`` expose its world."""
    world = cloud if cloud is not None else OpenStackState()
    settings = config if config is not None else SimConfig()
    api = Api(world, settings)
    swift = SwiftApp(world, settings, api.faults)
    return create_sim_app(
        endpoints={},
        routes=[
            Route(f"/{SWIFT_PREFIX}/{{path:path}}", swift),
            Route("/{path:path}", api.handle, methods=_METHODS),
        ],
        health=lambda: {"username": world.username, "project": world.project_name},
        state={"openstack": world, "config": settings},
    )
