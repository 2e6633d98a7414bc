"""Files go to a resumable session streamed from the file: each chunk is a window of the file
read in small pieces as it is sent, read again from the file for a resend after a lost
connection, hashed in order (fake-gcs-server for what it does; the stand-in of ``_fake.py`` and
a cutting proxy for resumptions)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from omnicloud.storage import Container
from omnicloud.storage.drivers.gcs import AsyncGoogleStorageDriver, GoogleStorageDriver
from omnicloud.storage.drivers.gcs_upload import FILE_CHUNK_SIZE, UploadSettings
from tests.storage._held import MIB, held_at_most, random_file
from tests.support.gcs import GcsServer
from tests.support.modes import Blocking, Portal, close_in_mode, open_in_mode
from tests.support.stub_server import StubServer

from ._cut_proxy import CutProxy
from ._fake import GRANULARITY, serve
from .test_resume import CHUNK, FAST, _ranges


def _ops(d: Any) -> Any:
    return (d.driver if isinstance(d, Blocking) else d)._ops


def test_the_default_file_chunk_is_large_and_a_multiple_of_256_kib() -> None:
    assert FILE_CHUNK_SIZE >= 64 * MIB and FILE_CHUNK_SIZE % GRANULARITY == 0
    with pytest.raises(Exception, match="file_chunk_size must be a positive multiple"):
        UploadSettings(file_chunk_size=GRANULARITY + 1)


def test_a_large_file_is_sent_without_holding_a_chunk(
    mode: str, portal: Portal, fake_gcs_server: GcsServer, tmp_path: Path
) -> None:
    """With chunks of 4 MiB for sources read once, a 10 MiB file (one streamed chunk) holds
    small pieces only."""
    from tests.conformance.storage import unique

    d = open_in_mode(
        mode, portal, GoogleStorageDriver, AsyncGoogleStorageDriver,
        endpoint=fake_gcs_server.endpoint, project=fake_gcs_server.project,
        chunk_size=4 * MIB, threshold=4 * MIB,
    )  # fmt: skip
    container = d.create_container(unique("gcsf"))
    try:
        data = random_file(tmp_path / "big", 10 * MIB + 3)
        with held_at_most() as peak:
            obj = d.upload_object(str(tmp_path / "big"), container, "big.bin")
        assert peak[0] < 2 * MIB  # was a 4 MiB chunk and the byte after it
        assert (obj.size, obj.hash) == (len(data), hashlib.md5(data).hexdigest())
        _ops(d).settings.file_chunk_size = MIB  # several chunks, each streamed
        obj = d.upload_object(str(tmp_path / "big"), container, "chunked.bin")
        assert (obj.size, obj.hash) == (len(data), hashlib.md5(data).hexdigest())
        back = b"".join(d.download_object_as_stream(d.get_object(container.name, "chunked.bin")))
        assert back == data
    finally:
        for obj in d.list_container_objects(container):
            d.delete_object(obj)
        d.delete_container(container)
        close_in_mode(d, portal)


@pytest.mark.parametrize("where", ["middle", "last"])
def test_a_connection_cut_mid_chunk_resends_from_the_file(
    stub: StubServer, mode: str, portal: Portal, tmp_path: Path, where: str
) -> None:
    """The stand-in keeps 256 KiB of the cut chunk: the client asks, then reads the rest of the
    chunk from the file again; the hashes count every byte once."""
    fake = serve(stub)
    data = random_file(tmp_path / "f", 5 * CHUNK + GRANULARITY + 1000)
    cut = CHUNK if where == "middle" else 5 * CHUNK
    fake.cut_at = {cut}
    d = open_in_mode(
        mode, portal, GoogleStorageDriver, AsyncGoogleStorageDriver,
        endpoint=stub.url, project="p", chunk_size=CHUNK, threshold=CHUNK, http=FAST,
    )  # fmt: skip
    _ops(d).settings.file_chunk_size = CHUNK
    try:
        obj = d.upload_object(str(tmp_path / "f"), Container("bk"), "resumed")
    finally:
        close_in_mode(d, portal)
    assert fake.objects["resumed"][0] == data
    assert obj.hash == hashlib.md5(data).hexdigest() and obj.size == len(data)
    sent = _ranges(stub)
    total = "*" if where == "middle" else str(len(data))
    query = sent.index(f"bytes */{total}")
    assert sent[query - 1].startswith(f"bytes {cut}-")
    assert sent[query + 1].startswith(f"bytes {cut + GRANULARITY}-")
    assert not fake.sessions


def test_a_connection_cut_while_a_file_chunk_is_being_sent(
    stub: StubServer, mode: str, portal: Portal, tmp_path: Path
) -> None:
    """A proxy resets the connection partway through a chunk's body: the rest is read from the
    file again and the stored object is the file."""
    fake = serve(stub)
    proxy = CutProxy(stub.port, match=f"Content-Range: bytes {CHUNK}-".encode(),
                     keep=GRANULARITY + 1000)  # fmt: skip
    fake.url = proxy.url
    data = random_file(tmp_path / "f", 4 * CHUNK + 100)
    d = open_in_mode(
        mode, portal, GoogleStorageDriver, AsyncGoogleStorageDriver,
        endpoint=proxy.url, chunk_size=CHUNK, threshold=CHUNK, http=FAST,
    )  # fmt: skip
    _ops(d).settings.file_chunk_size = CHUNK
    try:
        obj = d.upload_object(str(tmp_path / "f"), Container("bk"), "cut")
    finally:
        close_in_mode(d, portal)
        proxy.stop()
    assert proxy.cuts == 1
    assert fake.objects["cut"][0] == data
    assert obj.hash == hashlib.md5(data).hexdigest()
    sent = _ranges(stub)
    query = sent.index("bytes */*")
    assert sent[query + 1].startswith(f"bytes {CHUNK + GRANULARITY}-{2 * CHUNK - 1}/")
