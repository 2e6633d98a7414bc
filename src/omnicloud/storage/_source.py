"""Upload sources: one reader over bytes, files, iterators and async iterators.

A :class:`ChunkSource` hands out *filled* pieces (exactly ``size`` bytes except at the end) in
order, to one reader or to several concurrent part uploaders, and counts the bytes it gave out.

A source that is a regular file read from a known position also offers its :meth:`~ChunkSource.
region`: uploaders then send windows of it as :class:`FileSpan` bodies, read by position in small
pieces while they go out (and again for a resend), so no part is ever held in memory. Other
sources (iterators, pipes, in-memory buffers) can only be read once: their uploaders hold one
part at a time.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import threading
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from omnicloud.errors import ValidationError

__all__ = ["ChunkSource", "FileRegion", "FileSpan", "PartReader", "PiecesReader"]

FILE_READ_SIZE = 1024 * 1024
#: What a :class:`FileSpan` reads (and holds) at a time while its bytes go out.
SPAN_PIECE = 256 * 1024


@dataclass(frozen=True, slots=True)
class FileRegion:
    """The rest of a regular file: descriptor ``fd``, from byte ``start``, ``size`` bytes."""

    fd: int
    start: int
    size: int

    def span(self, offset: int, length: int, **options: Any) -> FileSpan:
        """A request body of ``length`` bytes from ``offset`` (relative to :attr:`start`)."""
        return FileSpan(self.fd, self.start + offset, length, **options)

    def md5(
        self, stopped: Callable[[], bool] | None = None, offset: int = 0, length: int | None = None
    ) -> Any:
        """The MD5 (a ``hashlib`` object) of ``length`` bytes from ``offset`` (default: the whole
        region), read in pieces (blocking: run it as a ``Call``); ``stopped()`` true ends it
        early (the digest is then of no use)."""
        hasher = hashlib.md5(usedforsecurity=False)
        size = self.size - offset if length is None else length
        span = self.span(offset, size, md5=False, observe=lambda _at, piece: hasher.update(piece))
        for _piece in span:
            if stopped is not None and stopped():
                break
        return hasher


class FileSpan:
    """A request body: ``length`` bytes of a file from byte ``start``, read by position
    (``os.pread``, so parallel spans of one file never share a file position) in pieces of
    :data:`SPAN_PIECE` as they are sent. Re-iterable, so a retry resends it from the file.

    :attr:`md5` is the MD5 of the bytes of the latest pass (with ``md5=True``); ``observe(offset,
    piece)`` sees each piece read (offsets relative to the file's start).
    """

    __slots__ = ("_md5", "_observe", "fd", "length", "md5", "start")

    def __init__(
        self,
        fd: int,
        start: int,
        length: int,
        *,
        md5: bool = True,
        observe: Callable[[int, bytes], None] | None = None,
    ) -> None:
        self.fd = fd
        self.start = start
        self.length = length
        self._md5 = md5
        self._observe = observe
        self.md5: Any = None

    def __len__(self) -> int:
        return self.length

    def __repr__(self) -> str:
        return f"<FileSpan {self.start}+{self.length}>"

    def md5_hex(self) -> str:
        """The MD5 (hex) of the bytes read in the latest complete pass."""
        if self.md5 is None:
            raise ValidationError("the span was not read")
        return str(self.md5.hexdigest())

    def _begin(self) -> None:
        self.md5 = hashlib.md5(usedforsecurity=False) if self._md5 else None

    def _piece(self, position: int) -> bytes:
        size = min(SPAN_PIECE, self.start + self.length - position)
        piece = os.pread(self.fd, size, position)
        if not piece:
            from omnicloud.storage.errors import IntegrityError

            raise IntegrityError(
                f"the file ended at byte {position}, {self.start + self.length - position} "
                "bytes before the end it had when the upload began"
            )
        if self.md5 is not None:
            self.md5.update(piece)
        if self._observe is not None:
            self._observe(position, piece)
        return piece

    def __iter__(self) -> Iterator[bytes]:
        self._begin()
        position, end = self.start, self.start + self.length
        while position < end:
            piece = self._piece(position)
            position += len(piece)
            yield piece

    async def __aiter__(self) -> AsyncIterator[bytes]:
        import anyio.to_thread

        self._begin()
        position, end = self.start, self.start + self.length
        while position < end:
            piece = await anyio.to_thread.run_sync(self._piece, position)
            position += len(piece)
            yield piece


def _file_region(handle: Any) -> FileRegion | None:
    """The region of ``handle`` still to read, when it is a binary regular file."""
    if isinstance(handle, io.TextIOBase):
        return None
    try:
        fd = handle.fileno()
        if not handle.seekable():
            return None
        start = handle.tell()
        info = os.fstat(fd)
    except (AttributeError, OSError, ValueError):
        return None
    if not isinstance(fd, int) or not stat.S_ISREG(info.st_mode) or start < 0:
        return None
    return FileRegion(fd, start, max(info.st_size - start, 0))


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
        self._region: FileRegion | None = None
        self._region_known = False

    def region(self) -> FileRegion | None:
        """The file region still to read, when the source is a binary regular file read from
        its current position (nothing read through :meth:`pieces` yet); else None."""
        if not self._region_known:
            self._region_known = True
            if self._file is not None and self.bytes_read == 0 and not self._rest:
                self._region = _file_region(self._file)
        return self._region if self.bytes_read == 0 else None

    def consumed(self, size: int) -> None:
        """Record that ``size`` bytes of :meth:`region` were sent: the file is left after them."""
        region = self._region
        if region is None:
            raise ValidationError("the source has no file region")
        self.bytes_read += size
        self._done = True
        self._file.seek(region.start + size)

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
