"""Object names with ``.``/``..`` segments, doubled or trailing slashes reach exactly that key.

httpx removes dot segments from every URL it parses (``PUT /b/logs/../victim`` went out as
``PUT /b/victim`` and overwrote ``victim``). Every request here goes through a proxy on
127.0.0.1 that records the request lines the server really received, so each test shows both
what the store holds afterwards and what was on the wire.
"""

from __future__ import annotations

import hashlib
import urllib.parse
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
import urllib3

from omnicloud.errors import RequestNotSentError
from omnicloud.http import HttpConfig
from omnicloud.http._exact import keep_dot_segments
from omnicloud.storage._models import Container, Object
from omnicloud.storage.drivers.s3 import AsyncS3StorageDriver, S3StorageDriver
from omnicloud.storage.errors import InvalidContainerNameError, InvalidObjectNameError
from tests.storage.conftest import SELECTED, S3Server, unique
from tests.support.fault_proxy import FaultProxy

MIB = 1024 * 1024
NAMES = ["a/../b", "./x", "..", ".", "a/./b", "a//b", "dir/", "logs/../victim", "x/.."]
SERVERS = [name for name in ("moto", "ministack", "swift") if name in SELECTED]


@pytest.fixture(params=SERVERS)
def proxied(request: pytest.FixtureRequest) -> Iterator[tuple[S3Server, FaultProxy]]:
    server: S3Server = request.getfixturevalue(f"{request.param}_server")
    proxy = FaultProxy(int(server.endpoint.rsplit(":", 1)[1]))
    try:
        yield server, proxy
    finally:
        proxy.stop()


def driver_for(server: S3Server, proxy: FaultProxy, **kwargs: Any) -> S3StorageDriver:
    return S3StorageDriver(server.key, server.secret, endpoint=proxy.url, **kwargs)


def wire_path(bucket: str, name: str) -> bytes:
    return f"/{bucket}/{urllib.parse.quote(name, safe='-_.~/')}".encode()


def targets(proxy: FaultProxy) -> list[bytes]:
    """The path (no query) of every request the server received."""
    return [line.split(b" ")[1].partition(b"?")[0] for line in proxy.forwarded]


def payload(name: str) -> bytes:
    return b"content of " + name.encode() + b" " + hashlib.sha256(name.encode()).digest()


# -- what httpx does, and what goes out instead --------------------------------------------------
def test_httpx_built_requests_keep_dot_segments() -> None:
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions.get("target", request.url.raw_path))
        return httpx.Response(200)

    driver = S3StorageDriver(
        "AKID", "secret", endpoint="http://127.0.0.1:9", http=HttpConfig(
            transport=httpx.MockTransport(handler)
        ),
    )  # fmt: skip
    container = Container("bkt", driver=driver)
    driver.upload_object_via_stream(b"data", container, "logs/../victim")
    driver.delete_object(Object("./x", 0, None, container=container, driver=driver))
    assert seen == [b"/bkt/logs/../victim", b"/bkt/./x"]


def test_a_path_httpx_cannot_keep_is_refused() -> None:
    client = httpx.Client()
    built = client.build_request("GET", "http://127.0.0.1:9/b/a b/../c")
    with pytest.raises(RequestNotSentError, match="another resource"):
        keep_dot_segments(built, "http://127.0.0.1:9/b/a b/../c")
    built = client.build_request("GET", "http://127.0.0.1:9/b/a/../c?x=1")
    keep_dot_segments(built, "http://127.0.0.1:9/b/a/../c?x=1")
    assert built.extensions["target"] == b"/b/a/../c?x=1"  # httpx's public request extension
    client.close()


# -- every operation against the servers, sync ----------------------------------------------
def test_dot_segment_keys_round_trip(proxied: tuple[S3Server, FaultProxy]) -> None:
    server, proxy = proxied
    driver = driver_for(server, proxy)
    container = driver.create_container(unique("dots"))
    for plain in ("victim", "b", "x", "a/b"):
        driver.upload_object_via_stream(b"untouched " + plain.encode(), container, plain)
    for name in NAMES:
        proxy.plan()
        obj = driver.upload_object_via_stream(payload(name), container, name)
        assert obj.name == name
        head = driver.get_object(container.name, name)
        assert head.size == len(payload(name))
        assert b"".join(driver.download_object_as_stream(head)) == payload(name)
        assert head.extra["verified"] is True
        part = b"".join(driver.download_object_range_as_stream(head, 3, 9))
        assert part == payload(name)[3:9]
        assert set(targets(proxy)) == {wire_path(container.name, name)}, proxy.forwarded
    listed = {obj.name: obj for obj in driver.list_container_objects(container)}
    assert sorted(listed) == sorted([*NAMES, "victim", "b", "x", "a/b"])
    for plain in ("victim", "b", "x", "a/b"):
        assert b"".join(driver.download_object_as_stream(listed[plain])) == b"untouched " + (
            plain.encode()
        )
    for name in NAMES:
        assert b"".join(driver.download_object_as_stream(listed[name])) == payload(name)
        proxy.plan()
        assert driver.delete_object(listed[name])
        assert targets(proxy) == [wire_path(container.name, name)]
    assert sorted(o.name for o in driver.list_container_objects(container)) == [
        "a/b", "b", "victim", "x",
    ]  # fmt: skip
    assert [o.name for o in driver.list_container_objects(container, prefix="a/")] == ["a/b"]
    for plain in ("victim", "b", "x", "a/b"):
        driver.delete_object(listed[plain])
    driver.delete_container(container)
    driver.close()


def test_multipart_upload_and_ranged_download_of_a_dot_key(
    proxied: tuple[S3Server, FaultProxy],
) -> None:
    server, proxy = proxied
    driver = driver_for(server, proxy, part_size=5 * MIB, concurrency=3)
    container = driver.create_container(unique("dotmp"))
    driver.upload_object_via_stream(b"victim", container, "b")
    data = hashlib.sha512(b"mp").digest() * (11 * MIB // 64)
    proxy.plan()
    obj = driver.upload_object_via_stream(
        iter([data[: 3 * MIB], data[3 * MIB :]]), container, "a/../b"
    )
    assert obj.extra["parts"] == 3
    head = driver.get_object(container.name, "a/../b")
    assert b"".join(driver.download_object_as_stream(head)) == data
    assert head.extra["verified"] is True
    assert (
        b"".join(driver.download_object_range_as_stream(head, 6 * MIB, 6 * MIB + 10))
        == (data[6 * MIB : 6 * MIB + 10])
    )
    assert set(targets(proxy)) == {wire_path(container.name, "a/../b")}
    names = {o.name: o for o in driver.list_container_objects(container)}
    assert sorted(names) == ["a/../b", "b"]
    assert names["b"].size == 6
    assert b"".join(driver.download_object_as_stream(names["b"])) == b"victim"
    for listed in names.values():
        driver.delete_object(listed)
    driver.delete_container(container)
    driver.close()


def test_presigned_urls_name_the_key_exactly(proxied: tuple[S3Server, FaultProxy]) -> None:
    server, proxy = proxied
    driver = driver_for(server, proxy)
    container = driver.create_container(unique("dotpre"))
    driver.upload_object_via_stream(b"victim", container, "b")
    target = Object("a/../b", 0, None, container=container, driver=driver)
    put_url = driver.get_object_presigned_url(target, method="PUT")
    get_url = driver.get_object_presigned_url(target)
    assert urllib.parse.urlsplit(get_url).path == f"/{container.name}/a/../b"
    pool = urllib3.PoolManager()
    # a client that sends the path as given (urllib3's pools do; httpx would not)
    host = urllib.parse.urlsplit(put_url)
    conn = pool.connection_from_host(host.hostname or "", host.port, host.scheme)
    answer = conn.urlopen("PUT", f"{host.path}?{host.query}", body=b"presigned", retries=False)
    assert answer.status == 200
    got = urllib.parse.urlsplit(get_url)
    answer = conn.urlopen("GET", f"{got.path}?{got.query}", retries=False)
    assert (answer.status, answer.data) == (200, b"presigned")
    names = {o.name: o for o in driver.list_container_objects(container)}
    assert sorted(names) == ["a/../b", "b"]
    assert b"".join(driver.download_object_as_stream(names["b"])) == b"victim"
    for listed in names.values():
        driver.delete_object(listed)
    driver.delete_container(container)
    pool.clear()
    driver.close()


# -- async -------------------------------------------------------------------------------------
def test_async_dot_segment_keys_round_trip(proxied: tuple[S3Server, FaultProxy]) -> None:
    server, proxy = proxied
    data = hashlib.sha512(b"amp").digest() * (11 * MIB // 64)

    async def scenario() -> None:
        async with AsyncS3StorageDriver(
            server.key, server.secret, endpoint=proxy.url, part_size=5 * MIB, concurrency=3
        ) as driver:
            container = await driver.create_container(unique("adots"))
            for plain in ("victim", "b", "x"):
                await driver.upload_object_via_stream(b"untouched", container, plain)
            for name in [*NAMES, "big/../b"]:
                body = data if name == "big/../b" else payload(name)
                proxy.plan()
                await driver.upload_object_via_stream(body, container, name)
                head = await driver.get_object(container.name, name)
                assert head.size == len(body)
                got = b"".join([c async for c in driver.download_object_as_stream(head)])
                assert got == body
                assert head.extra["verified"] is True
                ranged = driver.download_object_range_as_stream(head, 2, 7)
                assert b"".join([c async for c in ranged]) == body[2:7]
                assert set(targets(proxy)) == {wire_path(container.name, name)}
            listed = {o.name: o for o in await driver.list_container_objects(container)}
            assert sorted(listed) == sorted([*NAMES, "big/../b", "victim", "b", "x"])
            for plain in ("victim", "b", "x"):
                got = b"".join([c async for c in driver.download_object_as_stream(listed[plain])])
                assert got == b"untouched"
            for obj in listed.values():
                proxy.plan()
                await driver.delete_object(obj)
                assert targets(proxy) == [wire_path(container.name, obj.name)]
            await driver.delete_container(container)

    anyio.run(scenario)


# -- names no store can hold ---------------------------------------------------------------------
@pytest.mark.parametrize("name", ["", "k" * 1025, "bad\udc80name"])
def test_impossible_keys_are_refused_before_sending(
    proxied: tuple[S3Server, FaultProxy], name: str
) -> None:
    server, proxy = proxied
    driver = driver_for(server, proxy)
    container = Container(unique("never"), driver=driver)
    proxy.plan()
    with pytest.raises(InvalidObjectNameError):
        driver.upload_object_via_stream(b"data", container, name)
    with pytest.raises(InvalidObjectNameError):
        driver.get_object(container.name, name)
    with pytest.raises(InvalidObjectNameError):
        driver.get_object_presigned_url(Object(name, 0, None, container=container))
    with pytest.raises(InvalidContainerNameError):
        driver.get_object("", "key")
    assert proxy.forwarded == []
    driver.close()
