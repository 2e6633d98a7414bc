"""Large downloads in parallel ranged GETs: the choice between ranges and one stream, each path
against moto, ministack and Swift's s3api (sync and async), and the answers only a stub gives
(a server that ignores Range, an object replaced mid-download)."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from omnicloud.http import HttpConfig, RetryPolicy
from omnicloud.storage import _ranges as ranges
from omnicloud.storage._models import Container, Object
from omnicloud.storage.drivers import s3 as s3_module
from omnicloud.storage.drivers.s3 import AsyncS3StorageDriver, S3StorageDriver
from omnicloud.storage.errors import IntegrityError
from tests.storage.conftest import S3Server, unique
from tests.support.stub_server import Reply, Seen, StubServer

MIB = 1024 * 1024
SPAN = 5 * MIB
SIZE = 12 * MIB  # a first span, then two ranges of the rest
DATA = b"".join(hashlib.sha512(bytes([i])).digest() * (MIB // 64) for i in range(12))
FIRST = f"bytes=0-{SPAN - 1}"


# -- the decision ------------------------------------------------------------------------------
def test_ranges_pay_when_a_request_is_quick_next_to_the_rest() -> None:
    # a real region: 30 ms to answer, 8 MiB in 90 ms, 1 GiB to go
    assert ranges.worth_ranges(0.03, 8 * MIB, 0.09, 1024 * MIB)
    # moto reads the whole object per request: 1.4 s to answer, then memory speed
    assert not ranges.worth_ranges(1.4, 8 * MIB, 0.01, 1024 * MIB)
    # little left: one more stream is cheaper than more requests
    assert not ranges.worth_ranges(0.01, 8 * MIB, 0.008, 7 * MIB)
    # a burst already in the kernel's buffers is not taken for the link's speed
    assert ranges.worth_ranges(0.01, 8 * MIB, 1e-6, 1024 * MIB)
    assert not ranges.worth_ranges(0.01, 0, 0.0, 1024 * MIB)


# -- every path against the real servers ---------------------------------------------------------
PATHS = {
    # forced choices, whatever the loopback timings say
    "ranges": {"LATENCY_FACTOR": 0},
    "stream": {"LATENCY_FACTOR": 10**9},
    "slow-server": {"LATENCY_FACTOR": 10**9, "SLOW_REQUEST": 0.0},
}
EXPECTED_RANGES = {
    "ranges": [FIRST, f"bytes={SPAN}-{2 * SPAN - 1}", f"bytes={2 * SPAN}-{SIZE - 1}"],
    "stream": [FIRST, f"bytes={SPAN}-"],
    "slow-server": [FIRST, None],  # a plain GET (If-Match), its first span dropped
}


@pytest.fixture
def stored(s3_server: S3Server) -> Iterator[tuple[S3Server, str]]:
    driver = S3StorageDriver(s3_server.key, s3_server.secret, endpoint=s3_server.endpoint)
    container = driver.create_container(unique("ranges"))
    driver.upload_object_via_stream(iter([DATA]), container, "big.bin")
    yield s3_server, container.name
    for obj in driver.list_container_objects(container):
        driver.delete_object(obj)
    driver.delete_container(container)


@pytest.fixture
def seen_ranges(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The Range header of every GetObject of data opened (None: a plain GET); the ``partNumber``
    GET that learns the part size (headers only, to check the multipart ETag) is not counted."""
    seen: list[str | None] = []
    original = s3_module.S3StorageOps._open_get

    def recording(
        self: Any, obj: Object, headers: dict[str, str], expected: Any, **kwargs: Any
    ) -> Any:
        if not kwargs.get("query"):
            seen.append(headers.get("Range"))
        return original(self, obj, headers, expected, **kwargs)

    monkeypatch.setattr(s3_module.S3StorageOps, "_open_get", recording)
    return seen


def run_async(mode: str, main: Any) -> Any:
    """``main()`` under asyncio, or under trio (whose runner has no detached tasks)."""
    return anyio.run(main, backend="trio" if mode == "trio" else "asyncio")


@pytest.mark.parametrize("mode", ["sync", "async", "trio"])
@pytest.mark.parametrize("path", list(PATHS))
def test_large_download_takes_each_path_intact(
    stored: tuple[S3Server, str],
    seen_ranges: list[str | None],
    path: str,
    mode: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    for name, value in PATHS[path].items():
        monkeypatch.setattr(ranges, name, value)
    server, bucket = stored
    options: dict[str, Any] = {"endpoint": server.endpoint, "part_size": SPAN, "concurrency": 3}
    target = tmp_path / "big.bin"

    def sync() -> tuple[bytes, list[str | None]]:
        driver = S3StorageDriver(server.key, server.secret, **options)
        obj = driver.get_object(bucket, "big.bin")
        streamed = b"".join(driver.download_object_as_stream(obj, chunk_size=MIB))
        first = list(seen_ranges)
        assert driver.download_object(obj, str(target), overwrite_existing=True)
        return streamed, first

    async def asynchronous() -> tuple[bytes, list[str | None]]:
        async with AsyncS3StorageDriver(server.key, server.secret, **options) as driver:
            obj = await driver.get_object(bucket, "big.bin")
            streamed = b"".join([c async for c in driver.download_object_as_stream(obj, MIB)])
            first = list(seen_ranges)
            assert await driver.download_object(obj, str(target), overwrite_existing=True)
            return streamed, first

    streamed, first = sync() if mode == "sync" else run_async(mode, asynchronous)
    assert streamed == DATA
    assert target.read_bytes() == DATA
    assert sorted(first, key=str) == sorted(EXPECTED_RANGES[path], key=str)
    assert len(seen_ranges) == 2 * len(first)  # the file download took the same path


def test_small_objects_keep_one_plain_get(
    s3_server: S3Server, seen_ranges: list[str | None]
) -> None:
    driver = S3StorageDriver(s3_server.key, s3_server.secret, endpoint=s3_server.endpoint)
    container = driver.create_container(unique("ranges"))
    small = DATA[: 2 * s3_module.RANGE_SIZE - 1]  # less than two ranges
    try:
        obj = driver.upload_object_via_stream(iter([small]), container, "s")
        assert b"".join(driver.download_object_as_stream(obj)) == small
        assert seen_ranges == [None]
    finally:
        driver.delete_object(obj)
        driver.delete_container(container)


# -- answers from a stub -----------------------------------------------------------------------
NO_RETRY = HttpConfig(retry=RetryPolicy(max_attempts=1))
ETAG = '"' + hashlib.md5(DATA).hexdigest() + '"'


def stub_driver(stub: StubServer) -> S3StorageDriver:
    return S3StorageDriver(
        "AKIDSTUB", "stub-secret", endpoint=stub.url, part_size=SPAN, concurrency=2, http=NO_RETRY
    )


def stub_object(driver: Any) -> Object:
    bucket = Container(name="bkt", driver=driver)
    return Object(name="big", size=SIZE, hash=None, container=bucket, driver=driver)


def ranged(seen: Seen, etag: str = ETAG) -> Reply:
    first, _, last = seen.headers["Range"].removeprefix("bytes=").partition("-")
    end = int(last) + 1 if last else SIZE
    headers = {"ETag": etag, "Content-Range": f"bytes {first}-{end - 1}/{SIZE}"}
    return Reply(206, DATA[int(first) : end], headers)


def test_a_server_that_ignores_range_gets_one_plain_download(stub: StubServer) -> None:
    stub.handle(lambda seen: Reply(200, DATA, {"ETag": ETAG}))
    driver = stub_driver(stub)
    assert b"".join(driver.download_object_as_stream(stub_object(driver))) == DATA
    sent = [seen.headers.get("Range") for seen in stub.requests]
    assert sent == [FIRST, None]  # the ignored range was closed unread, then one plain GET


def test_a_server_that_stops_honouring_range_is_read_as_one_stream(
    stub: StubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ranges, "LATENCY_FACTOR", 0)

    def answer(seen: Seen) -> Reply:
        if seen.headers.get("Range") == FIRST:
            return ranged(seen)
        return Reply(200, DATA, {"ETag": ETAG})  # every later range: the whole object

    stub.handle(answer)
    driver = stub_driver(stub)
    assert b"".join(driver.download_object_as_stream(stub_object(driver))) == DATA
    sent = [(seen.headers.get("Range"), seen.headers.get("If-Match")) for seen in stub.requests]
    assert sent[0] == (FIRST, None)
    assert sent[-1] == (None, ETAG)  # pinned to the version the first span came from


def test_an_object_replaced_mid_download_fails_clearly_and_leaves_no_file(
    stub: StubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(ranges, "LATENCY_FACTOR", 0)

    def answer(seen: Seen) -> Reply:
        if seen.headers.get("If-Match") == ETAG:  # a new version was written meanwhile
            return Reply(412, "<Error><Code>PreconditionFailed</Code></Error>")
        return ranged(seen)

    stub.handle(answer)
    driver = stub_driver(stub)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(IntegrityError, match="changed during the download"):
        driver.download_object(stub_object(driver), str(out / "big"))
    assert list(out.iterdir()) == []
    with pytest.raises(IntegrityError, match="changed during the download"):
        b"".join(driver.download_object_as_stream(stub_object(driver)))


@pytest.mark.parametrize("mode", ["sync", "async", "trio"])
def test_stopping_early_in_ranges_leaves_nothing_running(
    stored: tuple[S3Server, str], mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ranges, "LATENCY_FACTOR", 0)
    server, bucket = stored
    options: dict[str, Any] = {"endpoint": server.endpoint, "part_size": SPAN, "concurrency": 3}
    threads = set(threading.enumerate())  # earlier tests' idle workers may exit meanwhile

    def sync() -> bytes:
        driver = S3StorageDriver(server.key, server.secret, **options)
        obj = driver.get_object(bucket, "big.bin")
        stream = driver.download_object_as_stream(obj, chunk_size=MIB)
        head = [next(stream) for _ in range(SPAN // MIB + 1)]  # into the ranged part
        stream.close()  # type: ignore[attr-defined]
        again = b"".join(driver.download_object_as_stream(obj, chunk_size=MIB))
        driver.close()
        return b"".join(head) + again

    async def asynchronous() -> bytes:
        async with AsyncS3StorageDriver(server.key, server.secret, **options) as driver:
            obj = await driver.get_object(bucket, "big.bin")
            stream = driver.download_object_as_stream(obj, MIB)
            head = [await anext(stream) for _ in range(SPAN // MIB + 1)]
            await stream.aclose()  # type: ignore[attr-defined]
            again = b"".join([c async for c in driver.download_object_as_stream(obj, MIB)])
        return b"".join(head) + again

    got = sync() if mode == "sync" else run_async(mode, asynchronous)
    assert got == DATA[: SPAN + MIB] + DATA
    assert set(threading.enumerate()) - threads == set()  # no range fetcher left behind


LONG = DATA * 2 + DATA[:MIB]  # a first span, then four ranges
SLOW = 1.0  # how long the second range's answer is held back


def long_object(driver: Any) -> Object:
    bucket = Container(name="bkt", driver=driver)
    return Object(name="big", size=len(LONG), hash=None, container=bucket, driver=driver)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_new_range_starts_as_soon_as_the_oldest_is_handed_over(
    stub: StubServer, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # two in flight; the second (bytes 10-15 MiB) is slow: the third must not wait for it
    monkeypatch.setattr(ranges, "LATENCY_FACTOR", 0)
    arrived: dict[int, float] = {}
    etag = '"' + hashlib.md5(LONG).hexdigest() + '"'

    def answer(seen: Seen) -> Reply:
        first, _, last = seen.headers["Range"].removeprefix("bytes=").partition("-")
        arrived[int(first)] = time.monotonic()
        end = int(last) + 1
        headers = {"ETag": etag, "Content-Range": f"bytes {first}-{end - 1}/{len(LONG)}"}
        delay = SLOW if int(first) == 2 * SPAN else 0.0
        return Reply(206, LONG[int(first) : end], headers, delay=delay)

    stub.handle(answer)
    options: dict[str, Any] = {"endpoint": stub.url, "part_size": SPAN, "concurrency": 2}

    def sync() -> bytes:
        driver = S3StorageDriver("AKIDSTUB", "stub-secret", http=NO_RETRY, **options)
        obj = long_object(driver)
        got = b"".join(driver.download_object_as_stream(obj, chunk_size=MIB))
        driver.close()
        return got

    async def asynchronous() -> bytes:
        async with AsyncS3StorageDriver("AKIDSTUB", "stub-secret", http=NO_RETRY, **options) as d:
            obj = long_object(d)
            return b"".join([c async for c in d.download_object_as_stream(obj, MIB)])

    assert (sync() if mode == "sync" else anyio.run(asynchronous)) == LONG
    assert sorted(arrived) == [0, SPAN, 2 * SPAN, 3 * SPAN, 4 * SPAN]
    # the third range went out while the slow second was still held back (a batch of two
    # would have waited for it); bytes still came out in order (checked above)
    assert arrived[3 * SPAN] - arrived[2 * SPAN] < SLOW / 2
