"""The asynchronous network transport: httpx's client API over aiohttp's connection pool.

httpx's async stack (httpcore on anyio streams) costs about 5 ms of CPU per small request when
200 are in flight: its pool re-checks every connection (a ``select`` per idle socket) whenever
any request changes state, and h11 parses in pure Python. aiohttp (the stack under ``cs``'s
``AIOCloudStack``) parses in C and keeps a simple pool, so under asyncio the async runner sends
over it whenever aiohttp can do what was configured. Under trio, for HTTP/2 and for proxies
(explicit or from the environment) it keeps httpx's transport, which handles them.

As with :mod:`omnicloud.http._urllib3`, every aiohttp failure is raised as the httpx exception
httpx's own transport would raise, so error mapping and retry decisions stay in one place;
aiohttp never retries nor follows a redirect here.

A request whose body is already in memory (every API call) skips httpx's client altogether:
:meth:`AiohttpTransport.fetch` sends it as httpx would have sent it (same headers, same query
encoding, gzip and deflate answers decoded) and reads the whole answer. httpx's request building
(it parses and re-encodes every URL character by character) cost more CPU than the request
itself: two thirds of a CloudStack deploy's client CPU when 200 are submitted at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import weakref
from collections.abc import AsyncIterator, Sequence

import aiohttp
import httpx
from yarl import URL

from omnicloud.http._config import HttpConfig
from omnicloud.http._direct import Fetched, decoded
from omnicloud.http._exact import request_target
from omnicloud.http._urllib3 import READ_SIZE, _environment_proxies

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["AiohttpTransport", "async_transport"]


def async_transport(config: HttpConfig) -> httpx.AsyncBaseTransport | None:
    """The transport for an async client with ``config`` on the running event loop; None keeps
    httpx's own (trio, HTTP/2, proxies)."""
    if config.async_transport is not None:
        return config.async_transport  # type: ignore[no-any-return]
    if config.http2 or config.proxy or (config.trust_env and _environment_proxies()):
        return None
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # not asyncio (trio), or no loop at all
        return None
    if not _HAS_MIDDLEWARES:
        return None  # an aiohttp that would resend requests on its own (see _no_resend)
    return AiohttpTransport(config)


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


@contextlib.asynccontextmanager
async def _as_httpx_errors(request: httpx.Request | None) -> AsyncIterator[None]:
    """Re-raise aiohttp and socket failures as the matching httpx exception."""
    try:
        try:
            yield
        except _NotResent as wrapped:
            cause = wrapped.__cause__
            raise cause if isinstance(cause, Exception) else wrapped from None
    except httpx.HTTPError:
        raise
    except aiohttp.ConnectionTimeoutError as exc:
        raise httpx.ConnectTimeout(_reason(exc), request=request) from exc
    except (aiohttp.SocketTimeoutError, TimeoutError) as exc:
        raise httpx.ReadTimeout(_reason(exc), request=request) from exc
    except aiohttp.ClientHttpProxyError as exc:
        raise httpx.ProxyError(_reason(exc), request=request) from exc
    except aiohttp.ClientConnectorError as exc:  # refused, DNS, TLS handshake
        raise httpx.ConnectError(_reason(exc), request=request) from exc
    except aiohttp.InvalidURL as exc:
        raise httpx.InvalidURL(_reason(exc)) from exc
    except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError) as exc:
        raise httpx.RemoteProtocolError(_reason(exc), request=request) from exc
    except aiohttp.ClientResponseError as exc:  # a malformed status line or headers
        raise httpx.RemoteProtocolError(_reason(exc), request=request) from exc
    except (OSError, aiohttp.ClientError) as exc:
        raise httpx.ReadError(_reason(exc), request=request) from exc


def _reason(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, aiohttp.ClientResponseError):
        text = exc.message or text
    return text or type(exc).__name__


class _Body(httpx.AsyncByteStream):
    """A response body as it arrives, in pieces of at most :data:`READ_SIZE` bytes."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        content = self._response.content
        while True:
            # the yield stays outside the error mapping, so closing this generator early (a
            # consumer that stops reading) is not mistaken for a failure inside it
            async with _as_httpx_errors(self._request):
                piece = await content.read(READ_SIZE)
            if not piece:
                return
            yield piece

    async def aclose(self) -> None:
        """Hand the connection back when the body was read to its end, else drop it."""
        response = self._response
        if response.content.at_eof():
            response.release()
        else:
            response.close()  # a half-read body cannot share its connection


async def _chunks(stream: httpx.AsyncByteStream | Any) -> AsyncIterator[bytes]:
    async for chunk in stream:
        yield chunk


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport sending HTTP/1.1 over an aiohttp session (TLS per ``config``).

    The session is opened on first use, on the event loop of that request.
    """

    def __init__(self, config: HttpConfig) -> None:
        self._config = config
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
        # https requests pass the configured SSL context themselves (see handle_async_request)
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

    async def fetch(
        self,
        method: str,
        url: str,
        headers: Sequence[tuple[str, str]],
        body: bytes | None,
        timeout: httpx.Timeout,
    ) -> Fetched:
        """Send one request whose body is in memory and read the whole answer.

        ``url`` goes out exactly as given (already encoded); ``headers`` are all that is sent
        besides ``Host`` and ``Content-Length``. Failures raise the matching httpx exception.
        """
        session = self._current_session()
        tls = self._config.ssl_context() if url.startswith("https:") else True
        async with _as_httpx_errors(None):
            async with session.request(
                method,
                URL(url, encoded=True),
                headers=list(headers),
                data=body,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(
                    total=None, sock_connect=timeout.connect, sock_read=timeout.read
                ),
                compress=None,
                chunked=None,
                ssl=tls,
            ) as response:
                content = await response.read()
                coding = response.headers.get("Content-Encoding")
                return Fetched(
                    status=response.status,
                    reason=response.reason or "",
                    headers=response.headers,
                    content=decoded(content, coding) if coding and content else content,
                )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; the response's body streams on demand."""
        session = self._current_session()
        timeouts = request.extensions.get("timeout") or {}
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=timeouts.get("connect"),
            sock_read=timeouts.get("read"),
        )
        # aiohttp chunks a body of unknown length itself and refuses a Transfer-Encoding header
        headers = [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in request.headers.raw
            if name.lower() != b"transfer-encoding"
        ]
        data: Any = None
        if request.headers.get("content-length") not in (None, "0") or (
            "transfer-encoding" in request.headers
        ):
            stream = request.stream
            data = b"".join(stream) if isinstance(stream, httpx.ByteStream) else _chunks(stream)
        # built at the first https request and shared after that: loading a CA bundle is costly
        tls = self._config.ssl_context() if request.url.scheme == "https" else True
        url = request.url
        exact = (
            f"{url.scheme}://{url.netloc.decode('ascii')}{request_target(request).decode('ascii')}"
        )
        async with _as_httpx_errors(request):
            response = await session.request(
                request.method,
                URL(exact, encoded=True),
                headers=headers,
                data=data,
                allow_redirects=False,
                timeout=timeout,
                compress=None,
                chunked=None,
                ssl=tls,
            )
        return httpx.Response(
            status_code=response.status,
            headers=list(response.raw_headers),
            stream=_Body(response, request),
            extensions={
                "http_version": b"HTTP/1.1" if response.version == (1, 1) else b"HTTP/1.0",
                "reason_phrase": (response.reason or "").encode("ascii", "replace"),
            },
            request=request,
        )

    def connection_count(self) -> int:
        """Open connections: in use or kept alive for reuse (0 once closed)."""
        return sum(1 for sock in list(self._sockets) if sock.fileno() != -1)

    async def aclose(self) -> None:
        """Close every pooled connection."""
        if self._session is not None:
            await self._session.close()
            self._session = None
