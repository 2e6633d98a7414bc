"""httpx where it earns its place: HTTP/2, proxies (explicit or from the environment), trio, and
httpx transports that callers pass in ``HttpConfig.transport`` (``httpx.MockTransport``, a
recording wrapper, ``httpx.ASGITransport``).

:class:`HttpxTransport` and :class:`AsyncHttpxTransport` send the request omnicloud built
(:mod:`omnicloud.http._wire`) through an ``httpx.Client``/``AsyncClient``'s ``send``, which adds
nothing but proxy routing; headers, query encoding and body are already final. httpx would
remove ``.``/``..`` segments from the URL's path, so such a request carries its exact target in
httpx's public ``target`` request extension (:func:`~omnicloud.http._exact.keep_dot_segments`),
which httpcore sends as the request line; a transport passed in must honour it too. httpx's
exceptions become omnicloud's errors here, once (:func:`_mapped`).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import httpx

from omnicloud.http._base import (
    AsyncStream,
    AsyncTransport,
    SyncStream,
    SyncTransport,
    broken,
    not_sent,
    timed_out,
)
from omnicloud.http._config import HttpConfig, environment_proxies
from omnicloud.http._exact import keep_dot_segments
from omnicloud.http._wire import Outgoing

__all__ = ["AsyncHttpxTransport", "HttpxTransport"]


def _client_options(config: HttpConfig, transport: Any) -> dict[str, Any]:
    return {
        "timeout": httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
        "verify": _verify(config, transport),
        "trust_env": config.trust_env,
        "proxy": config.proxy,
        "http2": config.http2,
        "limits": httpx.Limits(
            max_connections=config.max_connections,
            max_keepalive_connections=config.max_keepalive,
        ),
        "follow_redirects": False,
    }


def _verify(config: HttpConfig, transport: Any) -> Any:
    """The TLS context for httpx's own connections; when the caller's ``transport`` carries
    every request, httpx opens none and ``True`` spares loading a CA bundle."""
    if transport is None or config.proxy:
        return config.ssl_context()
    if config.trust_env and environment_proxies():  # httpx mounts proxy transports of its own
        return config.ssl_context()
    return True


@contextlib.contextmanager
def _mapped(request: Outgoing) -> Iterator[None]:
    """Re-raise httpx's exceptions as omnicloud's errors."""
    try:
        yield
    except (httpx.ConnectTimeout, httpx.ConnectError, httpx.PoolTimeout) as exc:
        raise not_sent(request, "could not connect", _reason(exc)) from None
    except (httpx.UnsupportedProtocol, httpx.InvalidURL, httpx.LocalProtocolError) as exc:
        raise not_sent(request, "invalid request", _reason(exc)) from None
    except httpx.ProxyError as exc:
        raise not_sent(request, "proxy error", _reason(exc)) from None
    except httpx.TimeoutException:
        raise timed_out(request) from None
    except httpx.HTTPError as exc:
        raise broken(request, _reason(exc)) from None


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _built(request: Outgoing) -> httpx.Request:
    built = httpx.Request(
        request.method, request.url, headers=request.headers, content=request.body
    )
    keep_dot_segments(built, request.url)
    return built


class _Stream(SyncStream):
    def __init__(self, response: httpx.Response, request: Outgoing) -> None:
        self._response: httpx.Response | None = response
        self._request = request
        self._rest = b""  # what arrived and was not asked for yet
        # a test double may hand over a response it already read (httpx.Response(content=...))
        self._pieces = (
            iter([response.content]) if response.is_stream_consumed else response.iter_raw()
        )
        self.status = response.status_code
        self.reason = response.reason_phrase
        self.headers: Mapping[str, str] = response.headers

    def read1(self, size: int) -> bytes:
        """What has arrived, at most ``size`` bytes."""
        if not self._rest:
            with _mapped(self._request):
                self._rest = next(self._pieces, b"")
        piece, self._rest = self._rest[:size], self._rest[size:]
        return piece

    def close(self) -> None:
        """Close the response (httpx keeps the connection when the body was read)."""
        if self._response is not None:
            self._response.close()
            self._response = None  # the response and its request body are freed now


async def _already(response: httpx.Response) -> AsyncIterator[bytes]:
    yield response.content


class _AsyncStream(AsyncStream):
    def __init__(self, response: httpx.Response, request: Outgoing) -> None:
        self._response: httpx.Response | None = response
        self._request = request
        self._rest = b""  # what arrived and was not asked for yet
        self._pieces = _already(response) if response.is_stream_consumed else response.aiter_raw()
        self.status = response.status_code
        self.reason = response.reason_phrase
        self.headers: Mapping[str, str] = response.headers

    async def aread(self, size: int) -> bytes:
        """The next piece that arrived (``size`` is a hint)."""
        if not self._rest:
            with _mapped(self._request):
                self._rest = await anext(self._pieces, b"")
        piece, self._rest = self._rest[:size], self._rest[size:]
        return piece

    async def aclose(self) -> None:
        """Close the response (httpx keeps the connection when the body was read)."""
        if self._response is not None:
            await self._response.aclose()
            self._response = None


class HttpxTransport(SyncTransport):
    """Sends through an ``httpx.Client``: over ``transport`` when given, else httpx's own."""

    def __init__(self, config: HttpConfig, transport: httpx.BaseTransport | None = None) -> None:
        self._client = httpx.Client(transport=transport, **_client_options(config, transport))

    def open(self, request: Outgoing) -> SyncStream:
        """Send ``request``; return once the status and headers have arrived."""
        with _mapped(request):
            response = self._client.send(_built(request), stream=True)
        return _Stream(response, request)

    def close(self) -> None:
        """Close pooled connections (and the transport passed in)."""
        self._client.close()


async def _pieces(body: Any) -> AsyncIterator[bytes]:
    if hasattr(body, "__aiter__"):
        async for piece in body:
            yield piece
    else:
        for piece in body:
            yield piece


class AsyncHttpxTransport(AsyncTransport):
    """Sends through an ``httpx.AsyncClient``: over ``transport`` when given, else httpx's own
    (which runs on asyncio and trio alike)."""

    def __init__(
        self, config: HttpConfig, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._client = httpx.AsyncClient(transport=transport, **_client_options(config, transport))

    async def open(self, request: Outgoing) -> AsyncStream:
        """Send ``request``; return once the status and headers have arrived."""
        body = request.body
        if body is not None and not isinstance(body, bytes):
            from dataclasses import replace

            request = replace(request, body=_pieces(body))  # httpx's async client wants these
        with _mapped(request):
            response = await self._client.send(_built(request), stream=True)
        return _AsyncStream(response, request)

    async def aclose(self) -> None:
        """Close pooled connections (and the transport passed in)."""
        await self._client.aclose()
