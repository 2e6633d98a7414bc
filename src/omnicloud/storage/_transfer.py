"""Download flows shared by every provider: stream with checks, or save to a file atomically."""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Iterator
from typing import Any

from omnicloud._flow import Emit
from omnicloud.errors import TransportError, ValidationError
from omnicloud.http._streaming import Call, Close, Read
from omnicloud.storage._hashing import Expected, digest_for
from omnicloud.storage._ranges import RangedReading
from omnicloud.storage.errors import IntegrityError, ObjectHashMismatchError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud.http._streaming import StreamFlow
    from omnicloud.storage._models import Object
    from omnicloud.storage._ops import OpenedObject, StorageOps

__all__ = ["DEFAULT_CHUNK_SIZE", "check_range", "download_to_file", "stream_object"]

log = logging.getLogger("omnicloud.storage")

DEFAULT_CHUNK_SIZE = 1024 * 1024
MAX_RESUMES = 3  # reopenings after a connection lost mid-body, per download


def check_range(start: int, end: int | None) -> None:
    """Reject ranges Libcloud rejects: negative start, empty or reversed (``end`` is exclusive)."""
    if start < 0:
        raise ValidationError("start_bytes must be 0 or more")
    if end is not None and end <= start:
        raise ValidationError("end_bytes must be greater than start_bytes (it is exclusive)")


class _Check:
    """Counts and hashes what was read, then compares with what the provider promised, and
    records in ``obj.extra["verified"]`` whether every byte was checked against a stored hash."""

    def __init__(self, obj: Object, opened: OpenedObject) -> None:
        self.obj = obj
        self.opened = opened
        self.received = 0
        expected = opened.expected
        if expected is None and opened.md5:
            expected = Expected("md5", opened.md5, "MD5")
        self.expected = expected
        self.digest = digest_for(expected, opened.size) if expected is not None else None

    def feed(self, chunk: bytes) -> None:
        self.received += len(chunk)
        if self.digest is not None:
            self.digest.update(chunk)

    def close(self) -> None:
        """Release the digest (a worker thread for large objects), whatever happened."""
        if self.digest is not None:
            self.digest.close()

    def finish(self) -> StreamFlow[None]:
        """Raise unless the size (and, where stated, the digest) match."""
        expected = self.opened.size
        if expected is not None and self.received != expected:
            self.close()
            self.obj.extra["verified"] = False
            raise IntegrityError(
                f"{self.obj.name}: received {self.received} bytes, expected {expected}"
            )
        if self.digest is None or self.expected is None:
            self.obj.extra["verified"] = False
            return
        stated = self.expected
        if (digest := self.digest.value()) == stated.value:
            self.obj.extra["verified"] = True
            return
        self.obj.extra["verified"] = False
        if self.opened.confirm is not None and not (yield from self.opened.confirm()):
            log.warning(
                "%s: not verified: its parts are not the size assumed to check %s",
                self.obj.name,
                stated.source,
            )
            return
        raise ObjectHashMismatchError(
            f"{self.obj.name}: {stated.algorithm.upper()} of the received bytes {digest} "
            f"differs from the stored {stated.source} {stated.value}"
        )


class _Chunker:
    """Regroups pieces of any size (as the network delivers them) into chunks of exactly ``size``
    bytes, copying each byte once and making each chunk only when it is asked for."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.pieces: list[bytes] = []
        self.total = 0

    def add(self, piece: bytes) -> Iterator[bytes]:
        """The chunks ``piece`` completes (often none), one at a time."""
        size = len(piece)
        offset = 0
        if self.pieces:
            need = self.size - self.total
            if size < need:
                self.pieces.append(piece)
                self.total += size
                return
            self.pieces.append(piece[:need])
            chunk = b"".join(self.pieces)
            self.pieces, self.total = [], 0
            yield chunk
            offset = need
        if offset == 0 and size == self.size:
            yield piece
            return
        view = memoryview(piece)
        while size - offset >= self.size:
            yield bytes(view[offset : offset + self.size])
            offset += self.size
        if offset < size:
            self.pieces.append(bytes(view[offset:]))
            self.total = size - offset

    def rest(self) -> bytes:
        """What is left at the end (shorter than ``size``)."""
        tail = b"".join(self.pieces)
        self.pieces, self.total = [], 0
        return tail


class _Reading:
    """The reader in use, which a lost connection replaces by a resumed one; ``received`` counts
    the bytes handed out (from the start of what was opened), where a resumption starts."""

    def __init__(self, opened: OpenedObject) -> None:
        self.opened = opened
        self.reader = opened.reader
        self.received = 0
        self.resumes = 0

    def close(self) -> StreamFlow[None]:
        """Release the stream."""
        yield Close(self.reader)

    def next_chunk(self, size: int) -> StreamFlow[bytes]:
        """The next chunk; after a lost connection, the rest of the object reopened."""
        while True:
            try:
                chunk: bytes = yield Read(self.reader, size)
                self.received += len(chunk)
                return chunk
            except TransportError:
                if self.opened.resume is None or self.resumes >= MAX_RESUMES:
                    raise
            self.resumes += 1
            with contextlib.suppress(Exception):  # a broken connection may refuse to close
                yield Close(self.reader)
            self.reader = (yield from self.opened.resume(self.received)).reader


def _open_reading(
    ops: StorageOps, obj: Object, start: int, end: int | None
) -> StreamFlow[tuple[OpenedObject, _Reading | RangedReading]]:
    """Open the object; a whole large one may come in parallel ranges (see ``open_whole``)."""
    if start or end is not None:
        opened = yield from ops.open_object(obj, start, end)
        return opened, _Reading(opened)
    started = time.monotonic()
    opened = yield from ops.open_whole(obj)
    if opened.ranges is None:
        return opened, _Reading(opened)
    return opened, RangedReading(_Reading(opened), opened.ranges, time.monotonic() - started)


def stream_object(
    ops: StorageOps, obj: Object, start: int, end: int | None, chunk_size: int | None
) -> StreamFlow[None]:
    """Emit the object's bytes (or a range) in chunks, then check their size and hash."""
    check_range(start, end)
    size = chunk_size or DEFAULT_CHUNK_SIZE
    opened, reading = yield from _open_reading(ops, obj, start, end)
    check = _Check(obj, opened)
    chunker = _Chunker(size)
    try:
        while True:
            piece = yield from reading.next_chunk(size)
            if not piece:
                break
            check.feed(piece)
            for chunk in chunker.add(piece):
                yield Emit((chunk,))
            del piece  # not held while the next window of ranges arrives
        if tail := chunker.rest():
            yield Emit((tail,))
    finally:
        check.close()
        yield from reading.close()
    yield from check.finish()


def download_to_file(
    ops: StorageOps,
    obj: Object,
    destination_path: str,
    start: int,
    end: int | None,
    *,
    overwrite_existing: bool,
    delete_on_failure: bool,
) -> StreamFlow[bool]:
    """Save the object (or a range) to a file, written under a temporary name and renamed.

    A destination ending in ``/`` (or an existing directory) receives the object's base name.
    On failure the temporary file is removed, or with ``delete_on_failure=False`` kept at the
    destination (as Libcloud does).
    """
    check_range(start, end)
    path = yield Call(_destination, (destination_path, obj.name, overwrite_existing))
    handle, temp = yield Call(_open_temp, (path,))
    opened: OpenedObject | None = None
    try:
        opened, reading = yield from _open_reading(ops, obj, start, end)
        check = _Check(obj, opened)
        try:
            while True:
                chunk = yield from reading.next_chunk(DEFAULT_CHUNK_SIZE)
                if not chunk:
                    break
                check.feed(chunk)
                yield Call(handle.write, (chunk,))
                del chunk  # not held while the next window of ranges arrives
        finally:
            check.close()
            yield from reading.close()
        yield Call(handle.close)
        yield from check.finish()
        yield Call(os.replace, (temp, path))
    except Exception:
        yield Call(_fail, (handle, temp, path, delete_on_failure))
        raise
    return True


def _destination(destination: str, name: str, overwrite: bool) -> str:
    path = os.fspath(destination)
    if path.endswith(os.sep) or os.path.isdir(path):
        path = os.path.join(path, os.path.basename(name.rstrip("/")) or "object")
    if os.path.exists(path) and not overwrite:
        raise ValidationError(f"{path} exists already (pass overwrite_existing=True to replace it)")
    return path


def _open_temp(path: str) -> tuple[Any, str]:
    import tempfile

    directory = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(prefix=".omnicloud-", suffix=".part", dir=directory)
    return os.fdopen(fd, "wb"), temp


def _fail(handle: Any, temp: str, path: str, delete: bool) -> None:
    handle.close()
    if delete:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    else:
        os.replace(temp, path)
