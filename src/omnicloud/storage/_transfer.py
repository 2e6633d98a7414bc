"""Download flows shared by every provider: stream with checks, or save to a file atomically."""

from __future__ import annotations

import contextlib
import os
from typing import Any

from omnicloud._flow import Emit
from omnicloud.errors import TransportError, ValidationError
from omnicloud.http._streaming import Call, Close, Read
from omnicloud.storage._hashing import md5_hasher
from omnicloud.storage.errors import IntegrityError, ObjectHashMismatchError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud.http._streaming import StreamFlow
    from omnicloud.storage._models import Object
    from omnicloud.storage._ops import OpenedObject, StorageOps

__all__ = ["DEFAULT_CHUNK_SIZE", "check_range", "download_to_file", "stream_object"]

DEFAULT_CHUNK_SIZE = 1024 * 1024
MAX_RESUMES = 3  # reopenings after a connection lost mid-body, per download


def check_range(start: int, end: int | None) -> None:
    """Reject ranges Libcloud rejects: negative start, empty or reversed (``end`` is exclusive)."""
    if start < 0:
        raise ValidationError("start_bytes must be 0 or more")
    if end is not None and end <= start:
        raise ValidationError("end_bytes must be greater than start_bytes (it is exclusive)")


class _Check:
    """Counts and hashes what was read, then compares with what the provider promised."""

    def __init__(self, obj: Object, opened: OpenedObject) -> None:
        self.obj = obj
        self.opened = opened
        self.received = 0
        self.md5 = md5_hasher(opened.size) if opened.md5 else None

    def feed(self, chunk: bytes) -> None:
        self.received += len(chunk)
        if self.md5 is not None:
            self.md5.update(chunk)

    def close(self) -> None:
        """Release the hasher (a worker thread for large objects), whatever happened."""
        if self.md5 is not None:
            self.md5.close()

    def finish(self) -> None:
        expected = self.opened.size
        if expected is not None and self.received != expected:
            self.close()
            raise IntegrityError(
                f"{self.obj.name}: received {self.received} bytes, expected {expected}"
            )
        if self.md5 is not None and (digest := self.md5.hexdigest()) != self.opened.md5:
            raise ObjectHashMismatchError(
                f"{self.obj.name}: MD5 of the received bytes {digest} differs "
                f"from the stored hash {self.opened.md5}"
            )


class _Chunker:
    """Regroups pieces of any size (as the network delivers them) into chunks of exactly ``size``
    bytes, copying each byte once."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.pieces: list[bytes] = []
        self.total = 0

    def add(self, piece: bytes) -> list[bytes]:
        """The chunks ``piece`` completes (often none)."""
        chunks: list[bytes] = []
        while piece:
            need = self.size - self.total
            if len(piece) < need:
                self.pieces.append(piece)
                self.total += len(piece)
                break
            head, piece = (piece, b"") if len(piece) == need else (piece[:need], piece[need:])
            if self.pieces:
                self.pieces.append(head)
                chunks.append(b"".join(self.pieces))
                self.pieces, self.total = [], 0
            else:
                chunks.append(head)
        return chunks

    def rest(self) -> bytes:
        """What is left at the end (shorter than ``size``)."""
        tail = b"".join(self.pieces)
        self.pieces, self.total = [], 0
        return tail


class _Reading:
    """The reader in use, which a lost connection replaces by a resumed one."""

    def __init__(self, opened: OpenedObject) -> None:
        self.opened = opened
        self.reader = opened.reader
        self.resumes = 0

    def next_chunk(self, check: _Check, size: int) -> StreamFlow[bytes]:
        """The next chunk; after a lost connection, the rest of the object reopened."""
        while True:
            try:
                chunk: bytes = yield Read(self.reader, size)
                return chunk
            except TransportError:
                if self.opened.resume is None or self.resumes >= MAX_RESUMES:
                    raise
            self.resumes += 1
            with contextlib.suppress(Exception):  # a broken connection may refuse to close
                yield Close(self.reader)
            self.reader = (yield from self.opened.resume(check.received)).reader


def stream_object(
    ops: StorageOps, obj: Object, start: int, end: int | None, chunk_size: int | None
) -> StreamFlow[None]:
    """Emit the object's bytes (or a range) in chunks, then check their size and hash."""
    check_range(start, end)
    size = chunk_size or DEFAULT_CHUNK_SIZE
    opened = yield from ops.open_object(obj, start, end)
    check = _Check(obj, opened)
    reading = _Reading(opened)
    chunker = _Chunker(size)
    try:
        while piece := (yield from reading.next_chunk(check, size)):
            check.feed(piece)
            for chunk in chunker.add(piece):
                yield Emit((chunk,))
        if tail := chunker.rest():
            yield Emit((tail,))
    finally:
        check.close()
        yield Close(reading.reader)
    check.finish()


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
        opened = yield from ops.open_object(obj, start, end)
        check = _Check(obj, opened)
        reading = _Reading(opened)
        try:
            while chunk := (yield from reading.next_chunk(check, DEFAULT_CHUNK_SIZE)):
                check.feed(chunk)
                yield Call(handle.write, (chunk,))
        finally:
            check.close()
            yield Close(reading.reader)
        yield Call(handle.close)
        check.finish()
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
