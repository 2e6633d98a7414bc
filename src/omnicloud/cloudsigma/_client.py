"""``CloudSigma`` and ``AsyncCloudSigma``: the REST API 2.0 by path, sync and async.

Both run the flows of :mod:`omnicloud.cloudsigma._protocol`; they differ only in the runner.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence

from omnicloud._poll import PollSettings
from omnicloud.http._config import HttpConfig, RetryPolicy
from omnicloud.http._redact import Redactor
from omnicloud.http._trace import enable_trace
from omnicloud.http._transport import AsyncHttp, SyncHttp

from . import _protocol as p
from ._protocol import CloudSigmaSettings
from ._regions import (
    DEFAULT_REGION,
    REGIONS,
    Region,
    check_api_version,
    regions_from_locations,
    resolve_target,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud._flow import Flow

__all__ = ["AsyncCloudSigma", "CloudSigma", "make_settings"]


def make_settings(
    username: str,
    password: str,
    *,
    region: str | None = None,
    host: str | None = None,
    endpoint: str | None = None,
    api_version: str | None = None,
    discovery_endpoint: str | None = None,
    timeout: float = 30.0,
    verify: bool | str = True,
    retry: int = 3,
    page_size: int = 100,
    concurrency: int = 4,
    poll_interval: float = 2.0,
    wait_timeout: float = 600.0,
    http: HttpConfig | None = None,
    transport: Any = None,
) -> tuple[CloudSigmaSettings, HttpConfig, Redactor]:
    """Validated settings, HTTP configuration and redactor for a client or driver.

    A ``region`` code missing from the static table (a location CloudSigma opened after this
    release) is looked up before the first call in ``GET /locations/`` of
    ``discovery_endpoint`` (default: the Zurich API).
    """
    check_api_version(api_version)
    url, pending = resolve_target(region, host, endpoint)
    config = http or HttpConfig(
        connect_timeout=min(timeout, 10.0),
        read_timeout=timeout,
        timeout=max(timeout * 4, 60.0),
        verify=verify,
        retry=RetryPolicy(max_attempts=retry + 1),
    )
    if transport is not None:
        config.transport = config.async_transport = transport
    settings = CloudSigmaSettings(
        endpoint=url,
        username=username,
        password=password,
        page_size=page_size,
        concurrency=concurrency,
        retry=config.retry,
        pending_region=pending,
        discovery=(discovery_endpoint or REGIONS[DEFAULT_REGION].endpoint) if pending else None,
        poll=PollSettings(
            interval=poll_interval,
            first_interval=min(0.2, poll_interval),
            timeout=wait_timeout,
        ),
    )
    return settings, config, Redactor([password, settings.authorization.split(" ", 1)[1]])


class _Base:
    """Configuration shared by the sync and async clients (no I/O)."""

    def __init__(
        self, username: str, password: str, *, trace: bool = False, **options: Any
    ) -> None:
        self.settings, self._config, self._redactor = make_settings(username, password, **options)
        if trace:
            enable_trace()

    @property
    def endpoint(self) -> str:
        """The API base URL (``https://zrh.cloudsigma.com/api/2.0/``).

        For a region found through discovery this is provisional until the first call (or
        :meth:`CloudSigma.resolve_endpoint`).
        """
        return self.settings.endpoint

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.settings.username} at {self.endpoint}>"

    def _list_flow(self, path: str, params: Mapping[str, Any], concurrency: int) -> Flow[None]:
        size = params.get("page_size")
        query = {k: v for k, v in params.items() if k != "page_size"}
        return p.list_items(self.settings, path, query, page_size=size, concurrency=concurrency)

    def _regions_flow(self) -> Flow[list[Region]]:
        objects: list[Any] = []
        document = yield from p.call(self.settings, "GET", "locations", params={"limit": 0})
        if isinstance(document, dict):
            objects = list(document.get("objects") or [])
        return regions_from_locations(objects) or list(REGIONS.values())


class CloudSigma(_Base):
    """Synchronous CloudSigma API 2.0 client.

    >>> cs = CloudSigma("me@example.com", "secret", region="zrh")          # doctest: +SKIP
    >>> for server in cs.iterate("servers/detail"): ...                    # doctest: +SKIP
    >>> cs.action("servers/<uuid>", "start", avoid=["<other uuid>"])       # doctest: +SKIP
    """

    def __init__(self, username: str, password: str, **options: Any) -> None:
        super().__init__(username, password, **options)
        self._http = SyncHttp(self._config, self._redactor)

    def run(self, flow: Flow[Any]) -> Any:
        """Run any CloudSigma flow with this client's connection."""
        return self._http.run(flow)

    def get(self, path: str, **params: Any) -> Any:
        """``GET path`` (a single object, singleton, or one raw list page)."""
        return self._http.run(p.call(self.settings, "GET", path, params=params))

    def iterate(self, path: str, **params: Any) -> Iterator[Any]:
        """Every object of a list endpoint, lazily, page by page (``page_size=`` to change)."""
        return self._http.iterate(self._list_flow(path, params, 1))

    def list(self, path: str, **params: Any) -> builtins.list[Any]:
        """Every object of a list endpoint (``filter=value`` keyword arguments are sent as-is)."""
        return list(self.iterate(path, **params))

    def create(
        self, path: str, objects: Sequence[Mapping[str, Any]], **params: Any
    ) -> builtins.list[Any]:
        """``POST path {"objects": [...]}``; the created objects."""
        body = {"objects": [dict(o) for o in objects]}
        result = self._http.run(p.call(self.settings, "POST", path, params=params, body=body))
        return list(result.get("objects") or []) if isinstance(result, dict) else []

    def update(self, path: str, body: Mapping[str, Any]) -> Any:
        """``PUT path`` with the full definition; the updated object."""
        return self._http.run(p.call(self.settings, "PUT", path, body=dict(body)))

    def delete(self, path: str, **params: Any) -> None:
        """``DELETE path`` (204)."""
        self._http.run(p.call(self.settings, "DELETE", path, params=params))

    def action(self, path: str, do: str, body: Any = None, **params: Any) -> Any:
        """``POST path/action/?do=...`` (``avoid=[...]`` and other query arguments allowed)."""
        return self._http.run(p.action(self.settings, path, do, body=body, params=params))

    def wait_for(
        self,
        path: str,
        status: str | Sequence[str],
        timeout: float | None = None,
        on_progress: Callable[[Any], None] | None = None,
    ) -> dict[str, Any]:
        """Poll ``path`` until its status is ``status``; the object."""
        flow = p.wait_for_status(
            self.settings, path, status, timeout=timeout, on_progress=on_progress
        )
        result: dict[str, Any] = self._http.run(flow)
        return result

    def regions(self) -> builtins.list[Region]:
        """The locations this cloud reports (``GET /locations/``)."""
        result: builtins.list[Region] = self._http.run(self._regions_flow())
        return result

    def resolve_endpoint(self) -> str:
        """The settled API base URL (discovering a new region's endpoint now if needed)."""
        result: str = self._http.run(p.resolve_endpoint(self.settings))
        return result

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()

    def __enter__(self) -> CloudSigma:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncCloudSigma(_Base):
    """Asynchronous twin of :class:`CloudSigma`; lists fetch remaining pages concurrently."""

    def __init__(self, username: str, password: str, **options: Any) -> None:
        super().__init__(username, password, **options)
        self._http = AsyncHttp(self._config, self._redactor)

    async def run(self, flow: Flow[Any]) -> Any:
        """Run any CloudSigma flow with this client's connection."""
        return await self._http.run(flow)

    async def get(self, path: str, **params: Any) -> Any:
        """``GET path``."""
        return await self._http.run(p.call(self.settings, "GET", path, params=params))

    def iterate(self, path: str, **params: Any) -> AsyncIterator[Any]:
        """Every object of a list endpoint, lazily."""
        return self._http.iterate(self._list_flow(path, params, 1))

    async def list(self, path: str, **params: Any) -> builtins.list[Any]:
        """Every object of a list endpoint (remaining pages fetched concurrently)."""
        flow = self._list_flow(path, params, self.settings.concurrency)
        return [item async for item in self._http.iterate(flow)]

    async def create(
        self, path: str, objects: Sequence[Mapping[str, Any]], **params: Any
    ) -> builtins.list[Any]:
        """``POST path {"objects": [...]}``; the created objects."""
        body = {"objects": [dict(o) for o in objects]}
        result = await self._http.run(p.call(self.settings, "POST", path, params=params, body=body))
        return list(result.get("objects") or []) if isinstance(result, dict) else []

    async def update(self, path: str, body: Mapping[str, Any]) -> Any:
        """``PUT path`` with the full definition."""
        return await self._http.run(p.call(self.settings, "PUT", path, body=dict(body)))

    async def delete(self, path: str, **params: Any) -> None:
        """``DELETE path``."""
        await self._http.run(p.call(self.settings, "DELETE", path, params=params))

    async def action(self, path: str, do: str, body: Any = None, **params: Any) -> Any:
        """``POST path/action/?do=...``."""
        return await self._http.run(p.action(self.settings, path, do, body=body, params=params))

    async def wait_for(
        self,
        path: str,
        status: str | Sequence[str],
        timeout: float | None = None,
        on_progress: Callable[[Any], None] | None = None,
    ) -> dict[str, Any]:
        """Poll ``path`` until its status is ``status``; the object."""
        flow = p.wait_for_status(
            self.settings, path, status, timeout=timeout, on_progress=on_progress
        )
        result: dict[str, Any] = await self._http.run(flow)
        return result

    async def regions(self) -> builtins.list[Region]:
        """The locations this cloud reports (``GET /locations/``)."""
        result: builtins.list[Region] = await self._http.run(self._regions_flow())
        return result

    async def resolve_endpoint(self) -> str:
        """The settled API base URL (discovering a new region's endpoint now if needed)."""
        result: str = await self._http.run(p.resolve_endpoint(self.settings))
        return result

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncCloudSigma:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
