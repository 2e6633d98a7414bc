"""Construction of OpenStack compute drivers (Libcloud's ``ex_force_*`` arguments on an
:class:`~omnicloud.openstack.OpenStackSession`) and the flow helpers every operation uses:
JSON requests to Nova, Glance, Neutron and Cinder, the negotiated Nova microversion, lazy
``limit``/``marker`` listings, and waits."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit

from omnicloud._collect import collect
from omnicloud._flow import Emit
from omnicloud._poll import PollSettings, PollStatus, poll
from omnicloud.compute._driver import NodeDriverCore
from omnicloud.errors import ValidationError
from omnicloud.http import HttpConfig, HttpRequest, HttpResponse, Redactor
from omnicloud.http._config import driver_config
from omnicloud.openstack._catalog import EndpointNotFoundError
from omnicloud.openstack._options import session_from_options
from omnicloud.openstack._session import OpenStackSession

from .openstack_client import WANTED_MICROVERSION, choose_microversion, compute_error, next_link

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["OpenStackBase", "ident"]

M = TypeVar("M")

#: Catalog types tried, in order, for each service the driver uses.
SERVICE_TYPES: dict[str, tuple[str, ...]] = {
    "compute": ("compute",),
    "image": ("image",),
    "network": ("network",),
    "volume": ("block-storage", "volumev3", "volume"),
}
#: The version path of each service below its catalog URL (when the URL does not end in it).
_VERSION_PATHS = {"image": "/v2", "network": "/v2.0"}
_OK = (200, 201, 202, 204)


def ident(value: Any) -> str:
    """The id of a model object or a plain id string."""
    found = getattr(value, "id", value)
    if not found or not isinstance(found, str):
        raise ValidationError(f"expected an object with an id or an id string, got {value!r}")
    return found


class OpenStackBase(NodeDriverCore):
    """Holds the session, endpoints and microversion; builds API calls as flows.

    ``OpenStackNodeDriver(user, password, ex_force_auth_url=..., ex_force_auth_version=
    "3.x_password", ex_tenant_name=..., ex_domain_name=..., ex_force_service_region=...)``,
    as Libcloud's; ``ex_force_base_url`` replaces Nova's catalog URL, ``ex_force_image_url``,
    ``ex_force_network_url`` and ``ex_force_volume_url`` the others'. ``ex_microversion`` pins
    the Nova microversion (default: 2.79, or the server's highest below it).
    """

    name = "OpenStack"
    website = "https://www.openstack.org/"
    type: str | None = "openstack"
    features: dict[str, list[str]] = {"create_node": ["generates_password", "password"]}
    ex_reachable_by = "private_ips"  # a floating IP is allocated and associated separately

    def __init__(
        self,
        key: str | None = None,
        secret: str | None = None,
        secure: bool = True,
        host: str | None = None,
        port: int | None = None,
        *,
        region: str | None = None,
        ex_force_image_url: str | None = None,
        ex_force_network_url: str | None = None,
        ex_force_volume_url: str | None = None,
        ex_microversion: str | None = None,
        page_size: int = 100,
        poll_interval: float = 1.0,
        wait_timeout: float = 600.0,
        timeout: float | None = None,
        verify: bool | str | None = None,
        http: HttpConfig | None = None,
        transport: Any = None,
        session: OpenStackSession | None = None,
        **options: Any,
    ) -> None:
        if page_size < 1:
            raise ValidationError("page_size must be at least 1")
        config = driver_config(http, timeout=timeout, verify=verify, transport=transport)
        redactor = Redactor()
        if session is None:
            unknown = sorted(set(options) - _OPTION_NAMES)
            if unknown:
                raise ValidationError(f"OpenStack: unknown option(s) {', '.join(unknown)}")
            session, service = session_from_options(
                key, secret, service_type="compute", region=region, retry=config.retry,
                redactor=redactor, **options,
            )  # fmt: skip
        else:
            service = "compute"
            redactor = session.redactor
        for kind, url in (
            ("image", ex_force_image_url),
            ("network", ex_force_network_url),
            ("volume", ex_force_volume_url),
        ):
            if url:
                session.overrides[SERVICE_TYPES[kind][0]] = url.rstrip("/")
        self.session = session
        self.region = region or options.get("ex_force_service_region")
        self.page_size = page_size
        self.poll_interval = poll_interval
        self.wait_timeout = wait_timeout
        self._types: dict[str, str] = {"compute": service}
        self._pinned = ex_microversion
        self._microversion: str | None = ex_microversion
        self._negotiated = ex_microversion is not None
        self._open(config, redactor)

    def _open(self, config: HttpConfig, redactor: Redactor) -> None:  # pragma: no cover
        raise TypeError("use a sync or async driver class, not the core")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.session!r}>"

    @property
    def ex_microversion(self) -> str | None:
        """The Nova microversion sent (None before the first compute call, or when the server
        has no microversions)."""
        return self._microversion

    # -- endpoints ----------------------------------------------------------------------------
    def _service(self, kind: str) -> Flow[str]:
        """The catalog type serving ``kind`` (``compute``, ``image``, ``network``, ``volume``)."""
        known = self._types.get(kind)
        if known is not None:
            return known
        candidates = SERVICE_TYPES[kind]
        chosen = next((t for t in candidates if t in self.session.overrides), None)
        if chosen is None:
            token = yield from self.session.current_token()
            for candidate in candidates:
                try:
                    self.session.endpoint_of(token, candidate)
                except EndpointNotFoundError:
                    continue
                chosen = candidate
                break
        if chosen is None:
            raise EndpointNotFoundError(
                f"OpenStack: the catalog has no {kind} service (looked for {', '.join(candidates)})"
            )
        self._types[kind] = chosen
        return chosen

    def _negotiate(self) -> Flow[None]:
        """Read Nova's version document once and choose the microversion."""
        if self._negotiated:
            return
        service = yield from self._service("compute")

        def build(base: str) -> HttpRequest:
            return HttpRequest(
                "GET", base, headers={"Accept": "application/json"}, operation="nova versions"
            )

        response = yield from self.session.send(service, build)
        document: Any = None
        if response.status == 200 and response.content:
            try:
                document = response.json()
            except ValueError:
                document = None
        self._microversion = choose_microversion(document, WANTED_MICROVERSION)
        self._negotiated = True

    def _at_least(self, major: int, minor: int) -> bool:
        from .openstack_client import version_tuple

        return version_tuple(self._microversion or "") >= (major, minor)

    # -- requests -----------------------------------------------------------------------------
    def _send(
        self,
        kind: str,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        query: Sequence[tuple[str, str]] | None = None,
        expected: tuple[int, ...] = _OK,
        operation: str = "",
    ) -> Flow[HttpResponse]:
        """Send a JSON request to ``kind``'s ``path``; the answer, or the error it maps to."""
        if kind == "compute":
            yield from self._negotiate()
        service = yield from self._service(kind)
        label = operation or f"{kind} {method} {path.split('?', 1)[0]}"
        headers = {"Accept": "application/json"}
        content = None
        if body is not None:
            content = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if kind == "compute" and self._microversion:
            headers["OpenStack-API-Version"] = f"compute {self._microversion}"
            headers["X-OpenStack-Nova-API-Version"] = self._microversion
        suffix = f"?{urlencode(list(query))}" if query else ""
        prefix = _VERSION_PATHS.get(kind, "")

        def build(base: str) -> HttpRequest:
            root = base if not prefix or base.endswith(prefix) else base + prefix
            return HttpRequest(
                method, root + path + suffix, headers=headers, content=content, operation=label
            )

        response = yield from self.session.send(service, build, operation=label)
        if response.status not in expected:
            raise compute_error(response, label, self.session.redactor)
        return response

    def _json(
        self,
        kind: str,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> Flow[Any]:
        """:meth:`_send`, the answer's JSON document (None when empty)."""
        response = yield from self._send(kind, method, path, body, **options)
        if not response.content or "json" not in response.content_type:
            return None
        return response.json()

    def _get(self, kind: str, path: str, **query: Any) -> Flow[Any]:
        pairs = [(k, str(v)) for k, v in query.items() if v is not None]
        return (yield from self._json(kind, "GET", path, query=pairs))

    def _pages(
        self, kind: str, path: str, key: str, query: Mapping[str, Any] | None = None
    ) -> Flow[None]:
        """Emit the entries of list ``key`` page by page (``limit``/``marker``), following the
        next links' markers until a page has none."""
        params = [(k, str(v)) for k, v in (query or {}).items() if v is not None]
        params = [p for p in params if p[0] not in ("limit", "marker")]
        page: list[tuple[str, str]] = [*params, ("limit", str(self.page_size))]
        seen: set[str] = set()
        while True:
            document = yield from self._json(kind, "GET", path, query=page)
            items = [i for i in (document or {}).get(key) or [] if isinstance(i, Mapping)]
            if items:
                yield Emit(items)
            link = next_link(document, key)
            marker = dict(parse_qsl(urlsplit(link).query)).get("marker") if link else None
            if not items or not marker or marker in seen:
                return
            seen.add(marker)
            page = [*params, ("limit", str(self.page_size)), ("marker", marker)]

    def _all(
        self,
        kind: str,
        path: str,
        key: str,
        convert: Callable[[Any], M],
        query: Mapping[str, Any] | None = None,
    ) -> Flow[list[M]]:
        """Every entry of a paged list, converted."""
        found: list[M] = yield from collect(self._pages(kind, path, key, query), convert)
        return found

    # -- waiting ------------------------------------------------------------------------------
    def _wait(
        self,
        check: Callable[[], Flow[PollStatus]],
        what: str,
        timeout: float | None = None,
    ) -> Flow[Any]:
        settings = PollSettings(
            interval=self.poll_interval,
            first_interval=min(self.poll_interval, 0.25),
            timeout=self.wait_timeout if timeout is None else timeout,
        )
        return (yield from poll(check, settings, what=what))


_OPTION_NAMES = frozenset(
    {
        "ex_force_auth_url",
        "ex_force_auth_version",
        "ex_tenant_name",
        "ex_tenant_id",
        "ex_domain_name",
        "ex_domain_id",
        "ex_user_domain_name",
        "ex_project_domain_name",
        "ex_force_service_region",
        "ex_force_service_type",
        "ex_force_service_name",
        "ex_force_service_interface",
        "ex_force_base_url",
        "ex_force_auth_token",
        "auth",
        "refresh_margin",
    }
)
