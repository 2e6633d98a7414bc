"""The whole storage API: the same assertions against local, moto, ministack and Swift."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from omnicloud.errors import ValidationError
from omnicloud.storage.errors import (
    ContainerAlreadyExistsError,
    ContainerDoesNotExistError,
    ContainerIsNotEmptyError,
    ObjectDoesNotExistError,
)
from tests.storage.conftest import S3_SERVERS, S3Server, unique

BACKENDS = ["local", *S3_SERVERS]

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


def chunks(total: int, size: int = 256 * 1024, seed: bytes = b"x") -> Iterator[bytes]:
    """Deterministic data generated on the fly."""
    block = hashlib.sha256(seed).digest() * (size // 32)
    sent = 0
    while sent < total:
        piece = block[: min(size, total - sent)]
        sent += len(piece)
        yield piece


def test_containers_lifecycle(factory: tuple[str, Factory]) -> None:
    _, make = factory
    driver = make()
    name = unique()
    container = driver.create_container(name)
    assert container.name == name
    assert name in [c.name for c in driver.list_containers()]
    assert driver.get_container(name).name == name
    with pytest.raises(ContainerAlreadyExistsError):
        driver.create_container(name)
    assert driver.delete_container(container) is True
    with pytest.raises(ContainerDoesNotExistError):
        driver.get_container(name)


def test_objects_roundtrip(factory: tuple[str, Factory], tmp_path: Path) -> None:
    _backend, make = factory
    driver = make()
    container = driver.create_container(unique())
    data = b"hello omnicloud\n" * 1000
    obj = driver.upload_object_via_stream(
        iter([data[:100], data[100:]]),
        container,
        "docs/a b+c.txt",
        extra={"meta_data": {"owner": "alice", "created": "2018-03-24"}},
        content_type="text/plain",
    )
    assert obj.size == len(data)
    assert obj.hash == hashlib.md5(data).hexdigest()

    fetched = driver.get_object(container.name, "docs/a b+c.txt")
    assert fetched.size == len(data)
    assert fetched.hash == obj.hash
    assert fetched.meta_data == {"owner": "alice", "created": "2018-03-24"}
    assert fetched.content_type == "text/plain"

    assert b"".join(driver.download_object_as_stream(fetched, chunk_size=1000)) == data
    assert b"".join(driver.download_object_range_as_stream(fetched, 5, 20)) == data[5:20]
    assert b"".join(driver.download_object_range_as_stream(fetched, 15990)) == data[15990:]

    target = tmp_path / "out.txt"
    assert driver.download_object(fetched, str(target)) is True
    assert target.read_bytes() == data
    with pytest.raises(ValidationError):
        driver.download_object(fetched, str(target))
    assert driver.download_object_range(fetched, str(target), 3, 9, overwrite_existing=True)
    assert target.read_bytes() == data[3:9]
    folder = tmp_path / "folder"
    folder.mkdir()
    assert driver.download_object(fetched, str(folder) + "/")
    assert (folder / "a b+c.txt").read_bytes() == data
    assert not [p for p in tmp_path.rglob("*.part")]

    source = tmp_path / "photo.json"
    source.write_bytes(b'{"a": 1}')
    from_file = driver.upload_object(str(source), container, "from-file.json")
    assert from_file.hash == hashlib.md5(b'{"a": 1}').hexdigest()
    assert driver.get_object(container.name, "from-file.json").content_type == "application/json"

    with pytest.raises(ContainerIsNotEmptyError):
        driver.delete_container(container)
    assert driver.delete_object(fetched) is True
    assert driver.delete_object(from_file) is True
    with pytest.raises(ObjectDoesNotExistError):
        driver.get_object(container.name, "docs/a b+c.txt")
    assert driver.list_container_objects(container) == []
    driver.delete_container(container)


def test_listing_prefix_delimiter_and_pages(factory: tuple[str, Factory]) -> None:
    backend, make = factory
    driver = make()
    container = driver.create_container(unique())
    names = ["a/1", "a/2", "a/b/3", "b/4", "c", "ab"]
    for name in names:
        driver.upload_object_via_stream(iter([name.encode()]), container, name)
    if backend != "local":
        driver._ops.page_size = 2  # force continuation tokens
    listed = driver.list_container_objects(container)
    assert [o.name for o in listed] == sorted(names)
    assert {o.name: o.size for o in listed}["a/b/3"] == 5
    assert [o.name for o in driver.iterate_container_objects(container, prefix="a/")] == [
        "a/1",
        "a/2",
        "a/b/3",
    ]
    top = driver.list_container_objects(container, delimiter="/")
    assert sorted((o.name, o.is_prefix) for o in top) == [
        ("a/", True),
        ("ab", False),
        ("b/", True),
        ("c", False),
    ]
    nested = driver.list_container_objects(container, prefix="a/", delimiter="/")
    assert sorted((o.name, o.is_prefix) for o in nested) == [
        ("a/1", False),
        ("a/2", False),
        ("a/b/", True),
    ]
    lazy = driver.iterate_container_objects(container)
    assert next(lazy).name == "a/1"
    lazy.close()
    for obj in listed:
        driver.delete_object(obj)
    driver.delete_container(container)


def test_missing_things(factory: tuple[str, Factory], tmp_path: Path) -> None:
    _, make = factory
    driver = make()
    with pytest.raises(ContainerDoesNotExistError):
        driver.get_container(unique("missing"))
    container = driver.create_container(unique())
    with pytest.raises(ObjectDoesNotExistError):
        driver.get_object(container.name, "nope")
    ghost = driver.upload_object_via_stream(iter([b"x"]), container, "ghost")
    driver.delete_object(ghost)
    with pytest.raises(ObjectDoesNotExistError):
        list(driver.download_object_as_stream(ghost))
    out = tmp_path / "downloads"
    out.mkdir()
    with pytest.raises(ObjectDoesNotExistError):
        driver.download_object(ghost, str(out / "ghost"))
    assert list(out.iterdir()) == []
    with pytest.raises(ValidationError):
        list(driver.download_object_range_as_stream(ghost, 5, 5))
    driver.delete_container(container)


def test_async_twin(factory: tuple[str, Factory], tmp_path: Path) -> None:
    _backend, make = factory

    async def scenario() -> None:
        async with make(async_=True) as driver:
            container = await driver.create_container(unique())

            async def produce() -> Any:
                for piece in chunks(300_000, 70_000):
                    yield piece

            data = b"".join(chunks(300_000, 70_000))
            obj = await driver.upload_object_via_stream(
                produce(), container, "async/obj", meta_data={"k": "v"}
            )
            assert obj.hash == hashlib.md5(data).hexdigest()
            got = await driver.get_object(container.name, "async/obj")
            assert got.meta_data == {"k": "v"}
            received = b"".join([c async for c in driver.download_object_as_stream(got)])
            assert received == data
            part = driver.download_object_range_as_stream(got, 10, 20)
            assert b"".join([c async for c in part]) == data[10:20]
            assert await driver.download_object(got, str(tmp_path / "a.bin"))
            assert (tmp_path / "a.bin").read_bytes() == data
            names = [o.name async for o in driver.iterate_container_objects(container)]
            assert names == ["async/obj"]
            assert [c.name for c in await driver.list_containers()].count(container.name) == 1
            await driver.delete_object(got)
            await driver.delete_container(container)

    anyio.run(scenario)


def test_models_forward_to_driver(factory: tuple[str, Factory], tmp_path: Path) -> None:
    _, make = factory
    driver = make()
    container = driver.create_container(unique())
    obj = container.upload_object_via_stream(iter([b"abc"]), "m")
    assert [o.name for o in container.list_objects()] == ["m"]
    assert b"".join(obj.as_stream()) == b"abc"
    assert b"".join(obj.range_as_stream(1)) == b"bc"
    assert obj.download(str(tmp_path / "m"))
    assert container.get_object("m").size == 3
    assert obj.delete()
    assert container.delete()


def test_stream_chunk_sizes(factory: tuple[str, Factory]) -> None:
    """``chunk_size`` is honoured exactly (only the last chunk is shorter), sync and async."""
    _, make = factory
    driver = make()
    container = driver.create_container(unique())
    data = b"".join(chunks(10_247, 4096))
    obj = driver.upload_object_via_stream(iter([data]), container, "chunky")
    assert [len(c) for c in driver.download_object_as_stream(obj, chunk_size=1000)] == [
        *[1000] * 10,
        247,
    ]
    ranged = driver.download_object_range_as_stream(obj, 10, 3010, chunk_size=512)
    assert [len(c) for c in ranged] == [*[512] * 5, 440]
    assert [len(c) for c in driver.download_object_as_stream(obj)] == [10_247]  # 1 MiB default

    async def scenario() -> list[int]:
        async with make(async_=True) as twin:
            stream = twin.download_object_as_stream(obj, chunk_size=4096)
            return [len(c) async for c in stream]

    assert anyio.run(scenario) == [4096, 4096, 2055]
    driver.delete_object(obj)
    driver.delete_container(container)


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
