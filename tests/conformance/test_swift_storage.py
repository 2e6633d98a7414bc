"""The OpenStack Swift storage driver (sync and async) passes the storage conformance suite on
a real Swift (Debian's packages, ``scripts/services/swift.sh``), authenticated with Swift's own
auth v1.0 (tempauth), as Libcloud's ``ex_force_auth_url``/``ex_force_auth_version`` say."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omnicloud.storage.drivers.swift import (
    AsyncOpenStackSwiftStorageDriver,
    OpenStackSwiftStorageDriver,
)
from tests.support.s3servers import S3Server

from ._twin import MODES, Subject, open_subject
from .storage import StorageCaps, TestStorageConformance

__all__ = ["TestStorageConformance"]


def _small_pages(driver: Any) -> None:
    driver._ops.page_size = 2  # listings of two: the marker gets used


# Swift names are opaque: ``a/../b`` is stored and fetched as exactly that name.
CAPS = StorageCaps(dot_segments="exact", small_pages=_small_pages)


@pytest.fixture(params=MODES)
def storage_driver(
    request: pytest.FixtureRequest, swift_server: S3Server, portal: Any
) -> Iterator[Subject[StorageCaps]]:
    def make(asynchronous: bool) -> Any:
        cls = AsyncOpenStackSwiftStorageDriver if asynchronous else OpenStackSwiftStorageDriver
        return cls(
            swift_server.key,
            swift_server.secret,
            ex_force_auth_url=f"{swift_server.endpoint}/auth",
            ex_force_auth_version="1.0",
        )

    with open_subject(request.param, make, CAPS, portal) as subject:
        yield subject


# Uploads streamed from files --------------------------------------------------------------------
SEGMENT = 2 * 1024 * 1024


@pytest.fixture
def streamed(mode: str, portal: Any, swift_server: S3Server) -> Iterator[Any]:
    """A driver with 2 MiB segments, three at once, and a container of its own."""
    from tests.conformance.storage import unique
    from tests.support.modes import close_in_mode, open_in_mode

    driver = open_in_mode(
        mode, portal, OpenStackSwiftStorageDriver, AsyncOpenStackSwiftStorageDriver,
        swift_server.key, swift_server.secret, ex_force_auth_url=f"{swift_server.endpoint}/auth",
        ex_force_auth_version="1.0", segment_size=SEGMENT, concurrency=3,
    )  # fmt: skip
    container = driver.create_container(unique("sw"))
    yield driver, container
    for name in (container.name, container.name + "_segments"):
        try:
            held = driver.get_container(name)
        except Exception:
            continue
        for obj in driver.list_container_objects(held):
            driver.delete_object(obj)
        driver.delete_container(held)
    close_in_mode(driver, portal)


def _md5_of(path: Any) -> str:
    import hashlib

    return hashlib.md5(path.read_bytes()).hexdigest()


def test_a_large_file_goes_in_segments_streamed_from_the_file(streamed: Any, tmp_path: Any) -> None:
    """Three segment PUTs at once hold small pieces of the file, never a whole segment."""
    from tests.storage._held import held_at_most, random_file

    driver, container = streamed
    data = random_file(tmp_path / "big", 4 * SEGMENT + 12345)
    with held_at_most() as peak:
        obj = driver.upload_object(str(tmp_path / "big"), container, "big")
    assert peak[0] < SEGMENT  # was three segments (6 MiB)
    assert obj.extra["segments"] == 5
    assert obj.size == len(data)
    driver.download_object(driver.get_object(container.name, "big"), str(tmp_path / "back"))
    assert (tmp_path / "back").read_bytes() == data


def test_a_small_file_goes_in_one_streamed_put(streamed: Any, tmp_path: Any) -> None:
    from tests.storage._held import MIB, held_at_most, random_file

    driver, container = streamed
    data = random_file(tmp_path / "small", SEGMENT - 1)
    with held_at_most() as peak:
        obj = driver.upload_object(str(tmp_path / "small"), container, "small")
    assert peak[0] < MIB  # was the whole file
    assert obj.extra["segments"] == 0
    assert obj.hash == _md5_of(tmp_path / "small")
    assert b"".join(driver.download_object_as_stream(obj)) == data


@pytest.mark.parametrize("size", [SEGMENT - 1, 3 * SEGMENT])
def test_an_etag_that_differs_from_the_bytes_sent_fails_and_leaves_nothing(
    streamed: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    """Swift's answer for a streamed PUT is checked: a segment whose ETag differs fails the
    upload, its segments are deleted and no manifest is written; a single object is deleted."""
    from omnicloud.storage.drivers import swift_upload
    from omnicloud.storage.errors import ObjectDoesNotExistError, ObjectHashMismatchError
    from tests.storage._held import random_file

    driver, container = streamed
    random_file(tmp_path / "f", size)
    real = swift_upload._etag
    answers: list[str] = []

    def etag(response: Any) -> str:
        answers.append(real(response))
        return "0" * 32 if len(answers) == 2 or size < SEGMENT else answers[-1]

    monkeypatch.setattr(swift_upload, "_etag", etag)
    with pytest.raises(ObjectHashMismatchError, match="differs from the MD5 sent"):
        driver.upload_object(str(tmp_path / "f"), container, "bad")
    monkeypatch.undo()
    with pytest.raises(ObjectDoesNotExistError):
        driver.get_object(container.name, "bad")
    try:
        segments = driver.get_container(container.name + "_segments")
    except Exception:
        return  # never made: a single PUT
    assert list(driver.list_container_objects(segments)) == []


def test_a_small_file_whose_bytes_differ_from_its_etag_leaves_the_old_object(
    streamed: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small file states its MD5 (hashed before the send): Swift refuses a body that differs,
    and the object already stored under the name stays."""
    from omnicloud.storage._source import FileRegion
    from omnicloud.storage.errors import StorageError
    from tests.storage._held import random_file

    driver, container = streamed
    old = random_file(tmp_path / "old", 1000)
    driver.upload_object(str(tmp_path / "old"), container, "kept")
    random_file(tmp_path / "new", 2000)

    def md5(self: FileRegion, *args: Any) -> Any:
        import hashlib

        return hashlib.md5(b"not these bytes")

    monkeypatch.setattr(FileRegion, "md5", md5)
    with pytest.raises(StorageError):
        driver.upload_object(str(tmp_path / "new"), container, "kept")
    monkeypatch.undo()
    assert (
        b"".join(driver.download_object_as_stream(driver.get_object(container.name, "kept"))) == old
    )


def test_an_iterator_still_goes_in_segments(streamed: Any) -> None:
    """A source read once keeps one segment per worker in memory (nothing else can)."""
    from tests.conformance.storage import chunks

    driver, container = streamed
    data = b"".join(chunks(2 * SEGMENT + 7))
    obj = driver.upload_object_via_stream(chunks(len(data)), container, "it")
    assert obj.extra["segments"] == 3
    assert b"".join(driver.download_object_as_stream(obj)) == data
