"""Uploads on fake-gcs-server: multipart for small data, resumable in 256 KiB chunks for the
rest, bounded memory, and an abandoned upload leaves nothing."""

from __future__ import annotations

import base64
import hashlib
import tracemalloc
from collections.abc import Iterator

import pytest

from omnicloud.storage import Container
from omnicloud.storage.drivers.gcs import AsyncGoogleStorageDriver, GoogleStorageDriver
from omnicloud.storage.errors import ObjectDoesNotExistError
from tests.conformance.storage import chunks, unique
from tests.support.fault_proxy import FaultProxy
from tests.support.gcs import GcsServer
from tests.support.modes import Portal, close_in_mode, open_in_mode

from .conftest import CHUNK


def test_small_object_goes_in_one_multipart_request(
    d: GoogleStorageDriver, container: Container
) -> None:
    data = b"x" * (CHUNK - 1)
    obj = d.upload_object_via_stream(iter([data]), container, "small", meta_data={"A": "b"})
    assert obj.hash == hashlib.md5(data).hexdigest()
    assert obj.extra["md5_hash"] == base64.b64encode(hashlib.md5(data).digest()).decode()
    assert obj.meta_data == {"a": "b"}
    assert obj.extra["generation"]


def test_resumable_upload_in_small_chunks_in_bounded_memory(
    d: GoogleStorageDriver, container: Container
) -> None:
    total = 5 * 1024 * 1024 + 12345  # 20 full chunks of 256 KiB and a short one
    expected = hashlib.md5(b"".join(chunks(total, 32 * 1024))).hexdigest()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        obj = d.upload_object_via_stream(
            chunks(total, 32 * 1024), container, "big.bin", content_type="application/x-big",
            meta_data={"kind": "resumable"},
        )  # fmt: skip
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # one chunk and a byte held (plus HTTP buffers), never the 5 MiB
    assert peak < 2 * 1024 * 1024, peak
    assert (obj.size, obj.hash) == (total, expected)
    fetched = d.get_object(container.name, "big.bin")
    assert (fetched.size, fetched.hash, fetched.content_type) == (
        total,
        expected,
        "application/x-big",
    )
    assert fetched.meta_data == {"kind": "resumable"}
    got = hashlib.md5()
    for piece in d.download_object_as_stream(fetched, chunk_size=100_000):
        got.update(piece)
    assert got.hexdigest() == expected
    assert fetched.extra["verified"] is True


def test_an_exact_multiple_of_the_chunk_size_ends_with_a_full_chunk(
    d: GoogleStorageDriver, container: Container
) -> None:
    data = b"".join(chunks(4 * CHUNK, 100_000))
    obj = d.upload_object_via_stream(iter([data]), container, "exact")
    assert (obj.size, obj.hash) == (len(data), hashlib.md5(data).hexdigest())
    assert b"".join(d.download_object_as_stream(obj)) == data


def _driver(mode: str, portal: Portal, endpoint: str, project: str) -> GoogleStorageDriver:
    return open_in_mode(
        mode, portal, GoogleStorageDriver, AsyncGoogleStorageDriver,
        endpoint=endpoint, project=project, chunk_size=CHUNK, threshold=CHUNK,
    )  # fmt: skip


def test_an_abandoned_upload_is_cancelled_and_leaves_no_object(
    fake_gcs_server: GcsServer, mode: str, portal: Portal
) -> None:
    proxy = FaultProxy(fake_gcs_server.port)
    d = _driver(mode, portal, proxy.url, fake_gcs_server.project)
    try:
        container = d.create_container(unique("gcs"))

        def failing() -> Iterator[bytes]:
            yield from chunks(3 * CHUNK, 64 * 1024)
            raise OSError("the disk went away")

        proxy.plan()
        with pytest.raises(OSError, match="disk went away"):
            d.upload_object_via_stream(failing(), container, "half")
        # two chunks went to the session (the third never filled), then it was cancelled
        assert proxy.count(b"PUT /upload/storage/v1/b/") == 2
        assert proxy.count(b"DELETE /upload/storage/v1/b/") == 1
        with pytest.raises(ObjectDoesNotExistError):
            d.get_object(container.name, "half")
        assert d.list_container_objects(container) == []
        d.delete_container(container)
    finally:
        close_in_mode(d, portal)
        proxy.stop()
