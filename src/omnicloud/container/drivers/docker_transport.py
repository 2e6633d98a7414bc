"""Docker over a unix socket, with no change to omnicloud's HTTP layer.

:class:`~omnicloud.http.HttpConfig` takes a transport (``transport`` for sync code,
``async_transport`` for async code) and sends every request through it. So a unix-socket
driver is an ``HttpConfig`` with one of those, no proxies from the environment (a socket is never
proxied) and the socket path in every request's stead of a host:

* sync: httpx's transport with ``uds=`` (about as costly per listing as the docker SDK's
  requests/urllib3 adapter);
* async: under asyncio, aiohttp's ``UnixConnector`` through omnicloud's aiohttp transport (the
  one TCP requests use under asyncio): reading a 150 KB listing costs about 0.8 ms of CPU there
  against 2.2 ms through httpx's async stack (h11 in pure Python, anyio streams); under trio,
  httpx's async transport with ``uds=``.

httpx and aiohttp are imported only when such a driver is made or first used.
"""

from __future__ import annotations

from dataclasses import replace

from omnicloud.http._base import AsyncStream, AsyncTransport
from omnicloud.http._config import HttpConfig

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud.http._wire import Outgoing

__all__ = ["UnixSocketAsyncTransport", "unix_socket_config"]


def unix_socket_config(config: HttpConfig, path: str, *, asynchronous: bool) -> HttpConfig:
    """``config`` carrying its requests over the unix socket at ``path``.

    A transport already given in ``config`` (a test double) is kept.
    """
    if asynchronous:
        if config.async_transport is not None:
            return config
        plain = replace(config, trust_env=False, proxy=None)
        return replace(plain, async_transport=UnixSocketAsyncTransport(plain, path))
    if config.transport is not None:
        return config
    import httpx

    return replace(config, transport=httpx.HTTPTransport(uds=path), trust_env=False, proxy=None)


def _on_asyncio() -> bool:
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:  # trio
        return False
    return True


class UnixSocketAsyncTransport(AsyncTransport):
    """Async requests over the unix socket at ``path``: aiohttp under asyncio (when its version
    has what omnicloud's aiohttp transport needs), httpx otherwise; each made on first use."""

    def __init__(self, config: HttpConfig, path: str) -> None:
        self._config = config
        self._path = path
        self._aiohttp: AsyncTransport | None = None
        self._httpx: AsyncTransport | None = None

    def _chosen(self) -> AsyncTransport:
        if _on_asyncio():
            if self._aiohttp is None:
                self._aiohttp = _aiohttp_unix(self._config, self._path)
            if self._aiohttp is not None:
                return self._aiohttp
        if self._httpx is None:
            import httpx

            from omnicloud.http._httpx import AsyncHttpxTransport

            self._httpx = AsyncHttpxTransport(
                self._config, httpx.AsyncHTTPTransport(uds=self._path)
            )
        return self._httpx

    @property
    def library(self) -> str:
        """Which library carried the last requests (``aiohttp``, ``httpx``, or ``none``)."""
        if self._aiohttp is not None:
            return "aiohttp"
        return "httpx" if self._httpx is not None else "none"

    async def open(self, request: Outgoing) -> AsyncStream:
        """Send ``request``; return once the status and headers have arrived."""
        return await self._chosen().open(request)

    async def aclose(self) -> None:
        """Close the pooled connections of either library."""
        for transport in (self._aiohttp, self._httpx):
            if transport is not None:
                await transport.aclose()


def _aiohttp_unix(config: HttpConfig, path: str) -> Any:
    """omnicloud's aiohttp transport on the socket, or None when the installed aiohttp lacks
    what that transport relies on."""
    from omnicloud.http import _aiohttp

    return _aiohttp.AiohttpTransport(config, unix_socket=path) if _aiohttp.usable() else None
