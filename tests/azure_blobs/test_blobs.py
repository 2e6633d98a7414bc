"""The Azure Blobs driver on Azurite, sync and async: staged blocks, interrupted uploads,
integrity, ranges, metadata, paging and leases."""

from __future__ import annotations

import hashlib
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from omnicloud.storage import Container
from omnicloud.storage.drivers.azure_blobs import (
    AsyncAzureBlobsStorageDriver,
    AzureBlobsStorageDriver,
)
from omnicloud.storage.errors import (
    InvalidRangeError,
    ObjectDoesNotExistError,
    ObjectHashMismatchError,
    StorageError,
)
from tests.conformance.storage import chunks, unique
from tests.support.azurite import Azurite
from tests.support.fault_proxy import Fault, FaultProxy
from tests.support.modes import Blocking, Portal, close_in_mode, open_in_mode

from .conftest import SMALL_BLOCK


def native(d: Any) -> Any:
    """The driver object itself (the async one behind :class:`Blocking`)."""
    return d.driver if isinstance(d, Blocking) else d


def raw(d: Any, method: str, container: str, blob: str | None, query: list[tuple[str, str]]) -> Any:
    """A signed request sent with httpx, outside the driver (to look at the service's state)."""
    request = native(d)._ops.service.request(method, container, blob, query=query)
    return httpx.request(method, request.url, headers=dict(request.headers), timeout=10)


@pytest.fixture
def container(d: AzureBlobsStorageDriver) -> Iterator[Container]:
    made = d.create_container(unique("az"))
    yield made
    for obj in d.list_container_objects(made):
        d.delete_object(obj)
    d.delete_container(made)


def committed_blocks(d: Any, container: Container, name: str, kind: str = "committed") -> list[str]:
    answer = raw(d, "GET", container.name, name, [("comp", "blocklist"), ("blocklisttype", kind)])
    if answer.status_code == 404:
        return []
    assert answer.status_code == 200, answer.text
    from xml.etree.ElementTree import fromstring

    root = fromstring(answer.content)
    tag = "CommittedBlocks" if kind == "committed" else "UncommittedBlocks"
    found = root.find(tag)
    return [block.findtext("Name") or "" for block in (found if found is not None else [])]


def test_large_upload_goes_in_staged_blocks_in_bounded_memory(
    d: AzureBlobsStorageDriver, container: Container
) -> None:
    total = 6 * 1024 * 1024 + 12345
    expected = hashlib.md5(b"".join(chunks(total, 32 * 1024))).hexdigest()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        obj = d.upload_object_via_stream(chunks(total, 32 * 1024), container, "big.bin")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # 3 blocks of 64 KiB in flight (plus the one read ahead and HTTP buffers), never the 6 MiB
    assert peak < 2 * 1024 * 1024, peak
    blocks = -(-total // SMALL_BLOCK)
    assert (obj.size, obj.hash, obj.extra["blocks"]) == (total, expected, blocks)
    assert len(committed_blocks(d, container, "big.bin")) == blocks
    fetched = d.get_object(container.name, "big.bin")
    assert (fetched.size, fetched.hash) == (total, expected)  # the whole MD5 was stored
    got = hashlib.md5()
    for chunk in d.download_object_as_stream(fetched, chunk_size=100_000):
        got.update(chunk)
    assert got.hexdigest() == expected
    assert fetched.extra["verified"] is True


def test_blocks_are_staged_in_parallel(azurite_server: Azurite, mode: str, portal: Portal) -> None:
    """Put Block requests overlap: a proxy delaying each answer by 0.3 s sees 12 blocks go out
    in about a third of the serial time with 3 at a time."""
    import time

    proxy = FaultProxy(azurite_server.port)
    try:
        driver = open_in_mode(
            mode, portal, AzureBlobsStorageDriver, AsyncAzureBlobsStorageDriver,
            azurite_server.account, azurite_server.key, endpoint=proxy.url,
            ex_block_size=SMALL_BLOCK, ex_concurrency=4,
        )  # fmt: skip
        box = driver.create_container(unique("az"))
        proxy.plan(*[Fault("delay", seconds=0.3, match=b"comp=block&") for _ in range(12)])
        started = time.monotonic()
        obj = driver.upload_object_via_stream(b"z" * (12 * SMALL_BLOCK), box, "par")
        elapsed = time.monotonic() - started
        assert obj.extra["blocks"] == 12 and proxy.count(b"comp=block&") == 12
        assert elapsed < 12 * 0.3 / 2, elapsed
        driver.delete_object(obj)
        driver.delete_container(box)
        close_in_mode(driver, portal)
    finally:
        proxy.stop()


class InterruptedSourceError(Exception):
    pass


def test_an_interrupted_upload_commits_nothing(
    d: AzureBlobsStorageDriver, container: Container
) -> None:
    d.upload_object_via_stream(iter([b"old content"]), container, "kept")

    def failing() -> Iterator[bytes]:
        yield from chunks(5 * SMALL_BLOCK, 16 * 1024)
        raise InterruptedSourceError("the source broke")

    for name in ("kept", "fresh"):
        with pytest.raises(InterruptedSourceError):
            d.upload_object_via_stream(failing(), container, name)
    kept = d.get_object(container.name, "kept")
    assert b"".join(d.download_object_as_stream(kept)) == b"old content"
    assert committed_blocks(d, container, "kept") == []  # still the single Put Blob
    with pytest.raises(ObjectDoesNotExistError):
        d.get_object(container.name, "fresh")
    assert [o.name for o in d.list_container_objects(container)] == ["kept"]


def test_a_corrupted_download_is_caught(
    azurite_server: Azurite, mode: str, portal: Portal, tmp_path: Path
) -> None:
    proxy = FaultProxy(azurite_server.port)
    driver = open_in_mode(
        mode, portal, AzureBlobsStorageDriver, AsyncAzureBlobsStorageDriver,
        azurite_server.account, azurite_server.key, endpoint=proxy.url,
        ex_block_size=SMALL_BLOCK, ex_concurrency=3,
    )  # fmt: skip
    try:
        box = driver.create_container(unique("az"))
        small = driver.upload_object_via_stream(iter([b"0123456789" * 100]), box, "small")
        big_data = b"".join(chunks(10 * SMALL_BLOCK + 7, 50_000))
        big = driver.upload_object_via_stream(iter([big_data]), box, "big")
        for obj in (small, big):
            proxy.plan(Fault("flip_body", match=b"GET /devstoreaccount1/" + box.name.encode()))
            with pytest.raises(ObjectHashMismatchError):
                list(driver.download_object_as_stream(obj))
            assert proxy.injected == 1
            proxy.plan(Fault("flip_body", match=b"GET /devstoreaccount1/" + box.name.encode()))
            target = tmp_path / obj.name
            with pytest.raises(ObjectHashMismatchError):
                driver.download_object(obj, str(target))
            assert not target.exists() and not list(tmp_path.glob("*.part"))
        proxy.plan()
        assert b"".join(driver.download_object_as_stream(big)) == big_data  # intact without
        for obj in (small, big):
            driver.delete_object(obj)
        driver.delete_container(box)
    finally:
        close_in_mode(driver, portal)
        proxy.stop()


def test_ranges(d: AzureBlobsStorageDriver, container: Container, tmp_path: Path) -> None:
    data = b"".join(chunks(5 * SMALL_BLOCK + 999, 40_000))
    obj = d.upload_object_via_stream(iter([data]), container, "ranged")
    for start, end in [
        (0, 1),
        (1, None),
        (SMALL_BLOCK - 3, SMALL_BLOCK + 3),
        (len(data) - 1, None),
    ]:
        got = b"".join(d.download_object_range_as_stream(obj, start, end, chunk_size=7777))
        assert got == data[start:end], (start, end)
    target = tmp_path / "part"
    assert d.download_object_range(obj, str(target), 100, 200_000)
    assert target.read_bytes() == data[100:200_000]
    with pytest.raises(InvalidRangeError):
        list(d.download_object_range_as_stream(obj, len(data) + 10))
    # the whole of a large blob comes in parallel spans, in order
    assert b"".join(d.download_object_as_stream(obj, chunk_size=12_345)) == data


def test_metadata_and_content_type_small_and_staged(
    d: AzureBlobsStorageDriver, container: Container
) -> None:
    for name, size in (("small.html", 10), ("staged.html", 3 * SMALL_BLOCK)):
        d.upload_object_via_stream(
            iter([b"x" * size]), container, name,
            extra={"meta_data": {"Owner": "alice"}}, meta_data={"tier": "gold"},
        )  # fmt: skip
        got = d.get_object(container.name, name)
        assert got.meta_data == {"owner": "alice", "tier": "gold"}
        assert got.content_type == "text/html"
        assert got.extra["blob_type"] == "BlockBlob"
        listed = {o.name: o for o in d.list_container_objects(container)}[name]
        assert listed.meta_data == {"owner": "alice", "tier": "gold"}
        assert listed.hash == hashlib.md5(b"x" * size).hexdigest()


def test_markers_across_pages_and_lazy_listing(
    azurite_server: Azurite, mode: str, portal: Portal
) -> None:
    proxy = FaultProxy(azurite_server.port)
    driver = open_in_mode(
        mode, portal, AzureBlobsStorageDriver, AsyncAzureBlobsStorageDriver,
        azurite_server.account, azurite_server.key, endpoint=proxy.url,
    )  # fmt: skip
    try:
        prefix = unique("pg")
        boxes = [driver.create_container(f"{prefix}-{i}") for i in range(5)]
        names = [f"n{i:02d}" for i in range(7)]
        for name in names:
            driver.upload_object_via_stream(iter([name.encode()]), boxes[0], name)
        native(driver)._ops.page_size = 2
        proxy.plan()
        assert [o.name for o in driver.list_container_objects(boxes[0])] == names
        assert proxy.count(b"comp=list") == 4  # 2 + 2 + 2 + 1
        listed = [c.name for c in driver.list_containers() if c.name.startswith(prefix)]
        assert listed == [b.name for b in boxes]
        if mode == "sync":
            proxy.plan()
            first_two = []
            for obj in driver.iterate_container_objects(boxes[0]):
                first_two.append(obj.name)
                if len(first_two) == 2:
                    break
            assert first_two == names[:2] and proxy.count(b"comp=list") == 1
        else:

            async def first_two_async() -> list[str]:
                out = []
                async for obj in native(driver).iterate_container_objects(boxes[0]):
                    out.append(obj.name)
                    if len(out) == 2:
                        break
                return out

            proxy.plan()
            assert portal.call(first_two_async) == names[:2]
            assert proxy.count(b"comp=list") == 1
        for obj in driver.list_container_objects(boxes[0]):
            driver.delete_object(obj)
        for box in boxes:
            driver.delete_container(box)
    finally:
        close_in_mode(driver, portal)
        proxy.stop()


def test_leases(d: AzureBlobsStorageDriver, container: Container) -> None:
    obj = d.upload_object_via_stream(iter([b"v1"]), container, "leased")
    lease = d.ex_acquire_lease(obj, 15)
    assert lease and obj.extra["lease_id"] == lease
    assert d.get_object(container.name, "leased").extra["lease_state"] == "leased"
    other = d.get_object(container.name, "leased")  # no lease id: refused
    with pytest.raises(StorageError) as refused:
        d.delete_object(other)
    assert refused.value.status == 412
    with pytest.raises(StorageError):
        d.upload_object_via_stream(iter([b"v2"]), container, "leased")
    d.upload_object_via_stream(iter([b"v2"]), container, "leased", extra={"lease_id": lease})
    assert d.ex_renew_lease(obj) is True
    assert d.ex_release_lease(obj) is True and "lease_id" not in obj.extra
    again = d.ex_acquire_lease(obj, -1, lease_id="11111111-2222-3333-4444-555555555555")
    assert again == "11111111-2222-3333-4444-555555555555"
    assert d.ex_break_lease(obj, 0) == 0
    assert d.get_object(container.name, "leased").extra["lease_state"] == "broken"
    assert d.delete_object(obj) is True
    box = d.create_container(unique("az"))
    box_lease = d.ex_acquire_lease(box, 20)
    assert box.extra["lease_id"] == box_lease
    with pytest.raises(StorageError) as held:
        d.delete_container(d.get_container(box.name))  # no lease id: refused
    assert held.value.status == 412
    assert d.delete_container(box) is True  # box presents its lease


def test_missing_container_errors(d: AzureBlobsStorageDriver) -> None:
    from omnicloud.storage.errors import ContainerDoesNotExistError

    ghost = Container(name=unique("ghost"), extra={}, driver=native(d))
    with pytest.raises(ContainerDoesNotExistError):
        d.list_container_objects(ghost)
    with pytest.raises(ContainerDoesNotExistError):
        d.upload_object_via_stream(iter([b"x"]), ghost, "x")
    with pytest.raises(ContainerDoesNotExistError):
        d.delete_container(ghost)


def test_parallel_ranged_download_checked_against_the_stored_md5(
    azurite_server: Azurite, mode: str, portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ranges always pay here (as on a real region): the blob comes as ranged GETs of one span
    each, pinned to its ETag, and a byte flipped in one of them fails the whole-blob MD5."""
    import omnicloud.storage._ranges as ranges

    monkeypatch.setattr(ranges, "worth_ranges", lambda *args: True)
    proxy = FaultProxy(azurite_server.port)
    driver = open_in_mode(
        mode, portal, AzureBlobsStorageDriver, AsyncAzureBlobsStorageDriver,
        azurite_server.account, azurite_server.key, endpoint=proxy.url,
        ex_block_size=SMALL_BLOCK, ex_concurrency=3,
    )  # fmt: skip
    try:
        box = driver.create_container(unique("az"))
        data = b"".join(chunks(8 * SMALL_BLOCK + 100, 30_000))
        obj = driver.upload_object_via_stream(iter([data]), box, "spans")
        proxy.plan()
        assert b"".join(driver.download_object_as_stream(obj)) == data
        assert proxy.count(b"GET /devstoreaccount1/" + box.name.encode()) == 9
        assert obj.extra["verified"] is True
        middle = Fault("flip_body", match=b"x-ms-range: bytes=262144-")
        proxy.plan(middle)
        with pytest.raises(ObjectHashMismatchError):
            list(driver.download_object_as_stream(obj))
        assert proxy.injected == 1
        driver.delete_object(obj)
        driver.delete_container(box)
    finally:
        close_in_mode(driver, portal)
        proxy.stop()
