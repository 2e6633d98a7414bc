"""Files are uploaded streamed from the file (Azurite, sync and async): blocks are windows of
the file, hashed, then read again in small pieces as they go out with their Content-MD5; the
whole content's MD5 is still committed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from omnicloud.storage.drivers import azure_blobs_upload
from omnicloud.storage.drivers.azure_blobs import (
    AsyncAzureBlobsStorageDriver,
    AzureBlobsStorageDriver,
)
from omnicloud.storage.errors import (
    ObjectDoesNotExistError,
    ObjectHashMismatchError,
    StorageError,
)
from tests.conformance.storage import unique
from tests.storage._held import MIB, held_at_most, random_file
from tests.support.azurite import Azurite
from tests.support.modes import Portal, close_in_mode, open_in_mode

from .test_blobs import committed_blocks

BLOCK = 4 * MIB


@pytest.fixture
def big_blocks(mode: str, portal: Portal, azurite_server: Azurite) -> Iterator[Any]:
    """A driver with 2 MiB blocks, three at once, and a container of its own."""
    driver = open_in_mode(
        mode, portal, AzureBlobsStorageDriver, AsyncAzureBlobsStorageDriver,
        azurite_server.account, azurite_server.key, host=azurite_server.host,
        port=azurite_server.port, secure=False, ex_block_size=BLOCK, ex_concurrency=3,
    )  # fmt: skip
    container = driver.create_container(unique("azs"))
    yield driver, container
    for obj in driver.list_container_objects(container):
        driver.delete_object(obj)
    driver.delete_container(container)
    close_in_mode(driver, portal)


def test_a_large_file_is_staged_from_the_file_without_holding_blocks(
    big_blocks: Any, tmp_path: Path
) -> None:
    driver, container = big_blocks
    data = random_file(tmp_path / "big", 4 * BLOCK + 777)
    expected = hashlib.md5(data).hexdigest()
    with held_at_most() as peak:
        obj = driver.upload_object(str(tmp_path / "big"), container, "big.bin")
    assert peak[0] < BLOCK  # was three blocks and the one read ahead (16 MiB)
    assert (obj.size, obj.hash, obj.extra["blocks"]) == (len(data), expected, 5)
    assert len(committed_blocks(driver, container, "big.bin")) == 5
    fetched = driver.get_object(container.name, "big.bin")
    assert fetched.hash == expected  # the whole content's MD5 was committed
    assert hashlib.md5(b"".join(driver.download_object_as_stream(fetched))).hexdigest() == (
        expected
    )
    assert fetched.extra["verified"] is True


def test_a_small_file_goes_in_one_streamed_put_blob(big_blocks: Any, tmp_path: Path) -> None:
    driver, container = big_blocks
    data = random_file(tmp_path / "small", BLOCK - 1)
    with held_at_most() as peak:
        obj = driver.upload_object(str(tmp_path / "small"), container, "small.bin")
    assert peak[0] < MIB  # was the whole file
    assert (obj.extra["blocks"], obj.hash) == (0, hashlib.md5(data).hexdigest())
    assert driver.get_object(container.name, "small.bin").hash == obj.hash


def test_a_file_opened_at_an_offset_is_sent_from_there(big_blocks: Any, tmp_path: Path) -> None:
    driver, container = big_blocks
    data = random_file(tmp_path / "f", 3 * BLOCK)
    with open(tmp_path / "f", "rb") as handle:
        handle.seek(1000)
        obj = driver.upload_object_via_stream(handle, container, "tail.bin")
        assert handle.tell() == len(data)
    assert (obj.size, obj.hash) == (len(data) - 1000, hashlib.md5(data[1000:]).hexdigest())


def test_a_block_the_service_received_differently_commits_nothing(
    big_blocks: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An answer naming another MD5 than the one stated fails the upload before the commit."""
    driver, container = big_blocks
    random_file(tmp_path / "f", 3 * BLOCK)
    real = azure_blobs_upload.md5_hex
    calls: list[int] = []

    def echoed(value: Any) -> Any:
        calls.append(1)
        return "0" * 32 if len(calls) == 2 else real(value)

    monkeypatch.setattr(azure_blobs_upload, "md5_hex", echoed)
    with pytest.raises(ObjectHashMismatchError, match="Put Block"):
        driver.upload_object(str(tmp_path / "f"), container, "bad.bin")
    monkeypatch.undo()
    with pytest.raises(ObjectDoesNotExistError):
        driver.get_object(container.name, "bad.bin")


def test_a_block_whose_bytes_differ_from_its_stated_md5_is_refused(
    big_blocks: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each streamed block states the MD5 of its window: bytes that do not match it (the file
    changed between the hash and the send) are refused by the service, nothing is committed."""
    from omnicloud.storage._source import FileRegion

    driver, container = big_blocks
    random_file(tmp_path / "f", 3 * BLOCK)
    real = FileRegion.md5

    def md5(self: FileRegion, *args: Any) -> Any:
        if args[1:2] == (BLOCK,):
            return hashlib.md5(b"other bytes")
        return real(self, *args)

    monkeypatch.setattr(FileRegion, "md5", md5)
    with pytest.raises(StorageError, match="Put Block 2"):
        driver.upload_object(str(tmp_path / "f"), container, "changed.bin")
    monkeypatch.undo()
    with pytest.raises(ObjectDoesNotExistError):
        driver.get_object(container.name, "changed.bin")


def test_a_file_that_cannot_be_read_mid_block_commits_nothing(
    big_blocks: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that cannot be read while a block goes out fails the upload, committing nothing."""
    from omnicloud.storage import _source

    driver, container = big_blocks
    random_file(tmp_path / "f", 3 * BLOCK)
    real = _source.os.pread
    reads: list[int] = []

    def pread(fd: int, size: int, offset: int) -> bytes:
        reads.append(offset)
        if offset >= BLOCK + _source.SPAN_PIECE:
            raise OSError(5, "Input/output error")
        return real(fd, size, offset)

    monkeypatch.setattr(_source.os, "pread", pread)
    with pytest.raises(Exception, match="Input/output error"):
        driver.upload_object(str(tmp_path / "f"), container, "ioerr.bin")
    monkeypatch.undo()
    with pytest.raises(ObjectDoesNotExistError):
        driver.get_object(container.name, "ioerr.bin")
