"""Download plumbing: pieces regrouped into exact chunks, MD5 hashed beside the transfer."""

from __future__ import annotations

import hashlib
import threading

from hypothesis import given
from hypothesis import strategies as st

from omnicloud.storage._hashing import BACKGROUND_FROM, md5_hasher
from omnicloud.storage._transfer import _Chunker


@given(
    pieces=st.lists(st.binary(min_size=1, max_size=300), max_size=40),
    size=st.integers(min_value=1, max_value=257),
)
def test_chunker_regroups_any_pieces_into_exact_chunks(pieces: list[bytes], size: int) -> None:
    chunker = _Chunker(size)
    chunks = [chunk for piece in pieces for chunk in chunker.add(piece)]
    tail = chunker.rest()
    assert b"".join([*chunks, tail]) == b"".join(pieces)
    assert all(len(chunk) == size for chunk in chunks)
    assert len(tail) < size


def started_since(before: set[threading.Thread]) -> set[threading.Thread]:
    """Threads alive now that were not before (earlier tests' idle workers may exit meanwhile,
    so counts would mislead)."""
    return set(threading.enumerate()) - before


def test_large_objects_are_hashed_in_a_worker_thread_with_the_same_digest() -> None:
    data = [bytes([i % 251]) * 65536 for i in range(BACKGROUND_FROM // 65536 + 3)]
    before = set(threading.enumerate())
    hasher = md5_hasher(sum(map(len, data)))
    assert len(started_since(before)) == 1
    for piece in data:
        hasher.update(piece)
    assert hasher.hexdigest() == hashlib.md5(b"".join(data)).hexdigest()
    hasher.close()  # idempotent
    assert started_since(before) == set()


def test_small_or_unknown_sizes_are_hashed_inline() -> None:
    before = set(threading.enumerate())
    for size in (None, 10, BACKGROUND_FROM - 1):
        hasher = md5_hasher(size)
        hasher.update(b"abc")
        assert hasher.hexdigest() == hashlib.md5(b"abc").hexdigest()
    assert started_since(before) == set()


def test_an_abandoned_background_hash_releases_its_thread() -> None:
    before = set(threading.enumerate())
    hasher = md5_hasher(BACKGROUND_FROM)
    hasher.update(b"x" * 1000)
    hasher.close()
    assert started_since(before) == set()
