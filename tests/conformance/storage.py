"""The object storage conformance suite: what every storage driver does, sync and async.

A provider declares a ``storage_driver`` fixture yielding a
:class:`~tests.conformance._twin.Subject` whose ``caps`` is a :class:`StorageCaps`, and imports
:class:`TestStorageConformance` (see ``test_local_storage.py`` and ``test_s3_storage.py``).
Behaviour that needs a driver's internals (lazy paging, multipart parts) stays in
``tests/storage/test_contract.py``.
"""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest

from omnicloud.errors import NotFoundError, ValidationError
from omnicloud.storage import Container, Object
from omnicloud.storage.errors import (
    ContainerAlreadyExistsError,
    ContainerDoesNotExistError,
    ContainerIsNotEmptyError,
    InvalidObjectNameError,
    ObjectDoesNotExistError,
)

from ._twin import Subject

__all__ = ["StorageCaps", "TestStorageConformance", "chunks", "unique"]


@dataclass(frozen=True)
class StorageCaps:
    """``dot_segments``: what the driver does with ``.``/``..`` path segments in object names,
    ``"refuse"`` (InvalidObjectNameError before anything is written) or ``"exact"`` (the key is
    stored and read back exactly as given); ``small_pages(native)`` makes listings page in twos
    (so continuation is exercised) when the driver pages."""

    dot_segments: Literal["refuse", "exact"]
    small_pages: Callable[[Any], None] | None = None


def unique(prefix: str = "oc") -> str:
    """A fresh, DNS-safe container name."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def chunks(total: int, size: int = 256 * 1024, seed: bytes = b"x") -> Iterator[bytes]:
    """Deterministic data generated on the fly."""
    block = hashlib.sha256(seed).digest() * (size // 32 + 1)
    sent = 0
    while sent < total:
        piece = block[: min(size, total - sent)]
        sent += len(piece)
        yield piece


def _empty(d: Any, container: Container) -> None:
    for obj in d.list_container_objects(container):
        d.delete_object(obj)
    d.delete_container(container)


class TestStorageConformance:
    """Libcloud's storage contract (``storage_driver``: a ``Subject[StorageCaps]``)."""

    @pytest.fixture
    def container(self, storage_driver: Subject[StorageCaps]) -> Iterator[Container]:
        """A fresh container, emptied and deleted after the test."""
        d = storage_driver.driver
        made: Container = d.create_container(unique())
        yield made
        with contextlib.suppress(ContainerDoesNotExistError):  # the test deleted it
            _empty(d, made)

    def test_containers_lifecycle(self, storage_driver: Subject[StorageCaps]) -> None:
        d = storage_driver.driver
        name = unique()
        container = d.create_container(name)
        assert isinstance(container, Container) and container.name == name
        assert container.driver is storage_driver.native
        listed = [c for c in d.list_containers() if c.name == name]
        assert len(listed) == 1 and all(isinstance(c, Container) for c in listed)
        assert d.get_container(name).name == name
        with pytest.raises(ContainerAlreadyExistsError):
            d.create_container(name)
        assert d.delete_container(container) is True
        assert name not in {c.name for c in d.list_containers()}
        with pytest.raises(ContainerDoesNotExistError) as missing:
            d.get_container(name)
        assert isinstance(missing.value, NotFoundError)

    def test_objects_roundtrip(
        self, storage_driver: Subject[StorageCaps], container: Container, tmp_path: Path
    ) -> None:
        d = storage_driver.driver
        data = b"hello omnicloud\n" * 1000
        obj = d.upload_object_via_stream(
            iter([data[:100], data[100:]]),
            container,
            "docs/a b+c.txt",
            extra={"meta_data": {"owner": "alice", "created": "2018-03-24"}},
            content_type="text/plain",
        )
        assert isinstance(obj, Object) and obj.name == "docs/a b+c.txt"
        assert obj.driver is storage_driver.native and obj.container.name == container.name
        assert obj.size == len(data) and obj.hash == hashlib.md5(data).hexdigest()

        fetched = d.get_object(container.name, "docs/a b+c.txt")
        assert (fetched.size, fetched.hash) == (len(data), obj.hash)
        assert fetched.meta_data == {"owner": "alice", "created": "2018-03-24"}
        assert fetched.content_type == "text/plain"

        assert b"".join(d.download_object_as_stream(fetched, chunk_size=1000)) == data
        assert b"".join(d.download_object_range_as_stream(fetched, 5, 20)) == data[5:20]
        assert b"".join(d.download_object_range_as_stream(fetched, 15990)) == data[15990:]

        target = tmp_path / "out.txt"
        assert d.download_object(fetched, str(target)) is True
        assert target.read_bytes() == data
        with pytest.raises(ValidationError):
            d.download_object(fetched, str(target))
        assert d.download_object_range(fetched, str(target), 3, 9, overwrite_existing=True)
        assert target.read_bytes() == data[3:9]
        folder = tmp_path / "folder"
        folder.mkdir()
        assert d.download_object(fetched, str(folder) + "/")
        assert (folder / "a b+c.txt").read_bytes() == data
        assert not list(tmp_path.rglob("*.part"))

        source = tmp_path / "photo.json"
        source.write_bytes(b'{"a": 1}')
        from_file = d.upload_object(str(source), container, "from-file.json")
        assert from_file.hash == hashlib.md5(b'{"a": 1}').hexdigest()
        assert d.get_object(container.name, "from-file.json").content_type == "application/json"

        with pytest.raises(ContainerIsNotEmptyError):
            d.delete_container(container)
        assert d.delete_object(fetched) is True
        assert d.delete_object(from_file) is True
        with pytest.raises(ObjectDoesNotExistError):
            d.get_object(container.name, "docs/a b+c.txt")
        assert d.list_container_objects(container) == []
        assert d.delete_container(container) is True

    def test_upload_sources(
        self, storage_driver: Subject[StorageCaps], container: Container, tmp_path: Path
    ) -> None:
        """Bytes, an iterator, an open file and (async drivers) an async iterator."""
        d = storage_driver.driver
        data = b"".join(chunks(300_000, 70_000))
        sources: dict[str, Any] = {"bytes": data, "iterator": chunks(300_000, 70_000)}
        if storage_driver.mode == "async":

            async def produce() -> AsyncIterator[bytes]:
                for piece in chunks(300_000, 70_000):
                    yield piece

            sources["async-iterator"] = produce()
        path = tmp_path / "source.bin"
        path.write_bytes(data)
        with path.open("rb") as handle:
            sources["file"] = handle
            for kind, source in sources.items():
                obj = d.upload_object_via_stream(source, container, f"src/{kind}")
                assert obj.hash == hashlib.md5(data).hexdigest(), kind
        for kind in sources:
            got = d.get_object(container.name, f"src/{kind}")
            assert b"".join(d.download_object_as_stream(got)) == data, kind

    def test_listing_prefix_and_delimiter(
        self, storage_driver: Subject[StorageCaps], container: Container
    ) -> None:
        d = storage_driver.driver
        names = ["a/1", "a/2", "a/b/3", "b/4", "c", "ab"]
        for name in names:
            d.upload_object_via_stream(iter([name.encode()]), container, name)
        if storage_driver.caps.small_pages is not None:
            storage_driver.caps.small_pages(storage_driver.native)
        listed = d.list_container_objects(container)
        assert [o.name for o in listed] == sorted(names)
        assert all(isinstance(o, Object) and o.driver is storage_driver.native for o in listed)
        assert {o.name: o.size for o in listed}["a/b/3"] == 5
        prefixed = d.iterate_container_objects(container, prefix="a/")
        assert [o.name for o in prefixed] == ["a/1", "a/2", "a/b/3"]
        assert [o.name for o in d.list_container_objects(container, prefix="zz")] == []
        top = d.list_container_objects(container, delimiter="/")
        assert sorted((o.name, o.is_prefix) for o in top) == [
            ("a/", True),
            ("ab", False),
            ("b/", True),
            ("c", False),
        ]
        nested = d.list_container_objects(container, prefix="a/", delimiter="/")
        assert sorted((o.name, o.is_prefix) for o in nested) == [
            ("a/1", False),
            ("a/2", False),
            ("a/b/", True),
        ]

    def test_unicode_and_space_names(
        self, storage_driver: Subject[StorageCaps], container: Container
    ) -> None:
        d = storage_driver.driver
        names = [
            "with space.txt",
            "données/été 2024/naïve ☃.txt",
            "日本語/ファイル名",
            "sym bols/a+b=c&d?e#f%20.txt",
        ]
        for name in names:
            obj = d.upload_object_via_stream(iter([name.encode()]), container, name)
            assert obj.name == name
        assert sorted(o.name for o in d.list_container_objects(container)) == sorted(names)
        for name in names:
            got = d.get_object(container.name, name)
            assert got.name == name
            assert b"".join(d.download_object_as_stream(got)) == name.encode()
        listed = d.list_container_objects(container, prefix="données/")
        assert [o.name for o in listed] == ["données/été 2024/naïve ☃.txt"]

    def test_dot_segment_names(
        self, storage_driver: Subject[StorageCaps], container: Container
    ) -> None:
        """``logs/../victim`` never reaches ``victim``: refused, or kept as that exact key."""
        d = storage_driver.driver
        d.upload_object_via_stream(iter([b"original"]), container, "victim")
        dotted = ["logs/../victim", "a/./b", "x/.."]
        if storage_driver.caps.dot_segments == "refuse":
            for name in dotted:
                with pytest.raises(InvalidObjectNameError):
                    d.upload_object_via_stream(iter([b"overwrite"]), container, name)
            assert [o.name for o in d.list_container_objects(container)] == ["victim"]
        else:
            for name in dotted:
                obj = d.upload_object_via_stream(iter([name.encode()]), container, name)
                assert obj.name == name
            for name in dotted:
                got = d.get_object(container.name, name)
                assert b"".join(d.download_object_as_stream(got)) == name.encode()
            expected = sorted(["victim", *dotted])
            assert sorted(o.name for o in d.list_container_objects(container)) == expected
        victim = d.get_object(container.name, "victim")
        assert b"".join(d.download_object_as_stream(victim)) == b"original"

    def test_missing_things(
        self, storage_driver: Subject[StorageCaps], container: Container, tmp_path: Path
    ) -> None:
        d = storage_driver.driver
        with pytest.raises(ContainerDoesNotExistError):
            d.get_container(unique("missing"))
        with pytest.raises(ObjectDoesNotExistError) as missing:
            d.get_object(container.name, "nope")
        assert isinstance(missing.value, NotFoundError)
        ghost = d.upload_object_via_stream(iter([b"x"]), container, "ghost")
        d.delete_object(ghost)
        with pytest.raises(ObjectDoesNotExistError):
            list(d.download_object_as_stream(ghost))
        out = tmp_path / "downloads"
        out.mkdir()
        with pytest.raises(ObjectDoesNotExistError):
            d.download_object(ghost, str(out / "ghost"))
        assert list(out.iterdir()) == []
        with pytest.raises(ValidationError):
            list(d.download_object_range_as_stream(ghost, 5, 5))

    def test_stream_chunk_sizes(
        self, storage_driver: Subject[StorageCaps], container: Container
    ) -> None:
        """``chunk_size`` is honoured exactly (only the last chunk is shorter)."""
        d = storage_driver.driver
        data = b"".join(chunks(10_247, 4096))
        obj = d.upload_object_via_stream(iter([data]), container, "chunky")
        sizes = [len(c) for c in d.download_object_as_stream(obj, chunk_size=1000)]
        assert sizes == [*[1000] * 10, 247]
        ranged = d.download_object_range_as_stream(obj, 10, 3010, chunk_size=512)
        assert [len(c) for c in ranged] == [*[512] * 5, 440]
        assert [len(c) for c in d.download_object_as_stream(obj)] == [10_247]  # 1 MiB default

    def test_models_forward_to_driver(
        self, storage_driver: Subject[StorageCaps], container: Container, tmp_path: Path
    ) -> None:
        settle = storage_driver.settle
        obj = settle(container.upload_object_via_stream(iter([b"abc"]), "m"))
        assert [o.name for o in settle(container.list_objects())] == ["m"]
        assert b"".join(settle(obj.as_stream())) == b"abc"
        assert b"".join(settle(obj.range_as_stream(1))) == b"bc"
        assert settle(obj.download(str(tmp_path / "m")))
        assert settle(container.get_object("m")).size == 3
        assert settle(obj.delete())
        assert settle(container.delete())
