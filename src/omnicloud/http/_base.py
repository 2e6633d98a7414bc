"""The transport interface: how a runner hands an :class:`~omnicloud.http._wire.Outgoing` request
to an HTTP library, one implementation per library and mode.

A :class:`SyncTransport` (urllib3; httpx for proxies and HTTP/2; the in-process simulator) and an
:class:`AsyncTransport` (aiohttp under asyncio; httpx under trio, for proxies and HTTP/2; the
in-process simulator) each do three things:

- :meth:`~SyncTransport.open` sends a request and returns once the status and headers have
  arrived: a :class:`SyncStream` / :class:`AsyncStream` whose body is read on demand, as stored;
- :meth:`~SyncTransport.send` sends a request and reads the whole answer, ``Content-Encoding``
  undone, by the request's deadline (the base class does it with :meth:`open`);
- ``close`` / ``aclose`` closes pooled connections.

Every failure leaves a transport as one of omnicloud's errors, made by :func:`not_sent`,
:func:`timed_out` or :func:`broken` (secrets redacted): each transport maps its own library's
exceptions, once, and nothing above it knows which library ran.
"""

from __future__ import annotations

import contextlib
import time
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping

from omnicloud.errors import RequestNotSentError, RequestTimeoutError, TransportError
from omnicloud.http._models import HttpResponse
from omnicloud.http._wire import Outgoing, decode_body

__all__ = [
    "READ_SIZE",
    "AsyncStream",
    "AsyncTransport",
    "SyncStream",
    "SyncTransport",
    "broken",
    "not_sent",
    "past_deadline",
    "refused",
    "timed_out",
]

#: How much one read of a whole answer asks for: a fast network fills it in one system call.
READ_SIZE = 1024 * 1024


def not_sent(request: Outgoing, why: str, detail: str) -> RequestNotSentError:
    """The request provably never reached the server (``why``: "could not connect", ...)."""
    text = request.redactor.text(detail)
    return RequestNotSentError(f"{request.label}: {why}: {text}", operation=request.label)


@contextlib.contextmanager
def refused(request: Outgoing) -> Iterator[None]:
    """Around handing a request to a library: what it refuses to send (a line break in a header
    value: ``ValueError``) was not sent."""
    try:
        yield
    except ValueError as exc:
        raise not_sent(request, "invalid request", str(exc)) from None


def timed_out(request: Outgoing) -> RequestTimeoutError:
    """The server did not answer within the read timeout."""
    label = request.label
    return RequestTimeoutError(f"{label}: timed out waiting for the server", operation=label)


def past_deadline(request: Outgoing) -> RequestTimeoutError:
    """The whole answer took longer than the total timeout."""
    label = request.label
    return RequestTimeoutError(
        f"{label}: the response took longer than the total timeout", operation=label
    )


def broken(request: Outgoing, detail: str) -> TransportError:
    """The exchange failed after the request may have reached the server."""
    text = request.redactor.text(detail)
    return TransportError(f"{request.label}: connection failed: {text}", operation=request.label)


def _response(
    request: Outgoing, stream: SyncStream | AsyncStream, content: bytes, started: float
) -> HttpResponse:
    try:
        content = decode_body(content, stream.headers.get("content-encoding"))
    except zlib.error as exc:
        coding = stream.headers.get("content-encoding")
        raise broken(request, f"the {coding} body does not decode: {exc}") from None
    return HttpResponse(
        status=stream.status,
        headers=stream.headers,
        content=content,
        reason=stream.reason,
        url=request.url,
        elapsed=time.monotonic() - started,
    )


class SyncStream(ABC):
    """An answer whose status and headers have arrived; its body is read on demand, as stored
    (no ``Content-Encoding`` undone). Read failures raise omnicloud's errors."""

    status: int
    reason: str
    headers: Mapping[str, str]  # case-insensitive

    @abstractmethod
    def read1(self, size: int) -> bytes:
        """What has arrived, at most ``size`` bytes (at least one); ``b""`` at the end."""

    def read(self, size: int) -> bytes:
        """The next ``size`` bytes (fewer only at the end); ``b""`` at the end."""
        first = self.read1(size)
        if not first or len(first) >= size:
            return first
        pieces = bytearray(first)
        while len(pieces) < size and (piece := self.read1(size - len(pieces))):
            pieces += piece
        return bytes(pieces)

    @abstractmethod
    def close(self) -> None:
        """Hand the connection back when the body was read to its end, else drop it."""


class AsyncStream(ABC):
    """The async form of :class:`SyncStream`."""

    status: int
    reason: str
    headers: Mapping[str, str]

    @abstractmethod
    async def aread(self, size: int) -> bytes:
        """What has arrived, at most ``size`` bytes (at least one); ``b""`` at the end."""

    async def aread_all(self) -> bytes:
        """The rest of the body."""
        pieces = []
        while piece := await self.aread(READ_SIZE):
            pieces.append(piece)
        return b"".join(pieces)

    @abstractmethod
    async def aclose(self) -> None:
        """Hand the connection back when the body was read to its end, else drop it."""


class SyncTransport(ABC):
    """Sends requests from synchronous code (see the module's description)."""

    @abstractmethod
    def open(self, request: Outgoing) -> SyncStream:
        """Send ``request``; return once the status and headers have arrived."""

    def send(self, request: Outgoing) -> HttpResponse:
        """Send ``request`` and read the whole answer by ``request.deadline``."""
        started = time.monotonic()
        stream = self.open(request)
        try:
            pieces = []
            while piece := stream.read1(READ_SIZE):
                pieces.append(piece)
                if time.monotonic() > request.deadline:
                    raise past_deadline(request)
        finally:
            stream.close()
        return _response(request, stream, b"".join(pieces), started)

    def close(self) -> None:  # noqa: B027 - nothing to close unless the transport pools
        """Close pooled connections."""


class AsyncTransport(ABC):
    """Sends requests from async code (see the module's description). The total deadline is
    the runner's (a cancel scope), so :meth:`send` needs no clock of its own."""

    @abstractmethod
    async def open(self, request: Outgoing) -> AsyncStream:
        """Send ``request``; return once the status and headers have arrived."""

    async def send(self, request: Outgoing) -> HttpResponse:
        """Send ``request`` and read the whole answer."""
        started = time.monotonic()
        stream = await self.open(request)
        try:
            content = await stream.aread_all()
        finally:
            await stream.aclose()
        return _response(request, stream, content, started)

    async def aclose(self) -> None:  # noqa: B027 - nothing to close unless the transport pools
        """Close pooled connections."""
