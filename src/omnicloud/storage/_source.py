"""Upload sources: one reader over bytes, files, iterators and async iterators.

A :class:`ChunkSource` hands out *filled* pieces (exactly ``size`` bytes except at the end) in
order, to one reader or to several concurrent part uploaders, and counts the bytes it gave out.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import Any

from omnicloud.errors import ValidationError

__all__ = ["ChunkSource", "PartReader", "PiecesReader"]

FILE_READ_SIZE = 1024 * 1024


class ChunkSource:
    """Reads an upload's data from bytes, a binary file object, or (async) iterables of bytes.

    :meth:`pieces` returns the caller's own chunks (split only at a boundary), so building a
    multipart part copies nothing; :meth:`read` joins them.
    """

    def __init__(self, data: Any) -> None:
        self._file: Any = None
        self._iter: Iterator[bytes] | None = None
        self._aiter: AsyncIterator[bytes] | None = None
        if isinstance(data, bytes | bytearray | memoryview):
            self._iter = iter([bytes(data)])
        elif hasattr(data, "read"):
            self._file = data
        elif isinstance(data, AsyncIterable):
            self._aiter = aiter(data)
        elif isinstance(data, Iterable) and not isinstance(data, str):
            self._iter = iter(data)
        else:
            raise ValidationError(
                "upload data must be bytes, a binary file object or an iterable of bytes, "
                f"not {type(data).__name__}"
            )
        self._rest = b""
        self._done = False
        self._lock = threading.Lock()
        self._alock: Any = None
        self.bytes_read = 0

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes, fewer only at the end; ``b""`` once exhausted."""
        return _join(self.pieces(size))

    async def aread(self, size: int) -> bytes:
        """Like :meth:`read`; blocking sources are read in a worker thread."""
        return _join(await self.apieces(size))

    def pieces(self, size: int) -> list[bytes]:
        """Chunks totalling ``size`` bytes (less only at the end; ``[]`` once exhausted)."""
        if self._aiter is not None:
            raise ValidationError("an async iterable can only be uploaded by an async driver")
        with self._lock:
            return self._collect(size, self._next_chunk)

    async def apieces(self, size: int) -> list[bytes]:
        """Like :meth:`pieces`; blocking sources are read in a worker thread."""
        import anyio
        import anyio.to_thread

        if self._alock is None:
            self._alock = anyio.Lock()
        async with self._alock:
            if self._aiter is None:
                return await anyio.to_thread.run_sync(self.pieces, size)
            out: list[bytes] = []
            wanted = size
            while wanted > 0:
                chunk = self._take_rest(wanted)
                if not chunk and not self._done:
                    try:
                        chunk = self._split(_as_bytes(await anext(self._aiter)), wanted)
                    except StopAsyncIteration:
                        self._done = True
                if not chunk:
                    if self._done:
                        break
                    continue
                out.append(chunk)
                wanted -= len(chunk)
            self.bytes_read += size - wanted
            return out

    def _collect(self, size: int, source: Any) -> list[bytes]:
        out: list[bytes] = []
        wanted = size
        while wanted > 0:
            chunk = self._take_rest(wanted)
            if not chunk and not self._done:
                chunk = source(wanted)
                if not chunk:
                    self._done = True
                chunk = self._split(chunk, wanted)
            if not chunk:
                if self._done:
                    break
                continue
            out.append(chunk)
            wanted -= len(chunk)
        self.bytes_read += size - wanted
        return out

    def _take_rest(self, wanted: int) -> bytes:
        if not self._rest:
            return b""
        return self._split(self._rest, wanted, from_rest=True)

    def _split(self, chunk: bytes, wanted: int, from_rest: bool = False) -> bytes:
        if len(chunk) <= wanted:
            if from_rest:
                self._rest = b""
            return chunk
        self._rest = chunk[wanted:]
        return chunk[:wanted]

    def _next_chunk(self, wanted: int) -> bytes:
        if self._file is not None:
            return _as_bytes(self._file.read(min(wanted, FILE_READ_SIZE)))
        assert self._iter is not None
        for chunk in self._iter:
            if chunk:
                return _as_bytes(chunk)
        return b""


class PartReader:
    """Numbered parts from a source for concurrent uploaders: ``(part_number, data)``.

    ``first`` is a part already read. Once :meth:`stop` is called (a part failed), readers get
    empty data, so the other uploaders finish quickly.
    """

    def __init__(self, source: ChunkSource, first: list[bytes]) -> None:
        self._source = source
        self._first: list[bytes] | None = first
        self._number = 0
        self._stopped = False
        self._lock = threading.Lock()
        self._alock: Any = None

    def stop(self) -> None:
        """Hand out no more parts."""
        self._stopped = True

    def read(self, size: int) -> tuple[int, list[bytes]]:
        """The next part number and its pieces (empty at the end)."""
        with self._lock:
            pending = self._first is not None or self._stopped
            return self._next([] if pending else self._source.pieces(size))

    async def aread(self, size: int) -> tuple[int, list[bytes]]:
        """The next part number and its pieces (empty at the end)."""
        import anyio

        if self._alock is None:
            self._alock = anyio.Lock()
        async with self._alock:
            pending = self._first is not None or self._stopped
            return self._next([] if pending else await self._source.apieces(size))

    def _next(self, data: list[bytes]) -> tuple[int, list[bytes]]:
        if self._stopped:
            return self._number, []
        if self._first is not None:
            data, self._first = self._first, None
        if not data:
            return self._number, []
        self._number += 1
        return self._number, data


def _join(pieces: list[bytes]) -> bytes:
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)


class PiecesReader:
    """``read``/``aread`` of a source's pieces, for the :class:`Read` effect."""

    def __init__(self, source: ChunkSource) -> None:
        self._source = source

    def read(self, size: int) -> list[bytes]:
        return self._source.pieces(size)

    async def aread(self, size: int) -> list[bytes]:
        return await self._source.apieces(size)


def _as_bytes(chunk: Any) -> bytes:
    if isinstance(chunk, bytes):
        return chunk
    if isinstance(chunk, bytearray | memoryview):
        return bytes(chunk)
    if isinstance(chunk, str):
        raise ValidationError("upload data must be bytes, not str (open files in binary mode)")
    raise ValidationError(f"upload chunks must be bytes, not {type(chunk).__name__}")
