"""Digests of a download computed beside it: a worker thread hashes while the next bytes arrive.

``hashlib`` and ``zlib.crc32`` release the GIL on large buffers, so on a machine with two cores
the check costs little wall time. Small objects are hashed inline (a thread would cost more than
it saves). The queue is bounded by bytes (a ranged download hands over whole spans, not
network pieces), so memory stays bounded too.

:class:`StreamDigest` computes what S3 states about an object: the MD5 or CRC32 of the whole
content, or, for a multipart object, the digest of each part joined and digested again, plus
``-<parts>`` (the multipart ETag ``md5(md5(part 1) + md5(part 2) ...)-N`` and S3's composite
checksum ``crc32(crc32(part 1) + ...)-N``).
"""

from __future__ import annotations

import base64
import hashlib
import threading
import zlib
from collections import deque
from dataclasses import dataclass

__all__ = ["Expected", "MD5Hasher", "StreamDigest", "digest_for", "md5_hasher"]

BACKGROUND_FROM = 8 * 1024 * 1024  # objects at least this large are hashed in a worker thread
_QUEUE_BYTES = 4 * 1024 * 1024  # bytes waiting to be hashed (more only as one larger piece)
ALGORITHMS = ("md5", "crc32", "crc32c")


class _ByteQueue:
    """A FIFO of pieces holding at most ``limit`` bytes (or one larger piece alone); ``None``
    ends it. ``put`` waits for room."""

    def __init__(self, limit: int = _QUEUE_BYTES) -> None:
        self._limit = limit
        self._held = 0
        self._items: deque[bytes | None] = deque()
        self._cond = threading.Condition()

    def put(self, piece: bytes | None) -> None:
        size = len(piece) if piece is not None else 0
        with self._cond:
            while self._items and self._held + size > self._limit:
                self._cond.wait()
            self._items.append(piece)
            self._held += size
            self._cond.notify_all()

    def get(self) -> bytes | None:
        with self._cond:
            while not self._items:
                self._cond.wait()
            piece = self._items.popleft()
            if piece is not None:
                self._held -= len(piece)
            self._cond.notify_all()
            return piece

    @property
    def held(self) -> int:
        """Bytes waiting now."""
        return self._held


class MD5Hasher:
    """Inline MD5: ``update`` pieces, then ``hexdigest``."""

    def __init__(self) -> None:
        self._md5 = hashlib.md5(usedforsecurity=False)

    def update(self, piece: bytes) -> None:
        self._md5.update(piece)

    def hexdigest(self) -> str:
        return self._md5.hexdigest()

    def close(self) -> None:
        """Stop early (nothing to release inline)."""


class _BackgroundMD5(MD5Hasher):
    """MD5 in a worker thread, in the order the pieces were given."""

    def __init__(self) -> None:
        super().__init__()
        self._pieces = _ByteQueue()
        self._worker = threading.Thread(target=self._run, name="omnicloud-md5", daemon=True)
        self._worker.start()
        self._done = False

    def _run(self) -> None:
        while (piece := self._pieces.get()) is not None:
            self._md5.update(piece)

    def update(self, piece: bytes) -> None:
        self._pieces.put(piece)

    def hexdigest(self) -> str:
        self.close()
        return self._md5.hexdigest()

    def close(self) -> None:
        if not self._done:
            self._done = True
            self._pieces.put(None)
            self._worker.join()


def md5_hasher(size: int | None) -> MD5Hasher:
    """A hasher for an object of ``size`` bytes (None: unknown, hashed inline)."""
    if size is not None and size >= BACKGROUND_FROM:
        return _BackgroundMD5()
    return MD5Hasher()


@dataclass(frozen=True, slots=True)
class Expected:
    """What a provider states the content hashes to, and how to compute it.

    ``algorithm`` is ``"md5"`` (``value`` in hex), ``"crc32"`` (base64 of the big-endian
    value, as in ``x-amz-checksum-crc32``) or ``"crc32c"`` (the same notation, as in Cloud
    Storage's ``x-goog-hash``; whole objects only). With ``part_size``, the content is digested
    in parts of that many bytes (the last one shorter) and ``value`` ends with ``-<parts>``.
    ``source`` names where ``value`` came from, for messages.
    """

    algorithm: str
    value: str
    source: str
    part_size: int | None = None


class StreamDigest:
    """Digest of bytes given in order: whole, or part by part (see :class:`Expected`)."""

    def __init__(self, algorithm: str, part_size: int | None = None) -> None:
        if algorithm not in ALGORITHMS:
            raise ValueError(f"unknown digest algorithm {algorithm!r}")
        self.algorithm = algorithm
        self.part_size = part_size
        self._left = part_size or 0  # bytes missing to complete the current part
        self._parts: list[bytes] = []
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._crc = 0
        self._open = False  # bytes received since the last part was closed

    def update(self, piece: bytes) -> None:
        """Add the next bytes."""
        if self.part_size is None:
            self._add(piece)
            return
        view = memoryview(piece)
        while view:
            take = min(self._left, len(view))
            self._add(view[:take] if take < len(view) else view)
            view = view[take:]
            self._left -= take
            if self._left == 0:
                self._close_part()

    def _add(self, piece: bytes | memoryview) -> None:
        self._open = True
        if self.algorithm == "md5":
            self._md5.update(piece)
        elif self.algorithm == "crc32":
            self._crc = zlib.crc32(piece, self._crc)
        else:
            from omnicloud.gcp._crc32c import crc32c

            self._crc = crc32c(piece, self._crc)

    def _close_part(self) -> None:
        self._parts.append(self._raw())
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._crc = 0
        self._open = False
        self._left = self.part_size or 0

    def _raw(self) -> bytes:
        return self._md5.digest() if self.algorithm == "md5" else self._crc.to_bytes(4, "big")

    def _text(self, raw: bytes) -> str:
        return raw.hex() if self.algorithm == "md5" else base64.b64encode(raw).decode("ascii")

    def value(self) -> str:
        """The digest in the provider's notation (``...-<parts>`` when digested by parts)."""
        if self.part_size is None:
            return self._text(self._raw())
        if self._open or not self._parts:
            self._close_part()
        joined = b"".join(self._parts)
        if self.algorithm == "md5":
            combined = hashlib.md5(joined, usedforsecurity=False).digest()
        else:
            combined = zlib.crc32(joined).to_bytes(4, "big")
        return f"{self._text(combined)}-{len(self._parts)}"

    def close(self) -> None:
        """Stop early (nothing to release inline)."""


class _BackgroundDigest(StreamDigest):
    """A :class:`StreamDigest` fed in a worker thread, in the order the pieces were given."""

    def __init__(self, algorithm: str, part_size: int | None = None) -> None:
        super().__init__(algorithm, part_size)
        self._pieces = _ByteQueue()
        self._worker = threading.Thread(target=self._run, name="omnicloud-digest", daemon=True)
        self._worker.start()
        self._done = False

    def _run(self) -> None:
        while (piece := self._pieces.get()) is not None:
            StreamDigest.update(self, piece)

    def update(self, piece: bytes) -> None:
        self._pieces.put(piece)

    def value(self) -> str:
        self.close()
        return super().value()

    def close(self) -> None:
        if not self._done:
            self._done = True
            self._pieces.put(None)
            self._worker.join()


def digest_for(expected: Expected, size: int | None) -> StreamDigest:
    """The digest that computes ``expected`` for an object of ``size`` bytes (in a worker
    thread when large: MD5 costs about 1.2 s per GiB, CRC32 a tenth of that)."""
    if size is not None and size >= BACKGROUND_FROM and expected.algorithm == "md5":
        return _BackgroundDigest(expected.algorithm, expected.part_size)
    return StreamDigest(expected.algorithm, expected.part_size)
