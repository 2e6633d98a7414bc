"""Reading a large object as parallel ranged GETs, in order, in bounded memory.

A download of an object of at least two spans opens a GET of its first span (as boto3 does). How
long that request took to answer, against how fast its bytes came, tells whether more requests
pay: when a request's latency is small next to the time the rest needs on one connection (a real
S3 region; a server that is slow to start one long stream), the rest is fetched as ranged GETs
of ``span`` bytes, each pinned to the first answer's version (``If-Match``), ``window`` of them
in flight at every moment (a new one starts as soon as the oldest is handed over, so the
connections never wait for the slowest of a batch nor for the consumer), and handed out in
order. When every request costs much (a server that reads the
whole object for each request, as moto does), the rest comes as one stream instead.

At most ``window`` spans are held at once (the rest of the one being handed out included). Each
span is read as pieces of at most :data:`PIECE_SIZE` and handed out piece by piece (never joined:
a joined span would be a second copy, and one large allocation), so a consumer that writes and
drops each piece frees the span as it goes. A server that stops honouring ``Range`` (answering
200 with the whole object) is met by reading the rest as one stream.
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Callable
from typing import Any, cast

from omnicloud.errors import OmnicloudError, TransportError
from omnicloud.http._streaming import Close, Drop, Finish, Read, Start

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow
    from omnicloud.http._streaming import StreamFlow
    from omnicloud.storage._ops import OpenedObject, RangeAccess

__all__ = [
    "PROBE_SIZE",
    "RangeIgnoredError",
    "RangedReading",
    "byte_range",
    "pinned_reads",
    "read_span",
    "worth_ranges",
]

#: What a skipping read takes at a time.
PROBE_SIZE = 1024 * 1024
#: What one read of a ranged GET takes at a time (the pieces a span is held and handed out as).
PIECE_SIZE = 1024 * 1024
#: A rate no single connection is assumed to beat, so a burst already buffered by the kernel
#: does not pass for the connection's speed.
RATE_CAP = 1024 * 1024 * 1024
#: Ranges pay when the rest would take this many times one request's latency on one connection.
LATENCY_FACTOR = 8
#: A first ranged answer slower than this (seconds) marks a server that pays for the object's
#: whole size on every request (moto reads all of it, and copies long ranges): the rest then
#: comes from a plain GET, dropping the first span again, rather than from one long range.
SLOW_REQUEST = 0.5


class RangeIgnoredError(OmnicloudError):
    """The server answered a ranged GET with the whole object (status 200)."""


def worth_ranges(latency: float, probe: int, probe_seconds: float, rest: int) -> bool:
    """True when ``rest`` bytes on one connection (at the probe's rate, capped at
    :data:`RATE_CAP`) take longer than :data:`LATENCY_FACTOR` requests' ``latency``."""
    if probe <= 0 or rest <= 0:
        return False
    rate = min(probe / max(probe_seconds, 1e-9), RATE_CAP)
    return LATENCY_FACTOR * latency < rest / rate


class RangedReading:
    """The bytes of an object opened by ``open_whole`` (its first span), in order: the rest from
    parallel ranges when the first span shows they pay, else from one stream.

    ``plain`` is the caller's stream reader (``opened``, ``reader``, ``received`` and a
    ``next_chunk(size)`` flow with its own resume logic); ``access`` reads the rest; ``latency``
    is how long the first span took to be answered.
    ``next_chunk`` keeps that contract: the next bytes (at most ``size`` from a stream, a whole
    span from ranges), ``b""`` at the end.
    """

    def __init__(self, plain: Any, access: RangeAccess, latency: float) -> None:
        self.plain = plain
        self.access = access
        self.latency = latency
        self._mode = "probe"
        self._fetched = 0  # bytes requested by ranges so far (from the start of the object)
        self._ready: deque[bytes] = deque()
        self._pieces: deque[bytes] = deque()  # the rest of the span being handed out
        self._in_flight: deque[tuple[int, Any]] = deque()  # (first byte, started fetch), in order

    @property
    def reader(self) -> Any:
        """The plain stream (closed once ranges took over)."""
        return self.plain.reader

    def next_chunk(self, size: int) -> StreamFlow[bytes]:
        """The next bytes of the object (a piece of at most :data:`PIECE_SIZE` from ranges),
        ``b""`` at its end."""
        if self._mode == "probe":
            return (yield from self._probe())
        if self._mode == "stream":
            if self._ready:  # what a skip read past the bytes it dropped
                return self._ready.popleft()
            return cast("bytes", (yield from self.plain.next_chunk(size)))
        return (yield from self._next_span(size))

    def close(self) -> StreamFlow[None]:
        """Wait for the ranged GETs still in flight (their bytes are dropped), close the stream."""
        yield from self._drop_in_flight()
        with contextlib.suppress(Exception):  # a broken connection may refuse to close
            yield Close(self.plain.reader)

    def _probe(self) -> StreamFlow[bytes]:
        """The first span, timed: it decides between ranges and one stream for the rest."""
        span = self.access.span
        total = cast("int", self.plain.opened.size)
        started = time.monotonic()
        pieces: list[bytes] = []
        got = 0
        while got < span:  # an async stream gives what has arrived, not all it was asked
            more = cast("bytes", (yield from self.plain.next_chunk(span - got)))
            if not more:
                break
            pieces.append(more)
            got += len(more)
        piece = pieces[0] if len(pieces) == 1 else b"".join(pieces)
        seconds = time.monotonic() - started
        rest = total - len(piece)
        with contextlib.suppress(Exception):  # read to its end, it goes back to the pool
            yield Close(self.plain.reader)
        if rest > 0 and worth_ranges(self.latency, len(piece), seconds, rest):
            self._mode = "ranges"
            self._fetched = len(piece)
            return piece
        self._mode = "stream"
        if rest > 0 and piece:
            if self.latency < SLOW_REQUEST:
                yield from self._fall_back(len(piece))
            else:
                yield from self._skip_from_start(len(piece))
        return piece

    def _next_span(self, size: int) -> StreamFlow[bytes]:
        """The next piece in order (``b""`` after the last), keeping ``window`` GETs in flight."""
        if self._pieces:
            return self._pieces.popleft()
        access = self.access
        total = cast("int", self.plain.opened.size)
        while len(self._in_flight) < access.window and self._fetched < total:
            first, last = self._fetched, min(self._fetched + access.span, total)
            self._in_flight.append((first, (yield Start(access.fetch(first, last)))))
            self._fetched = last
        if not self._in_flight:
            return b""
        first, started = self._in_flight.popleft()
        try:
            self._pieces.extend(cast("list[bytes]", (yield Finish(started))))
        except RangeIgnoredError:
            yield from self._drop_in_flight()
            yield from self._fall_back(first)  # every byte before ``first`` was handed out
            return cast("bytes", (yield from self.plain.next_chunk(size)))
        except Exception:
            yield from self._drop_in_flight()
            raise
        return self._pieces.popleft() if self._pieces else b""

    def _drop_in_flight(self) -> StreamFlow[None]:
        if self._in_flight:
            started = tuple(handle for _first, handle in self._in_flight)
            self._in_flight.clear()
            yield Drop(started)

    def _fall_back(self, received: int) -> StreamFlow[None]:
        """Read the rest as one stream from byte ``received`` (a server that stopped honouring
        ``Range``, answering 200 with the whole object, gets a plain GET with those skipped)."""
        self._mode = "stream"
        try:
            yield from self._resume_at(received)
            return
        except RangeIgnoredError:
            pass
        yield from self._skip_from_start(received)

    def _resume_at(self, received: int) -> StreamFlow[None]:
        """Continue as one stream from byte ``received`` of the same version (a long range)."""
        resume = cast("Callable[[int], Flow[OpenedObject]]", self.plain.opened.resume)
        self.plain.reader = (yield from resume(received)).reader
        self.plain.received = received

    def _skip_from_start(self, received: int) -> StreamFlow[None]:
        """Open the whole object again and drop its first ``received`` bytes."""
        self.plain.reader = (yield from self.access.restart()).reader
        skip = received
        while skip > 0:
            dropped = yield Read(self.plain.reader, min(skip, PROBE_SIZE))
            if not dropped:
                raise TransportError("the object ended before the bytes already received")
            if len(dropped) > skip:  # an async read gives what arrived, maybe more than asked
                self._ready.append(dropped[skip:])
            skip -= len(dropped)
        self.plain.received = received + sum(len(piece) for piece in self._ready)


def read_span(
    open_from: Callable[[int], StreamFlow[Any]], name: str, first: int, last: int
) -> StreamFlow[list[bytes]]:
    """Bytes ``first`` to ``last`` (exclusive) of object ``name``, whole, as pieces of at most
    :data:`PIECE_SIZE`. ``open_from(start)`` opens a ranged GET from ``start`` to ``last``
    (pinned to one version by the caller); a connection lost mid-body asks for the bytes still
    missing, up to 3 times."""
    from omnicloud.storage.errors import IntegrityError

    pieces: list[bytes] = []
    got, want, losses = 0, last - first, 0
    while got < want:
        stream = yield from open_from(first + got)
        try:
            while got < want:
                piece = yield Read(stream, min(want - got, PIECE_SIZE))
                if not piece:
                    raise IntegrityError(
                        f"{name}: bytes {first}-{last - 1} ended after {got} bytes"
                    )
                pieces.append(piece)
                got += len(piece)
        except TransportError:
            losses += 1
            if losses > 3:
                raise
        finally:
            with contextlib.suppress(Exception):  # a broken connection may refuse to close
                yield Close(stream)
    return pieces


def byte_range(start: int, end: int | None) -> str:
    """A ``Range`` header value for bytes ``[start, end)`` (``end`` None: to the end)."""
    return f"bytes={start}-{'' if end is None else end - 1}"


def pinned_reads(
    open_get: Callable[[dict[str, str], tuple[int, ...]], StreamFlow[Any]],
    name: str,
    *,
    range_header: str,
    pin: dict[str, str],
    window: int,
    span: int,
) -> tuple[Callable[[int], StreamFlow[OpenedObject]], RangeAccess]:
    """How the rest of one version of object ``name``, opened by its first span, is read: the
    ``resume`` of that first answer and the :class:`~omnicloud.storage._ops.RangeAccess` for
    the others. ``open_get(headers, expected)`` opens a GET of the object; ``range_header``
    asks for a range; ``pin`` (``If-Match``, or nothing where ``open_get`` names the version
    itself) goes with every request."""
    from omnicloud.storage._ops import OpenedObject, RangeAccess

    def resume(received: int) -> StreamFlow[OpenedObject]:
        again = yield from open_get({range_header: byte_range(received, None), **pin}, (206,))
        return OpenedObject(reader=again, size=None, md5=None)

    def fetch(first: int, last: int) -> StreamFlow[list[bytes]]:
        def open_from(start: int) -> StreamFlow[Any]:
            return open_get({range_header: byte_range(start, last), **pin}, (206,))

        return read_span(open_from, name, first, last)

    def restart() -> StreamFlow[OpenedObject]:
        again = yield from open_get(dict(pin), (200,))
        return OpenedObject(reader=again, size=None, md5=None)

    return resume, RangeAccess(fetch=fetch, restart=restart, window=window, span=span)
