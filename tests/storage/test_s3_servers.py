"""S3 behaviour against real servers: parts really in flight in parallel, buckets outside
us-east-1, virtual-hosted addressing, and what ``Object.hash`` is on each server."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from omnicloud.http import HttpConfig
from omnicloud.storage.drivers.s3 import AsyncS3StorageDriver, S3StorageDriver
from tests.storage.conftest import S3Server, unique
from tests.storage.transports import (
    AsyncOverlapTransport,
    CountingTransport,
    LoopbackTransport,
    OverlapTransport,
    is_upload_part,
)

MIB = 1024 * 1024


def data(total: int, seed: int = 5) -> Iterator[bytes]:
    block = hashlib.sha512(str(seed).encode()).digest() * (MIB // 64)
    left = total
    while left > 0:
        piece = block[: min(len(block), left)]
        left -= len(piece)
        yield piece


def md5_parts(total: int, part: int, seed: int = 5) -> str:
    """The multipart ETag S3 gives: MD5 of the binary part MD5s, then ``-<parts>``."""
    whole = b"".join(data(total, seed))
    digests = [hashlib.md5(whole[i : i + part]).digest() for i in range(0, total, part)]
    return f"{hashlib.md5(b''.join(digests)).hexdigest()}-{len(digests)}"


# -- parallel parts ----------------------------------------------------------------------------
@pytest.mark.parametrize("concurrency", [1, 3])
def test_parts_are_in_flight_concurrently(moto_server: S3Server, concurrency: int) -> None:
    overlap = OverlapTransport(is_upload_part, hold=0.3)
    driver = S3StorageDriver(
        moto_server.key,
        moto_server.secret,
        endpoint=moto_server.endpoint,
        part_size=5 * MIB,
        concurrency=concurrency,
        http=HttpConfig(transport=overlap),
    )
    container = driver.create_container(unique("par"))
    total = 20 * MIB + 1  # five parts
    obj = driver.upload_object_via_stream(data(total), container, "parallel.bin")
    assert obj.hash == md5_parts(total, 5 * MIB)
    assert overlap.total == 5
    assert overlap.peak == concurrency  # never more than asked, and really that many at once
    driver.delete_object(obj)
    driver.delete_container(container)


def test_async_parts_are_in_flight_concurrently(moto_server: S3Server) -> None:
    overlap = AsyncOverlapTransport(is_upload_part, hold=0.3)

    async def scenario() -> None:
        async with AsyncS3StorageDriver(
            moto_server.key,
            moto_server.secret,
            endpoint=moto_server.endpoint,
            part_size=5 * MIB,
            concurrency=3,
            http=HttpConfig(async_transport=overlap),
        ) as driver:
            container = await driver.create_container(unique("apar"))

            async def produce() -> Any:
                for piece in data(20 * MIB + 1):
                    yield piece

            obj = await driver.upload_object_via_stream(produce(), container, "parallel.bin")
            assert obj.hash == md5_parts(20 * MIB + 1, 5 * MIB)
            await driver.delete_object(obj)
            await driver.delete_container(container)

    anyio.run(scenario)
    assert overlap.total == 5
    assert overlap.peak == 3


# -- regions -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["moto", "ministack"])
def test_bucket_outside_us_east_1(request: pytest.FixtureRequest, name: str) -> None:
    server: S3Server = request.getfixturevalue(f"{name}_server")
    calls = CountingTransport()
    driver = S3StorageDriver(
        server.key,
        server.secret,
        endpoint=server.endpoint,
        region="eu-west-1",
        http=HttpConfig(transport=calls),
    )
    bucket = unique("euw")
    container = driver.create_container(bucket)
    assert container.extra["region"] == "eu-west-1"
    client: Any = server.boto3()
    assert client.get_bucket_location(Bucket=bucket)["LocationConstraint"] == "eu-west-1"
    assert driver.get_container(bucket).extra["region"] == "eu-west-1"
    obj = driver.upload_object_via_stream(iter([b"bonjour"]), container, "fr.txt")
    assert b"".join(driver.download_object_as_stream(obj)) == b"bonjour"
    driver.delete_object(obj)
    driver.delete_container(container)
    assert ("PUT", f"/{bucket}", "") in calls.seen

    home = S3StorageDriver(server.key, server.secret, endpoint=server.endpoint)
    plain = home.create_container(unique("use1"))
    assert client.get_bucket_location(Bucket=plain.name)["LocationConstraint"] in (None, "")
    home.delete_container(plain)


# -- virtual-hosted addressing -----------------------------------------------------------------
def test_virtual_hosted_addressing_against_moto(moto_server: S3Server) -> None:
    port = int(moto_server.endpoint.rsplit(":", 1)[1])
    loopback = LoopbackTransport(port)
    driver = S3StorageDriver(
        moto_server.key,
        moto_server.secret,
        endpoint=f"http://s3.omnicloud.test:{port}",
        addressing="virtual",
        http=HttpConfig(transport=loopback),
    )
    bucket = unique("vh")
    container = driver.create_container(bucket)
    payload = b"virtually hosted " * 100
    stored = driver.upload_object_via_stream(
        iter([payload]), container, "dir/v h.txt", meta_data={"style": "virtual"}
    )
    assert stored.hash == hashlib.md5(payload).hexdigest()
    assert [o.name for o in driver.list_container_objects(container, prefix="dir/")] == [
        "dir/v h.txt"
    ]
    fetched = driver.get_object(bucket, "dir/v h.txt")
    assert fetched.meta_data == {"style": "virtual"}
    assert b"".join(driver.download_object_range_as_stream(fetched, 8, 14)) == payload[8:14]
    client: Any = moto_server.boto3()  # path-style: the same bucket and key
    assert client.get_object(Bucket=bucket, Key="dir/v h.txt")["Body"].read() == payload
    driver.delete_object(fetched)
    driver.delete_container(container)
    assert set(loopback.hosts) == {f"{bucket}.s3.omnicloud.test:{port}"}


# -- Object.hash per server ----------------------------------------------------------------------
def test_object_hash_semantics(s3_server: S3Server) -> None:
    """Single PUT: the content MD5. Multipart: MD5 of the part MD5s plus ``-N`` (docs/storage.md),
    the same on every server, from upload, HEAD and listing alike."""
    driver = S3StorageDriver(
        s3_server.key, s3_server.secret, **s3_server.driver_kwargs(), part_size=5 * MIB
    )
    container = driver.create_container(unique("hash"))
    small = b"".join(data(5 * MIB - 1))
    one = driver.upload_object_via_stream(iter([small]), container, "one")
    many = driver.upload_object_via_stream(data(11 * MIB), container, "many")
    assert one.hash == hashlib.md5(small).hexdigest()
    assert many.hash == md5_parts(11 * MIB, 5 * MIB)
    assert many.hash != hashlib.md5(b"".join(data(11 * MIB))).hexdigest()
    assert (one.extra["parts"], many.extra["parts"]) == (0, 3)
    listed = {o.name: o.hash for o in driver.list_container_objects(container)}
    assert listed == {"one": one.hash, "many": many.hash}
    assert driver.get_object(container.name, "many").hash == many.hash
    for obj in (one, many):
        driver.delete_object(obj)
    driver.delete_container(container)
