"""The synchronous network transport: httpx's client API over urllib3's connection pool.

httpx's own HTTP/1.1 stack (httpcore + h11) reads a response in 64 KiB pieces and copies every
piece through h11's receive buffer: about 2.5 s of CPU per GiB here, ten times what urllib3 (the
pool under boto3 and requests) spends, whose reads land straight in the buffer the caller asked
for. Listing pages and object downloads are bound by exactly that cost, so the sync runner sends
over urllib3 whenever urllib3 can do what was configured; for HTTP/2 and proxies (explicit or
from the environment) it keeps httpx's transport, which handles them.

Every urllib3 failure is raised as the httpx exception that httpx's own transport would raise,
so error mapping and retry decisions stay in one place. urllib3 never retries nor follows a
redirect here: retries belong to :mod:`omnicloud.http._retry`, which knows what is idempotent.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import cast

import httpx
import urllib3
import urllib3.connection
from urllib3 import exceptions as u3

from omnicloud.http._config import HttpConfig
from omnicloud.http._direct import Fetched, decoded, split_url
from omnicloud.http._exact import request_target

__all__ = ["EXACT_READS", "Urllib3Transport", "sync_transport"]

#: How much one read asks for: large enough that a fast network fills it in one system call.
READ_SIZE = 1024 * 1024
#: The response extension holding ``read_exact(size)`` (see :meth:`_Body.read_exact`).
EXACT_READS = "omnicloud.read_exact"


def sync_transport(config: HttpConfig) -> httpx.BaseTransport | None:
    """The transport for a sync client with ``config``; None keeps httpx's own (HTTP/2, proxies)."""
    if config.transport is not None:
        return config.transport  # type: ignore[no-any-return]
    if config.http2 or config.proxy or (config.trust_env and _environment_proxies()):
        return None
    return Urllib3Transport(config)


def _environment_proxies() -> bool:
    import urllib.request

    proxies = urllib.request.getproxies()
    return any(scheme in proxies for scheme in ("http", "https", "all"))


@contextlib.contextmanager
def _as_httpx_errors(request: httpx.Request | None) -> Iterator[None]:
    """Re-raise urllib3 and socket failures as the matching httpx exception."""
    try:
        yield
    except httpx.HTTPError:
        raise
    except u3.NewConnectionError as exc:  # before ConnectTimeoutError: it subclasses it
        raise httpx.ConnectError(_reason(exc), request=request) from exc
    except u3.ConnectTimeoutError as exc:
        raise httpx.ConnectTimeout(_reason(exc), request=request) from exc
    except u3.ReadTimeoutError as exc:
        raise httpx.ReadTimeout(_reason(exc), request=request) from exc
    except u3.SSLError as exc:
        raise httpx.ConnectError(_reason(exc), request=request) from exc
    except u3.ProxyError as exc:
        raise httpx.ProxyError(_reason(exc), request=request) from exc
    except u3.LocationValueError as exc:
        raise httpx.InvalidURL(_reason(exc)) from exc
    except (u3.ProtocolError, u3.DecodeError, u3.ResponseError) as exc:
        raise httpx.RemoteProtocolError(_reason(exc), request=request) from exc
    except TimeoutError as exc:
        raise httpx.ReadTimeout(_reason(exc), request=request) from exc
    except (OSError, u3.HTTPError) as exc:
        raise httpx.ReadError(_reason(exc), request=request) from exc


def _reason(exc: BaseException) -> str:
    """A one-line reason; urllib3 puts the pool object's repr first, which says nothing."""
    text = str(exc)
    if isinstance(exc, u3.ProtocolError) and exc.args and len(exc.args) > 1:
        text = f"{exc.args[0]} {exc.args[1]!r}"
    elif text.startswith("HTTPConnectionPool(") or text.startswith("HTTPSConnectionPool("):
        text = text.split("): ", 1)[-1]
    elif text.startswith("<urllib3.") and ">: " in text:
        text = text.split(">: ", 1)[-1]
    return text or type(exc).__name__


class _Body(httpx.SyncByteStream):
    """A response body as it arrives (pieces of at most :data:`READ_SIZE`), as stored."""

    def __init__(self, response: urllib3.BaseHTTPResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        read = self._response.read1
        with _as_httpx_errors(self._request):
            while piece := read(READ_SIZE, decode_content=False):
                yield piece

    def read_exact(self, size: int) -> bytes:
        """The next ``size`` bytes as stored (fewer only at the end), read straight into one
        buffer: for streamed downloads, which have no total deadline to check between pieces."""
        with _as_httpx_errors(self._request):
            return self._response.read(size, decode_content=False)

    def close(self) -> None:
        """Hand the connection back when the body was read to its end, else drop it."""
        response = self._response
        if not response.closed and response.length_remaining not in (0, None):
            response.close()  # a half-read body cannot share its connection
        response.release_conn()


class _UncheckedByChoice(urllib3.connection.HTTPSConnection):
    """A TLS connection whose certificate nobody checks, because the user chose ``insecure=True``.

    :meth:`HttpConfig.check_tls` said so once, when the client started. urllib3 reads
    ``is_verified`` only to decide whether to warn (``InsecureRequestWarning``), and it warns on
    every request (its own ``always`` filter): marking the choice as made here keeps it quiet
    without touching the process-wide warnings filters, which belong to the application.
    """

    def connect(self) -> None:
        """Connect; the handshake skipped the certificate check as configured."""
        super().connect()
        self.is_verified = True  # the check was waived by the caller, not forgotten


class _UncheckedByChoicePool(urllib3.HTTPSConnectionPool):
    """HTTPS pools of an ``insecure=True`` transport (see :class:`_UncheckedByChoice`)."""

    ConnectionCls = _UncheckedByChoice


class Urllib3Transport(httpx.BaseTransport):
    """An httpx transport sending HTTP/1.1 over a urllib3 pool (TLS per ``config``)."""

    def __init__(self, config: HttpConfig) -> None:
        self._config = config
        self._tls_ready = False  # the SSL context is built at the first https request
        self._pool = urllib3.PoolManager(
            num_pools=16, maxsize=max(1, config.max_keepalive), block=False, retries=False
        )
        if config.insecure:
            self._pool.pool_classes_by_scheme = {
                **self._pool.pool_classes_by_scheme,
                "https": _UncheckedByChoicePool,
            }

    def _ready_for_tls(self) -> None:
        """Give https pools the configured SSL context (loading a CA bundle is costly)."""
        self._pool.connection_pool_kw["ssl_context"] = self._config.ssl_context()
        self._tls_ready = True

    def fetch(
        self,
        method: str,
        url: str,
        headers: Sequence[tuple[str, str]],
        body: bytes | None,
        timeout: httpx.Timeout,
        check: Callable[[], None],
    ) -> Fetched:
        """Send one request whose body is in memory and read the whole answer, calling
        ``check`` (the caller's deadline) after every piece.

        ``url`` goes out exactly as given (already encoded); ``headers`` are all that is sent
        besides ``Host`` and ``Content-Length``. Failures raise the matching httpx exception.
        """
        scheme, host, port, target = split_url(url)
        if scheme == "https" and not self._tls_ready:
            self._ready_for_tls()
        pool = self._pool.connection_from_host(host, port, scheme)
        sent = urllib3.HTTPHeaderDict()
        for name, value in headers:
            sent.add(name, value)
        with _as_httpx_errors(None):
            response = pool.urlopen(
                method,
                target,
                body=body,
                headers=sent,
                retries=False,
                redirect=False,
                assert_same_host=False,
                timeout=urllib3.Timeout(connect=timeout.connect, read=timeout.read),
                preload_content=False,
                decode_content=False,
            )
        finished = False
        pieces = []
        try:
            while True:
                with _as_httpx_errors(None):
                    piece = response.read1(READ_SIZE, decode_content=False)
                if not piece:
                    break
                pieces.append(piece)
                check()  # outside the mapping: the caller's deadline error stays its own
            finished = True
        finally:
            if not finished:
                response.close()  # a half-read body cannot share its connection
            response.release_conn()
        content = b"".join(pieces)
        coding = response.headers.get("Content-Encoding")
        return Fetched(
            status=response.status,
            reason=response.reason or "",
            headers=response.headers,
            content=decoded(content, coding) if coding and content else content,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; the response's body streams on demand."""
        url = request.url
        scheme = url.scheme
        if scheme == "https" and not self._tls_ready:
            self._ready_for_tls()
        pool = self._pool.connection_from_host(url.host, url.port, scheme)
        headers = request.headers
        chunked = headers.get("transfer-encoding", "").lower() == "chunked"
        timeouts = request.extensions.get("timeout") or {}
        read_timeout = timeouts.get("read")
        timeout = urllib3.Timeout(connect=timeouts.get("connect"), read=read_timeout)
        target = request_target(request).decode("ascii")
        with _as_httpx_errors(request):
            response = pool.urlopen(
                request.method,
                target,
                body=None if _empty(headers) else cast("Iterable[bytes]", request.stream),
                headers=_headers(headers),
                retries=False,
                redirect=False,
                assert_same_host=False,
                timeout=timeout,
                preload_content=False,
                decode_content=False,
                chunked=chunked,
            )
        version = b"HTTP/1.1" if response.version == 11 else b"HTTP/1.0"
        body = _Body(response, request)
        return httpx.Response(
            status_code=response.status,
            headers=list(response.headers.items()),
            stream=body,
            extensions={
                "http_version": version,
                "reason_phrase": (response.reason or "").encode("ascii", "replace"),
                EXACT_READS: body.read_exact,  # httpx wraps the stream; this reaches it
            },
            request=request,
        )

    def close(self) -> None:
        """Close every pooled connection."""
        self._pool.clear()


def _empty(headers: httpx.Headers) -> bool:
    """True when the request has no body to send (no length, not chunked)."""
    return headers.get("content-length") in (None, "0") and "transfer-encoding" not in headers


def _headers(headers: httpx.Headers) -> urllib3.HTTPHeaderDict:
    """httpx's headers as built: names in their case and order, repeated names kept apart."""
    out = urllib3.HTTPHeaderDict()
    for name, value in headers.raw:
        out.add(name.decode("latin-1"), value.decode("latin-1"))
    return out
