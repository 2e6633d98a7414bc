"""What a transfer holds at once: file windows read by position, byte-bounded digest queues,
ranged spans handed out as pieces."""

from __future__ import annotations

import hashlib
import io
import os
import threading
from pathlib import Path
from typing import Any

import anyio
import pytest

from omnicloud.http._streaming import Close, Read
from omnicloud.storage import _hashing
from omnicloud.storage._hashing import Expected, digest_for
from omnicloud.storage._ranges import PIECE_SIZE, read_span
from omnicloud.storage._source import SPAN_PIECE, ChunkSource, FileSpan
from omnicloud.storage.errors import IntegrityError

from ._held import MIB, random_file


def test_a_file_span_is_read_by_position_in_small_pieces_and_hashed_per_pass(
    tmp_path: Path,
) -> None:
    data = random_file(tmp_path / "f", 3 * MIB + 5)
    with open(tmp_path / "f", "rb") as handle:
        handle.seek(100)  # a shared position must not matter
        span = FileSpan(handle.fileno(), MIB + 1, MIB + 7)
        first = list(span)
        again = list(span)  # a retry resends the same bytes, hashed afresh
        assert handle.tell() == 100
    want = data[MIB + 1 : 2 * MIB + 8]
    assert b"".join(first) == b"".join(again) == want
    assert max(len(piece) for piece in first) <= SPAN_PIECE
    assert span.md5_hex() == hashlib.md5(want).hexdigest()
    assert len(span) == MIB + 7


def test_a_file_span_iterates_asynchronously(tmp_path: Path) -> None:
    data = random_file(tmp_path / "f", MIB)

    async def collect(span: FileSpan) -> bytes:
        return b"".join([piece async for piece in span])

    with open(tmp_path / "f", "rb") as handle:
        span = FileSpan(handle.fileno(), 10, MIB - 20)
        assert anyio.run(collect, span) == data[10:-10]
    assert span.md5_hex() == hashlib.md5(data[10:-10]).hexdigest()


def test_a_file_that_shrank_fails_the_span(tmp_path: Path) -> None:
    random_file(tmp_path / "f", 1000)
    with open(tmp_path / "f", "rb") as handle:
        span = FileSpan(handle.fileno(), 0, 2000)
        with pytest.raises(IntegrityError, match="file ended at byte 1000"):
            list(span)


def test_a_regular_file_offers_its_region_from_its_position(tmp_path: Path) -> None:
    random_file(tmp_path / "f", 5000)
    with open(tmp_path / "f", "rb") as handle:
        handle.seek(1000)
        source = ChunkSource(handle)
        region = source.region()
        assert region is not None
        assert (region.start, region.size) == (1000, 4000)
        source.consumed(4000)
        assert handle.tell() == 5000
        assert source.bytes_read == 4000


def test_sources_read_once_offer_no_region(tmp_path: Path) -> None:
    random_file(tmp_path / "f", 5000)
    assert ChunkSource(io.BytesIO(b"abc")).region() is None
    assert ChunkSource(iter([b"abc"])).region() is None
    assert ChunkSource(b"abc").region() is None
    read, write = os.pipe()
    with open(read, "rb") as pipe, open(write, "wb"):
        assert ChunkSource(pipe).region() is None
    with open(tmp_path / "f", "rb") as handle:
        source = ChunkSource(handle)
        source.pieces(10)  # already read through pieces: the region no longer applies
        assert source.region() is None


def test_the_background_digest_holds_a_bounded_number_of_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pieces wait for the hashing thread in a queue bounded by bytes: a ranged download gives
    it whole spans, and a queue bounded by count held 32 of them."""
    fed = 0
    hashed = 0
    backlog: list[int] = []
    lock = threading.Lock()
    original = _hashing.StreamDigest.update

    def counted(self: Any, piece: bytes) -> None:
        nonlocal hashed
        original(self, piece)
        with lock:
            hashed += len(piece)

    monkeypatch.setattr(_hashing.StreamDigest, "update", counted)
    data = os.urandom(MIB)
    digest = digest_for(Expected("md5", "", "test"), 64 * MIB)
    try:
        for _ in range(64):
            digest.update(data)  # returns once the piece is queued
            with lock:
                fed += len(data)
                backlog.append(fed - hashed)
        value = digest.value()
    finally:
        digest.close()
    assert value == hashlib.md5(data * 64).hexdigest()
    assert max(backlog) <= _hashing._QUEUE_BYTES + 2 * MIB


class _Body:
    """A response body that gives at most what is asked (a sync stream)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.closed = False

    def read(self, size: int) -> bytes:
        piece, self.data = self.data[:size], self.data[size:]
        return piece

    def close(self) -> None:
        self.closed = True


def _run(flow: Any) -> Any:
    """Drive a flow that only reads and closes streams (and opens them by ``yield from``)."""
    value: Any = None
    while True:
        try:
            effect = flow.send(value)
        except StopIteration as stop:
            return stop.value
        if isinstance(effect, Read):
            value = effect.source.read(effect.size)
        elif isinstance(effect, Close):
            value = effect.source.close()
        else:
            raise AssertionError(f"unexpected effect {effect!r}")


def test_a_span_is_read_and_handed_out_as_small_pieces() -> None:
    """A ranged GET's span comes back as pieces (never joined into one copy of the span)."""
    data = os.urandom(3 * PIECE_SIZE + 123)
    opened: list[_Body] = []

    def open_from(start: int) -> Any:
        body = _Body(data[start:])
        opened.append(body)
        return body
        yield  # a flow

    pieces = _run(read_span(open_from, "obj", 0, len(data)))
    assert isinstance(pieces, list)
    assert b"".join(pieces) == data
    assert max(len(piece) for piece in pieces) <= PIECE_SIZE
    assert all(body.closed for body in opened)
