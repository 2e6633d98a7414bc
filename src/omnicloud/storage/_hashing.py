"""MD5 of a download computed beside it: a worker thread hashes while the next bytes arrive.

``hashlib`` releases the GIL while it hashes more than a couple of kilobytes, so on a machine with
two cores the check costs little wall time. Small objects are hashed inline (a thread would cost
more than it saves). The queue is bounded, so memory stays bounded too.
"""

from __future__ import annotations

import hashlib
import queue
import threading

__all__ = ["MD5Hasher", "md5_hasher"]

BACKGROUND_FROM = 8 * 1024 * 1024  # objects at least this large are hashed in a worker thread
_QUEUE_CHUNKS = 32  # pieces waiting to be hashed (network pieces: about 2 MiB in all)


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
        self._pieces: queue.Queue[bytes | None] = queue.Queue(maxsize=_QUEUE_CHUNKS)
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
