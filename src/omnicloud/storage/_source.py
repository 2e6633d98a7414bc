"""Upload sources: one reader over bytes, files, iterators and async iterators.

A :class:`ChunkSource` hands out *filled* pieces (exactly ``size`` bytes except at the end) in order,
to one reader or to several concurrent part uploaders, and counts the bytes it gave out.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import Any

from omnicloud.errors import ValidationError

__all__ = ["ChunkSource", "PartReader"]

FILE_READ_SIZE = 1024 * 1024


class ChunkSource:
    """Reads an upload's data from bytes, a binary file object, or (async) iterables of bytes."""

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
        self._buffer = bytearray()
        self._done = False
        self._lock = threading.Lock()
        self._alock: Any = None
        self.bytes_read = 0

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes, fewer only at the end; ``b""`` once exhausted."""
        with self._lock:
            return self._fill(size)

    async def aread(self, size: int) -> bytes:
        """Like :meth:`read`; blocking sources are read in a worker thread."""
        import anyio
        import anyio.to_thread

        if self._alock is None:
            self._alock = anyio.Lock()
        async with self._alock:
            if self._aiter is None:
                return await anyio.to_thread.run_sync(self.read, size)
            while len(self._buffer) < size and not self._done:
                try:
                    chunk = await anext(self._aiter)
                except StopAsyncIteration:
                    self._done = True
                    break
                self._buffer += _as_bytes(chunk)
            return self._take(size)

    def _fill(self, size: int) -> bytes:
        if self._aiter is not None:
            raise ValidationError("an async iterable can only be uploaded by an async driver")
        if self._file is not None and not self._buffer:
            return self._read_file(size)
        while len(self._buffer) < size and not self._done:
            chunk = self._next_chunk(size - len(self._buffer))
            if not chunk:
                self._done = True
                break
            if not self._buffer and len(chunk) >= size:
                return self._count(chunk[:size]) if len(chunk) == size else self._split(chunk, size)
            self._buffer += chunk
        return self._take(size)

    def _read_file(self, size: int) -> bytes:
        parts: list[bytes] = []
        wanted = size
        while wanted > 0 and not self._done:
            chunk = self._file.read(wanted)
            if not chunk:
                self._done = True
                break
            chunk = _as_bytes(chunk)
            parts.append(chunk)
            wanted -= len(chunk)
        data = parts[0] if len(parts) == 1 else b"".join(parts)
        return self._count(data)

    def _next_chunk(self, wanted: int) -> bytes:
        if self._file is not None:
            return _as_bytes(self._file.read(max(wanted, FILE_READ_SIZE)))
        assert self._iter is not None
        for chunk in self._iter:
            if chunk:
                return _as_bytes(chunk)
        return b""

    def _split(self, chunk: bytes, size: int) -> bytes:
        self._buffer += memoryview(chunk)[size:]
        return self._count(chunk[:size])

    def _take(self, size: int) -> bytes:
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return self._count(data)

    def _count(self, data: bytes) -> bytes:
        self.bytes_read += len(data)
        return data


class PartReader:
    """Numbered parts from a source for concurrent uploaders: ``(part_number, data)``.

    ``first`` is a part already read. Once :meth:`stop` is called (a part failed), readers get
    empty data, so the other uploaders finish quickly.
    """

    def __init__(self, source: ChunkSource, first: bytes) -> None:
        self._source = source
        self._first: bytes | None = first
        self._number = 0
        self._stopped = False
        self._lock = threading.Lock()
        self._alock: Any = None

    def stop(self) -> None:
        """Hand out no more parts."""
        self._stopped = True

    def read(self, size: int) -> tuple[int, bytes]:
        """The next part number and its bytes (empty at the end)."""
        with self._lock:
            return self._next(self._source.read(size) if self._first is None else b"")

    async def aread(self, size: int) -> tuple[int, bytes]:
        """The next part number and its bytes (empty at the end)."""
        import anyio

        if self._alock is None:
            self._alock = anyio.Lock()
        async with self._alock:
            pending = self._first is not None or self._stopped
            return self._next(b"" if pending else await self._source.aread(size))

    def _next(self, data: bytes) -> tuple[int, bytes]:
        if self._stopped:
            return self._number, b""
        if self._first is not None:
            data, self._first = self._first, None
        if not data:
            return self._number, b""
        self._number += 1
        return self._number, data


def _as_bytes(chunk: Any) -> bytes:
    if isinstance(chunk, bytes):
        return chunk
    if isinstance(chunk, bytearray | memoryview):
        return bytes(chunk)
    if isinstance(chunk, str):
        raise ValidationError("upload data must be bytes, not str (open files in binary mode)")
    raise ValidationError(f"upload chunks must be bytes, not {type(chunk).__name__}")
