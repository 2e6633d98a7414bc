"""The asynchronous network transport: HTTP/1.1 over aiohttp's connection pool (asyncio).

httpx's async stack (httpcore on anyio streams) costs about 5 ms of CPU per small request when
200 are in flight: its pool re-checks every connection (a ``select`` per idle socket) whenever
any request changes state, and h11 parses in pure Python. aiohttp (the stack under ``cs``'s
``AIOCloudStack``) parses in C and keeps a simple pool, so under asyncio the async runner sends
over it. aiohttp runs on asyncio only: under trio, and for HTTP/2 and proxies (explicit or from
the environment), :mod:`omnicloud.http._httpx` carries the requests.

aiohttp never retries nor follows a redirect here, and every aiohttp and socket failure leaves
this module as one of omnicloud's errors (:func:`_mapped`).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import weakref
from collections.abc import AsyncIterator, Iterator, Mapping

import aiohttp
from yarl import URL

from omnicloud.http._base import (
    AsyncStream,
    AsyncTransport,
    broken,
    not_sent,
    refused,
    timed_out,
)
from omnicloud.http._config import HttpConfig, environment_proxies
from omnicloud.http._wire import Outgoing

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["AiohttpTransport", "async_transport", "usable"]


def async_transport(config: HttpConfig) -> Any:
    """What carries an async runner's requests with ``config`` on the running event loop:
    ``config.async_transport`` when given (an omnicloud :class:`AsyncTransport` or an httpx
    transport), aiohttp, or None for httpx's own transport (trio, HTTP/2, proxies)."""
    if config.async_transport is not None:
        return config.async_transport
    if config.http2 or config.proxy or (config.trust_env and environment_proxies()):
        return None
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # not asyncio (trio), or no loop at all
        return None
    if not usable():
        return None  # an aiohttp that would resend requests on its own (see _no_resend)
    return AiohttpTransport(config)


def usable() -> bool:
    """Whether the installed aiohttp has what :class:`AiohttpTransport` relies on (client
    middlewares, so that it never resends a request on its own: aiohttp 3.12)."""
    return _HAS_MIDDLEWARES


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:2] if part.isdigit())


#: Client middlewares and ``socket_factory`` (both public) came with aiohttp 3.12.
_HAS_MIDDLEWARES = _version(aiohttp.__version__) >= (3, 12)


class _NotResent(aiohttp.ClientError):
    """A dropped connection, carried past aiohttp's resend of idempotent requests (the original
    is ``__cause__``)."""


async def _no_resend(
    request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
) -> aiohttp.ClientResponse:
    """Keep aiohttp from sending a request again when a kept-alive connection drops.

    aiohttp resends a GET, PUT or DELETE that fails that way; CloudStack GETs create VMs, so the
    resend could duplicate one, and retries are decided in :mod:`omnicloud.http._retry` only.
    aiohttp resends only on the two errors re-raised here as another ``ClientError``.
    """
    try:
        return await handler(request)
    except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError) as exc:
        raise _NotResent(str(exc)) from exc


@contextlib.contextmanager
def _mapped(request: Outgoing) -> Iterator[None]:
    """Re-raise aiohttp and socket failures as omnicloud's errors."""
    try:
        try:
            yield
        except _NotResent as wrapped:
            cause = wrapped.__cause__
            raise cause if isinstance(cause, Exception) else wrapped from None
    except aiohttp.ConnectionTimeoutError as exc:
        raise not_sent(request, "could not connect", _reason(exc)) from None
    except (aiohttp.SocketTimeoutError, TimeoutError):
        raise timed_out(request) from None
    except aiohttp.ClientHttpProxyError as exc:
        raise not_sent(request, "proxy error", _reason(exc)) from None
    except aiohttp.ClientConnectorError as exc:  # refused, DNS, TLS handshake
        raise not_sent(request, "could not connect", _reason(exc)) from None
    except aiohttp.InvalidURL as exc:
        raise not_sent(request, "invalid request", _reason(exc)) from None
    except (OSError, aiohttp.ClientError) as exc:  # reset, truncated or malformed answer
        raise broken(request, _reason(exc)) from None


def _reason(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, aiohttp.ClientResponseError):
        text = exc.message or text
    return text or type(exc).__name__


class _Stream(AsyncStream):
    """An aiohttp response whose body has not been read yet."""

    def __init__(self, response: aiohttp.ClientResponse, request: Outgoing) -> None:
        self._response = response
        self._request = request
        self.status = response.status
        self.reason = response.reason or ""
        self.headers: Mapping[str, str] = response.headers

    async def aread(self, size: int) -> bytes:
        """What has arrived, at most ``size`` bytes, as stored."""
        with _mapped(self._request):
            return await self._response.content.read(size)

    async def aread_all(self) -> bytes:
        """The rest of the body."""
        with _mapped(self._request):
            return await self._response.read()

    async def aclose(self) -> None:
        """Hand the connection back when the body was read to its end, else drop it."""
        response = self._response
        if response.content.at_eof():
            response.release()
        else:
            response.close()  # a half-read body cannot share its connection


async def _pieces(body: Any) -> AsyncIterator[bytes]:
    if hasattr(body, "__aiter__"):
        async for piece in body:
            yield piece
    else:
        for piece in body:
            yield piece


class AiohttpTransport(AsyncTransport):
    """Sends HTTP/1.1 over an aiohttp session (TLS per ``config``), or over the unix socket
    ``unix_socket`` (a Docker daemon's: the request's host then names no machine).

    The session is opened on first use, on the event loop of that request.
    """

    def __init__(self, config: HttpConfig, *, unix_socket: str | None = None) -> None:
        self._config = config
        self._unix_socket = unix_socket
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # every socket this transport opened, for connection_count(): gone once closed and freed
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()

    def _socket(self, address: Any) -> socket.socket:
        """A new socket for aiohttp's connector (its ``socket_factory``), remembered."""
        family, kind, proto = address[0], address[1], address[2]
        sock = socket.socket(family=family, type=kind, proto=proto)
        self._sockets.add(sock)
        return sock

    def _open(self) -> aiohttp.ClientSession:
        config = self._config
        connector: aiohttp.BaseConnector
        if self._unix_socket is not None:  # every request goes to the socket, whatever its host
            connector = aiohttp.UnixConnector(
                path=self._unix_socket, limit=max(1, config.max_connections), keepalive_timeout=30
            )
        else:
            # https requests pass the configured SSL context themselves (see open)
            connector = aiohttp.TCPConnector(
                limit=max(1, config.max_connections),
                limit_per_host=0,
                keepalive_timeout=30,
                socket_factory=self._socket,
            )
        return aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
            timeout=aiohttp.ClientTimeout(total=None),
            trust_env=False,
            middlewares=(_no_resend,),
        )

    def _current_session(self) -> aiohttp.ClientSession:
        session = self._session
        loop = asyncio.get_running_loop()
        if session is None or session.closed or loop is not self._loop:
            # a client used from a second asyncio.run() cannot reuse the first loop's sockets
            if session is not None and not session.closed:
                session.detach()
            session = self._session = self._open()
            self._loop = loop
        return session

    async def open(self, request: Outgoing) -> AsyncStream:
        """Send ``request``; return once the status and headers have arrived."""
        session = self._current_session()
        body: Any = request.body
        if body is not None and not isinstance(body, bytes):
            body = _pieces(body)  # aiohttp sends it chunked, or by its Content-Length header
        # built at the first https request and shared after that: loading a CA bundle is costly
        tls = self._config.ssl_context() if request.scheme == "https" else True
        with _mapped(request), refused(request):
            response = await session.request(
                request.method,
                URL(request.url, encoded=True),  # as given: dot segments and escapes stay
                headers=request.headers,
                data=body,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    sock_connect=request.connect_timeout,
                    sock_read=request.read_timeout,
                ),
                compress=None,
                chunked=None,
                ssl=tls,
            )
        return _Stream(response, request)

    def connection_count(self) -> int:
        """Open connections: in use or kept alive for reuse (0 once closed)."""
        return sum(1 for sock in list(self._sockets) if sock.fileno() != -1)

    async def aclose(self) -> None:
        """Close every pooled connection."""
        if self._session is not None:
            await self._session.close()
            self._session = None
