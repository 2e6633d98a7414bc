"""Downloads: damaged bytes are caught (CRC32C when its C implementation is there, else MD5;
CRC32C for objects without an MD5), ranges,
parallel ranged GETs pinned to one generation."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from omnicloud.storage import Container
from omnicloud.storage.drivers.gcs import AsyncGoogleStorageDriver, GoogleStorageDriver
from omnicloud.storage.errors import InvalidRangeError, ObjectHashMismatchError
from tests.conformance.storage import chunks, unique
from tests.support.fault_proxy import Fault, FaultProxy
from tests.support.gcs import GcsServer
from tests.support.modes import Portal, close_in_mode, open_in_mode
from tests.support.stub_server import StubServer

from ._fake import serve
from .conftest import CHUNK


@pytest.mark.parametrize(("fast_crc32c", "check"), [(False, "MD5"), (True, "CRC32C")])
def test_a_corrupted_download_is_caught(
    fake_gcs_server: GcsServer,
    mode: str,
    portal: Portal,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fast_crc32c: bool,
    check: str,
) -> None:
    # with the C CRC32C at hand, whole downloads are checked by CRC32C (as Google's client
    # does, several times faster than MD5); else by MD5
    monkeypatch.setattr("omnicloud.gcp._crc32c.FAST", fast_crc32c)
    proxy = FaultProxy(fake_gcs_server.port)
    d = open_in_mode(
        mode, portal, GoogleStorageDriver, AsyncGoogleStorageDriver,
        endpoint=proxy.url, project=fake_gcs_server.project,
    )  # fmt: skip
    try:
        container = d.create_container(unique("gcs"))
        data = b"".join(chunks(200_000, 50_000))
        obj = d.upload_object_via_stream(iter([data]), container, "fragile")
        proxy.plan(Fault("flip_body", match=b"alt=media"))
        with pytest.raises(ObjectHashMismatchError, match=check):
            b"".join(d.download_object_as_stream(obj))
        assert proxy.injected == 1
        proxy.plan(Fault("flip_body", match=b"alt=media"))
        out = tmp_path / "out"
        out.mkdir()
        with pytest.raises(ObjectHashMismatchError):
            d.download_object(obj, str(out / "fragile"))
        assert not list(out.iterdir())  # neither the file nor its temporary
        proxy.plan()
        assert b"".join(d.download_object_as_stream(obj)) == data  # unharmed, it passes
        d.delete_object(obj)
        d.delete_container(container)
    finally:
        close_in_mode(d, portal)
        proxy.stop()


@pytest.mark.parametrize("corrupt", [False, True])
def test_an_object_without_md5_is_checked_by_crc32c(
    stub: StubServer, mode: str, portal: Portal, corrupt: bool
) -> None:
    """Composite objects have no MD5: ``x-goog-hash`` gives only the CRC32C."""
    fake = serve(stub)
    data = b"".join(chunks(300_000, 30_000))
    doc = fake.doc("composite", data, {})
    del doc["md5Hash"]
    fake.objects["composite"] = (data, doc)
    fake.hash_header = "crc32c"
    fake.corrupt = corrupt
    d = open_in_mode(mode, portal, GoogleStorageDriver, AsyncGoogleStorageDriver, endpoint=stub.url)
    try:
        obj = d.get_object("bk", "composite")
        assert obj.hash is None and obj.extra["crc32c"] == doc["crc32c"]
        if corrupt:
            with pytest.raises(ObjectHashMismatchError, match="CRC32C"):
                b"".join(d.download_object_as_stream(obj))
        else:
            assert b"".join(d.download_object_as_stream(obj, chunk_size=7000)) == data
    finally:
        close_in_mode(d, portal)


def test_ranges_and_a_range_past_the_end(d: GoogleStorageDriver, container: Container) -> None:
    data = bytes(range(256)) * 100
    obj = d.upload_object_via_stream(iter([data]), container, "ranged")
    assert b"".join(d.download_object_range_as_stream(obj, 100, 300)) == data[100:300]
    assert b"".join(d.download_object_range_as_stream(obj, 25_000)) == data[25_000:]
    with pytest.raises(InvalidRangeError):
        b"".join(d.download_object_range_as_stream(obj, 30_000, 30_010))


def test_a_large_download_reads_ranges_of_one_generation(
    fake_gcs_server: GcsServer, mode: str, portal: Portal
) -> None:
    proxy = FaultProxy(fake_gcs_server.port)
    d = open_in_mode(
        mode, portal, GoogleStorageDriver, AsyncGoogleStorageDriver,
        endpoint=proxy.url, project=fake_gcs_server.project, chunk_size=CHUNK,
        threshold=CHUNK, concurrency=3,
    )  # fmt: skip
    try:
        container = d.create_container(unique("gcs"))
        data = b"".join(chunks(8 * CHUNK + 99, 64 * 1024))
        obj = d.upload_object_via_stream(iter([data]), container, "wide")
        proxy.plan()
        got = hashlib.md5()
        for piece in d.download_object_as_stream(obj):
            got.update(piece)
        assert got.hexdigest() == hashlib.md5(data).hexdigest()
        assert obj.extra["verified"] is True
        # the first span, then the rest (ranges or one stream), each of the first's generation
        assert proxy.count(b"alt=media") >= 2
        assert proxy.count(b"generation=" + str(obj.extra["generation"]).encode()) >= 1
        d.delete_object(obj)
        d.delete_container(container)
    finally:
        close_in_mode(d, portal)
        proxy.stop()


@pytest.mark.parametrize(("fast_crc32c", "check"), [(False, "MD5"), (True, "CRC32C")])
def test_a_corrupted_range_of_a_parallel_download_is_caught(
    fake_gcs_server: GcsServer,
    mode: str,
    portal: Portal,
    monkeypatch: pytest.MonkeyPatch,
    fast_crc32c: bool,
    check: str,
) -> None:
    monkeypatch.setattr("omnicloud.gcp._crc32c.FAST", fast_crc32c)
    proxy = FaultProxy(fake_gcs_server.port)
    d = open_in_mode(
        mode, portal, GoogleStorageDriver, AsyncGoogleStorageDriver,
        endpoint=proxy.url, project=fake_gcs_server.project, chunk_size=CHUNK,
        threshold=CHUNK, concurrency=3,
    )  # fmt: skip
    try:
        container = d.create_container(unique("gcs"))
        data = b"".join(chunks(8 * CHUNK + 99, 64 * 1024))
        obj = d.upload_object_via_stream(iter([data]), container, "wide-fragile")
        proxy.plan(Fault("flip_body", match=b"alt=media"))  # the first span's answer
        with pytest.raises(ObjectHashMismatchError, match=check):
            b"".join(d.download_object_as_stream(obj))
        assert proxy.injected == 1
        proxy.plan()
        assert b"".join(d.download_object_as_stream(obj)) == data
        d.delete_object(obj)
        d.delete_container(container)
    finally:
        close_in_mode(d, portal)
        proxy.stop()
