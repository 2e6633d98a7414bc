"""Storage behaviour that needs a driver's internals (lazy paging, multipart parts), on local,
moto, ministack and Swift; and the storage conformance suite on ministack and Swift.

The backend-neutral contract lives in ``tests/conformance/storage.py`` (moved from here); the
conformance package runs it on local and moto, this module on the other S3 servers it starts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conformance._s3 import s3_subject
from tests.conformance._twin import MODES, Subject
from tests.conformance.storage import StorageCaps, chunks
from tests.storage.conftest import S3_SERVERS, S3Server, unique

BACKENDS = ["local", *S3_SERVERS]
OTHER_S3 = [name for name in S3_SERVERS if name != "moto"]  # moto: tests/conformance
if OTHER_S3:
    from tests.conformance.storage import TestStorageConformance

    __all__ = ["TestStorageConformance"]

Factory = Callable[..., Any]


@pytest.fixture(params=BACKENDS)
def factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Factory]]:
    """(backend name, make(async_=False, **options) -> driver)."""
    name = request.param
    made: list[Any] = []
    if name == "local":
        from omnicloud.storage.drivers.local import AsyncLocalStorageDriver, LocalStorageDriver

        root = tmp_path / "store"

        def make(async_: bool = False, **options: Any) -> Any:
            cls = AsyncLocalStorageDriver if async_ else LocalStorageDriver
            return cls(str(root))

    else:
        from omnicloud.storage.drivers.s3 import AsyncS3StorageDriver, S3StorageDriver

        server: S3Server = request.getfixturevalue(f"{name}_server")

        def make(async_: bool = False, **options: Any) -> Any:
            cls = AsyncS3StorageDriver if async_ else S3StorageDriver
            driver = cls(server.key, server.secret, **server.driver_kwargs(), **options)
            made.append(driver)
            return driver

    yield name, make
    for driver in made:
        if hasattr(driver, "close"):
            driver.close()


@pytest.fixture(params=[(server, mode) for server in OTHER_S3 for mode in MODES], ids="-".join)
def storage_driver(request: pytest.FixtureRequest, portal: Any) -> Iterator[Subject[StorageCaps]]:
    """The conformance suite's subject: the S3 driver, sync or async, on ministack or Swift."""
    name, mode = request.param
    server: S3Server = request.getfixturevalue(f"{name}_server")
    with s3_subject(mode, server, portal) as subject:
        yield subject


@pytest.fixture(scope="module")
def portal() -> Iterator[Any]:
    from anyio.from_thread import start_blocking_portal

    with start_blocking_portal() as running:
        yield running


def test_listing_is_lazy(factory: tuple[str, Factory], monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages are fetched as the caller iterates: S3 ListObjectsV2 with continuation tokens, the
    local driver's metadata reads page by page."""
    backend, make = factory
    fetches: list[int] = []
    if backend == "local":
        from omnicloud.storage.drivers import _local_store, local

        monkeypatch.setattr(local, "PAGE", 2)
        describe = _local_store.LocalStore.describe_many

        def counted(self: Any, container: str, names: list[str]) -> Any:
            fetches.append(len(names))
            return describe(self, container, names)

        monkeypatch.setattr(_local_store.LocalStore, "describe_many", counted)
        driver = make()
    else:
        from omnicloud.http import HttpConfig
        from tests.storage.transports import CountingTransport

        calls = CountingTransport()
        driver = make(http=HttpConfig(transport=calls))
        driver._ops.page_size = 2
    container = driver.create_container(unique())
    names = [f"k{i}" for i in range(5)]
    for name in names:
        driver.upload_object_via_stream(iter([name.encode()]), container, name)

    def pages() -> int:
        if backend == "local":
            return len(fetches)
        tokens = [q for m, _p, q in calls.seen if m == "GET" and "list-type=2" in q]
        assert all("continuation-token=" in q for q in tokens[1:])
        return len(tokens)

    lazy = driver.iterate_container_objects(container)
    assert next(lazy).name == "k0"
    assert pages() == 1
    assert [next(lazy).name for _ in range(2)] == ["k1", "k2"]
    assert pages() == 2
    assert [o.name for o in lazy] == ["k3", "k4"]
    assert pages() == 3
    for obj in driver.list_container_objects(container):
        driver.delete_object(obj)
    driver.delete_container(container)


def test_multipart_metadata_content_type_and_ranges(
    factory: tuple[str, Factory], tmp_path: Path
) -> None:
    """A multipart upload (S3) keeps type and metadata; ranges across part boundaries, running
    past the end or starting beyond it behave alike on every backend; keys come back lower-case."""
    from omnicloud.errors import ValidationError
    from omnicloud.storage.errors import InvalidRangeError

    backend, make = factory
    driver = make(part_size=5 * 1024 * 1024)
    container = driver.create_container(unique())
    total = 11 * 1024 * 1024 + 3
    data = b"".join(chunks(total, 1024 * 1024, seed=b"mp"))
    obj = driver.upload_object_via_stream(
        chunks(total, 1024 * 1024, seed=b"mp"),
        container,
        "multi/part.csv",
        content_type="text/csv; charset=utf-8",
        meta_data={"Owner": "alice", "batch": "42"},
    )
    assert obj.meta_data == {"owner": "alice", "batch": "42"}
    if backend != "local":
        assert obj.extra["parts"] == 3
    fetched = driver.get_object(container.name, "multi/part.csv")
    assert fetched.size == total
    assert fetched.content_type == "text/csv; charset=utf-8"
    assert fetched.meta_data == {"owner": "alice", "batch": "42"}
    boundary = 5 * 1024 * 1024
    across = driver.download_object_range_as_stream(fetched, boundary - 7, boundary + 9)
    assert b"".join(across) == data[boundary - 7 : boundary + 9]
    assert b"".join(driver.download_object_range_as_stream(fetched, total - 1)) == data[-1:]
    past_end = driver.download_object_range_as_stream(fetched, total - 4, total + 100)
    assert b"".join(past_end) == data[-4:]
    target = tmp_path / "tail.bin"
    assert driver.download_object_range(fetched, str(target), 2 * boundary, None)
    assert target.read_bytes() == data[2 * boundary :]
    for start in (total, total + 10):
        with pytest.raises(InvalidRangeError) as failure:
            b"".join(driver.download_object_range_as_stream(fetched, start))
        assert isinstance(failure.value, ValidationError)
    source = tmp_path / "upload.csv"
    source.write_bytes(data)
    from_file = driver.upload_object(str(source), container, "multi/file.csv", meta_data={"K": "v"})
    again = driver.get_object(container.name, "multi/file.csv")
    assert (again.content_type, again.meta_data) == ("text/csv", {"k": "v"})
    assert again.hash == from_file.hash
    driver.delete_object(fetched)
    driver.delete_object(from_file)
    driver.delete_container(container)
