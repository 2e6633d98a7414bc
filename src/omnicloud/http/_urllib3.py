"""The synchronous network transport: HTTP/1.1 over urllib3's connection pool.

httpx's own HTTP/1.1 stack (httpcore + h11) reads a response in 64 KiB pieces and copies every
piece through h11's receive buffer: about 2.5 s of CPU per GiB here, ten times what urllib3 (the
pool under boto3 and requests) spends, whose reads land straight in the buffer the caller asked
for. Listing pages and object downloads are bound by exactly that cost, so the sync runner sends
over urllib3 unless HTTP/2 or a proxy (explicit or from the environment) is configured: those go
through :mod:`omnicloud.http._httpx`.

urllib3 never retries nor follows a redirect here: retries belong to :mod:`omnicloud.http._retry`,
which knows what is idempotent. Every urllib3 and socket failure leaves this module as one of
omnicloud's errors (:func:`_mapped`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, cast

import urllib3
import urllib3.connection
from urllib3 import exceptions as u3

from omnicloud.http._base import (
    SyncStream,
    SyncTransport,
    broken,
    not_sent,
    refused,
    timed_out,
)
from omnicloud.http._config import HttpConfig, environment_proxies
from omnicloud.http._wire import Outgoing

__all__ = ["Urllib3Transport", "sync_transport"]


def sync_transport(config: HttpConfig) -> Any:
    """What carries a sync runner's requests with ``config``: ``config.transport`` when given
    (an omnicloud :class:`SyncTransport` or an httpx transport), urllib3, or None for httpx's
    own transport (HTTP/2, proxies)."""
    if config.transport is not None:
        return config.transport
    if config.http2 or config.proxy or (config.trust_env and environment_proxies()):
        return None
    return Urllib3Transport(config)


@contextlib.contextmanager
def _mapped(request: Outgoing) -> Iterator[None]:
    """Re-raise urllib3 and socket failures as omnicloud's errors."""
    try:
        yield
    except u3.NewConnectionError as exc:  # before ConnectTimeoutError: it subclasses it
        raise not_sent(request, "could not connect", _reason(exc)) from None
    except (u3.ConnectTimeoutError, u3.SSLError) as exc:
        raise not_sent(request, "could not connect", _reason(exc)) from None
    except u3.ProxyError as exc:
        raise not_sent(request, "proxy error", _reason(exc)) from None
    except u3.LocationValueError as exc:
        raise not_sent(request, "invalid request", _reason(exc)) from None
    except (u3.ReadTimeoutError, TimeoutError):
        raise timed_out(request) from None
    except (OSError, u3.HTTPError) as exc:  # reset, truncated or malformed answer
        raise broken(request, _reason(exc)) from None


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


class _Stream(SyncStream):
    """A urllib3 response whose body has not been read yet."""

    __slots__ = ("_ended", "_request", "_response", "headers", "reason", "status")

    def __init__(self, response: urllib3.BaseHTTPResponse, request: Outgoing) -> None:
        self._response = response
        self._request = request
        self._ended = False  # a read returned b"": the whole body (chunked or not) is in
        self.status = response.status
        self.reason = response.reason or ""
        self.headers: Mapping[str, str] = response.headers

    def read1(self, size: int) -> bytes:
        """What has arrived (at most ``size`` bytes), as stored."""
        with _mapped(self._request):
            piece = self._response.read1(size, decode_content=False)
        self._ended = not piece
        return piece

    def read(self, size: int) -> bytes:
        """The next ``size`` bytes (fewer only at the end), read straight into one buffer."""
        with _mapped(self._request):
            piece = self._response.read(size, decode_content=False)
        self._ended = not piece
        return piece

    def close(self) -> None:
        """Hand the connection back when the body was read to its end, else drop it."""
        response = self._response
        if not (self._ended or response.length_remaining == 0 or response.closed):
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


class Urllib3Transport(SyncTransport):
    """Sends HTTP/1.1 over a urllib3 pool (TLS per ``config``); keeps up to ``max_keepalive``
    idle connections per host."""

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

    def open(self, request: Outgoing) -> SyncStream:
        """Send ``request``; return once the status and headers have arrived."""
        if request.scheme == "https" and not self._tls_ready:
            # loading a CA bundle is costly: plain-HTTP clients never do it
            self._pool.connection_pool_kw["ssl_context"] = self._config.ssl_context()
            self._tls_ready = True
        headers = dict(request.headers)
        body = cast("bytes | Iterable[bytes] | None", request.body)  # sync: never async
        chunked = not (body is None or isinstance(body, bytes)) and not any(
            name.lower() == "content-length" for name in headers
        )
        with _mapped(request), refused(request):
            pool = self._pool.connection_from_host(request.host, request.port, request.scheme)
            response = pool.urlopen(
                request.method,
                request.target,  # as given: urllib3 keeps dot segments in the request line
                body=body,
                headers=headers,
                retries=False,
                redirect=False,
                assert_same_host=False,
                timeout=urllib3.Timeout(connect=request.connect_timeout, read=request.read_timeout),
                preload_content=False,
                decode_content=False,
                chunked=chunked,
            )
        return _Stream(response, request)

    def close(self) -> None:
        """Close every pooled connection."""
        self._pool.clear()
