"""Raw OpenStack clients, sync and async: authenticate, read the catalog, call any JSON API.

>>> from omnicloud.openstack import AuthSettings, OpenStackClient
>>> auth = AuthSettings("http://127.0.0.1:5000", username="admin", password="...",
...                     project_name="admin")                                  # doctest: +SKIP
>>> with OpenStackClient(auth) as client:                                      # doctest: +SKIP
...     client.catalog().url_for("identity", interface="internal")
...     client.call("identity", "GET", "/v3/projects")["projects"]

Both clients run the same flows of :class:`~omnicloud.openstack._session.OpenStackSession`;
they differ only in the runner.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from omnicloud.http import AsyncHttp, HttpConfig, HttpRequest, HttpResponse, Redactor, SyncHttp
from omnicloud.openstack._auth import AuthSettings, Token
from omnicloud.openstack._catalog import Catalog
from omnicloud.openstack._session import EndpointChoice, OpenStackSession

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["AsyncOpenStackClient", "OpenStackClient"]


class _Base:
    """Settings shared by the sync and async clients (no I/O)."""

    def __init__(
        self,
        auth: AuthSettings | None = None,
        *,
        token: str | None = None,
        region: str | None = None,
        interface: str = "public",
        endpoints: Mapping[str, str] | None = None,
        http: HttpConfig | None = None,
        refresh_margin: float = 60.0,
    ) -> None:
        self._config = http or HttpConfig()
        self.session = OpenStackSession(
            auth,
            retry=self._config.retry,
            redactor=Redactor(),
            choice=EndpointChoice(region=region, interface=interface),
            overrides=dict(endpoints or {}),
            fixed_token=token,
            refresh_margin=refresh_margin,
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.session!r}>"

    @property
    def token(self) -> Token | None:
        """The token held (its value never shows in ``repr``), None before the first call."""
        return self.session.token

    def _call(
        self,
        service_type: str,
        method: str,
        path: str,
        body: Mapping[str, Any] | None,
        expected: tuple[int, ...],
    ) -> Flow[Any]:
        return self.session.json(service_type, method, path, body, expected=expected)

    def _request(
        self, service_type: str, method: str, path: str, headers: Mapping[str, str] | None
    ) -> Flow[HttpResponse]:
        def build(base: str) -> HttpRequest:
            return HttpRequest(method, base + path, headers=dict(headers or {}))

        return self.session.send(service_type, build)

    def _endpoint(self, service_type: str) -> Flow[str]:
        return self.session.endpoint(service_type)


_OK = (200, 201, 202, 204)


class OpenStackClient(_Base):
    """Synchronous OpenStack client (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._http = SyncHttp(self._config, self.session.redactor)

    def authenticate(self) -> Token:
        """A valid token: the one held, or a new one."""
        return self._http.run(self.session.current_token())

    def catalog(self) -> Catalog:
        """The service catalog of the current token."""
        return self._http.run(self.session.catalog())

    def endpoint(self, service_type: str) -> str:
        """The URL serving ``service_type`` (override, else the catalog's choice)."""
        return self._http.run(self._endpoint(service_type))

    def call(
        self,
        service_type: str,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        expected: tuple[int, ...] = _OK,
    ) -> Any:
        """A JSON call; the parsed answer, or the error it maps to."""
        return self._http.run(self._call(service_type, method, path, body, expected))

    def request(
        self, service_type: str, method: str, path: str, headers: Mapping[str, str] | None = None
    ) -> HttpResponse:
        """Any request with the token; the raw answer (a 401 is retried once, re-authenticated)."""
        return self._http.run(self._request(service_type, method, path, headers))

    def run(self, flow: Flow[Any]) -> Any:
        """Run any flow of this session with this client's connection."""
        return self._http.run(flow)

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()

    def __enter__(self) -> OpenStackClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncOpenStackClient(_Base):
    """Asynchronous twin of :class:`OpenStackClient`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._http = AsyncHttp(self._config, self.session.redactor)

    async def authenticate(self) -> Token:
        """A valid token: the one held, or a new one."""
        return await self._http.run(self.session.current_token())

    async def catalog(self) -> Catalog:
        """The service catalog of the current token."""
        return await self._http.run(self.session.catalog())

    async def endpoint(self, service_type: str) -> str:
        """The URL serving ``service_type``."""
        return await self._http.run(self._endpoint(service_type))

    async def call(
        self,
        service_type: str,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        expected: tuple[int, ...] = _OK,
    ) -> Any:
        """A JSON call; the parsed answer."""
        return await self._http.run(self._call(service_type, method, path, body, expected))

    async def request(
        self, service_type: str, method: str, path: str, headers: Mapping[str, str] | None = None
    ) -> HttpResponse:
        """Any request with the token; the raw answer."""
        return await self._http.run(self._request(service_type, method, path, headers))

    async def run(self, flow: Flow[Any]) -> Any:
        """Run any flow of this session with this client's connection."""
        return await self._http.run(flow)

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncOpenStackClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
