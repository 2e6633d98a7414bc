"""The Swift driver's own behaviour on a real Swift (``swift_server``, auth v1.0 via tempauth),
sync and async: static large objects, ranges, temp URLs fetched by plain HTTP, metadata, paging
with ``marker``, interrupted uploads, re-authentication and Libcloud's forced token/base URL."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import omnicloud
import omnicloud.aio
from omnicloud import Provider
from omnicloud.errors import InvalidCredentialsError
from omnicloud.openstack import Token
from omnicloud.storage.drivers.swift import (
    AsyncOpenStackSwiftStorageDriver,
    OpenStackSwiftStorageDriver,
)
from omnicloud.storage.errors import InvalidRangeError, ObjectDoesNotExistError
from tests.support.modes import Blocking, Portal, close_in_mode, open_in_mode
from tests.support.s3servers import S3Server

SEGMENT = 64 * 1024


def _unique(prefix: str = "sw") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def connect(mode: str, portal: Portal, swift_server: S3Server) -> Iterator[Any]:
    """``connect(**options)``: a Swift driver on the session's Swift (auth v1.0)."""
    opened: list[Any] = []

    def make(key: str | None = None, secret: str | None = None, **options: Any) -> Any:
        options.setdefault("ex_force_auth_url", f"{swift_server.endpoint}/auth")
        options.setdefault("ex_force_auth_version", "1.0")
        driver = open_in_mode(
            mode,
            portal,
            OpenStackSwiftStorageDriver,
            AsyncOpenStackSwiftStorageDriver,
            key or swift_server.key,
            secret or swift_server.secret,
            **options,
        )
        opened.append(driver)
        return driver

    yield make
    for driver in opened:
        close_in_mode(driver, portal)


def _native(driver: Any) -> Any:
    """The driver object itself (the async one behind the portal in async mode)."""
    return driver.driver if isinstance(driver, Blocking) else driver


def _data(size: int, seed: bytes = b"s") -> bytes:
    block = hashlib.sha256(seed).digest() * (size // 32 + 1)
    return block[:size]


def test_registry_names_the_driver() -> None:
    assert omnicloud.get_driver(Provider.OPENSTACK_SWIFT) is OpenStackSwiftStorageDriver
    assert omnicloud.get_driver("storage", "openstack_swift") is OpenStackSwiftStorageDriver
    assert omnicloud.aio.get_driver(Provider.OPENSTACK_SWIFT) is AsyncOpenStackSwiftStorageDriver


def test_static_large_object_upload(connect: Any, tmp_path: Path) -> None:
    d = connect(segment_size=SEGMENT, concurrency=3)
    container = d.create_container(_unique())
    data = _data(5 * SEGMENT + 1234)
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    obj = d.upload_object(str(source), container, "big/file.bin", meta_data={"kind": "slo"})
    md5s = [hashlib.md5(data[i : i + SEGMENT]).hexdigest() for i in range(0, len(data), SEGMENT)]
    assert obj.extra["segments"] == 6 and obj.size == len(data)
    assert obj.hash == hashlib.md5("".join(md5s).encode()).hexdigest()

    got = d.get_object(container.name, "big/file.bin")
    assert got.extra["slo"] is True and got.size == len(data) and got.hash == obj.hash
    assert got.meta_data == {"kind": "slo"}
    assert b"".join(d.download_object_as_stream(got, chunk_size=50_000)) == data
    assert got.extra["verified"] is True  # each segment against the manifest's MD5
    target = tmp_path / "back.bin"
    assert d.download_object(got, str(target)) and target.read_bytes() == data
    across = b"".join(d.download_object_range_as_stream(got, SEGMENT - 10, SEGMENT + 10))
    assert across == data[SEGMENT - 10 : SEGMENT + 10]
    # the segments sit in <container>_segments, each an exact slice; the listing hides nothing
    segments = d.get_container(f"{container.name}_segments")
    stored = d.list_container_objects(segments)
    assert len(stored) == 6 and all(o.name.startswith("big/file.bin/slo/") for o in stored)
    assert [o.hash for o in stored] == md5s
    assert [o.name for o in d.list_container_objects(container)] == ["big/file.bin"]
    assert d.list_container_objects(container)[0].extra["slo"] is True
    # deleting the manifest deletes its segments
    assert d.delete_object(got) is True
    assert d.list_container_objects(segments) == []
    with pytest.raises(ObjectDoesNotExistError):
        d.get_object(container.name, "big/file.bin")
    d.delete_container(segments)
    d.delete_container(container)


def test_interrupted_uploads_leave_nothing(connect: Any) -> None:
    d = connect(segment_size=SEGMENT, concurrency=2)
    container = d.create_container(_unique())

    def failing(after: int) -> Iterator[bytes]:
        for _ in range(after):
            yield _data(SEGMENT // 2)
        raise RuntimeError("the source broke")

    with pytest.raises(RuntimeError, match="the source broke"):
        d.upload_object_via_stream(failing(1), container, "small")
    with pytest.raises(RuntimeError, match="the source broke"):
        d.upload_object_via_stream(failing(7), container, "large")  # 3 segments stored first
    assert d.list_container_objects(container) == []
    segments = d.get_container(f"{container.name}_segments")
    assert d.list_container_objects(segments) == []  # the stored segments were deleted
    d.delete_container(segments)
    d.delete_container(container)


def test_ranges(connect: Any) -> None:
    d = connect()
    container = d.create_container(_unique())
    data = _data(10_000)
    obj = d.upload_object_via_stream(iter([data]), container, "ranged")
    assert obj.hash == hashlib.md5(data).hexdigest() and obj.extra["segments"] == 0
    assert b"".join(d.download_object_range_as_stream(obj, 0, 1)) == data[:1]
    assert b"".join(d.download_object_range_as_stream(obj, 9_999)) == data[9_999:]
    assert b"".join(d.download_object_range_as_stream(obj, 1_000, 5_000)) == data[1_000:5_000]
    with pytest.raises(InvalidRangeError):
        list(d.download_object_range_as_stream(obj, 20_000, 20_010))
    d.delete_object(obj)
    d.delete_container(container)


@pytest.mark.parametrize("digest", ["sha256", "sha512", "sha1"])
def test_temp_url_fetched_with_plain_http(connect: Any, digest: str) -> None:
    d = connect()
    key = "tk-" + uuid.uuid4().hex
    assert d.ex_set_account_metadata_temp_url_key(key) is True
    container = d.create_container(_unique())
    data = b"shared by temp URL \xe2\x98\x83"
    obj = d.upload_object_via_stream(iter([data]), container, "dir/a file+x.txt")
    url = d.ex_get_object_temp_url(obj, "GET", 60, ex_digest=digest)
    assert "temp_url_sig=" in url and key not in url
    answer = httpx.get(url)
    assert answer.status_code == 200 and answer.content == data
    tampered = url.replace("temp_url_expires=", "temp_url_expires=1")
    assert httpx.get(tampered).status_code == 401
    # a URL for another method does not allow PUT
    assert httpx.put(url, content=b"overwrite").status_code == 401
    # a driver that knows the key signs without I/O (get_object_presigned_url)
    fresh = connect(temp_url_key=key)
    fresh.list_containers()  # authenticated once: the storage URL is known
    presigned = fresh.get_object_presigned_url(obj, expires=30)
    assert httpx.get(presigned).content == data
    assert "temp-url-key" not in " ".join(d.ex_get_account_metadata())
    d.delete_object(obj)
    d.delete_container(container)


def test_metadata_and_content_type(connect: Any) -> None:
    d = connect()
    container = d.create_container(_unique())
    obj = d.upload_object_via_stream(
        iter([b"{}"]),
        container,
        "meta.json",
        extra={"meta_data": {"Owner": "Alice", "build": "42"}},
    )
    got = d.get_object(container.name, "meta.json")
    assert got.meta_data == {"owner": "Alice", "build": "42"}
    assert got.content_type == "application/json" and got.extra["slo"] is False
    listed = d.list_container_objects(container)[0]
    assert listed.extra["content_type"] == "application/json" and listed.hash == got.hash
    d.delete_object(obj)
    d.delete_container(container)


def test_paging_with_marker(connect: Any) -> None:
    d = connect()
    native = _native(d)
    native._ops.page_size = 2
    container = d.create_container(_unique())
    names = ["a/1", "a/2", "a/3", "b", "c/1"]
    for name in names:
        d.upload_object_via_stream(iter([b"x"]), container, name)
    assert [o.name for o in d.list_container_objects(container)] == names
    top = d.list_container_objects(container, delimiter="/")
    assert [(o.name, o.is_prefix) for o in top] == [("a/", True), ("b", False), ("c/", True)]
    assert [o.name for o in d.list_container_objects(container, prefix="a/")] == names[:3]
    extra = [d.create_container(_unique("pg")) for _ in range(3)]
    listed = {c.name for c in d.list_containers()}
    assert {c.name for c in [container, *extra]} <= listed
    for made in extra:
        d.delete_container(made)
    for obj in d.list_container_objects(container):
        d.delete_object(obj)
    d.delete_container(container)


def test_one_reauthentication_after_a_rejected_token(connect: Any, swift_server: S3Server) -> None:
    d = connect()
    session = _native(d).ex_session
    d.list_containers()
    assert session.authentications == 1
    held = session.token
    assert held.expires_at is not None and held.fresh(60)  # tempauth's X-Auth-Token-Expires
    d.list_containers()
    assert session.authentications == 1  # reused
    session.token = Token("AUTH_tk0000000000000000000000000000000", None, session.token.catalog)
    d.list_containers()
    assert session.authentications == 2 and session.token.value.startswith("AUTH_tk")
    # a rejected token and a wrong key: one attempt to re-authenticate, a clear error, no secret
    wrong = connect(secret="wrong-" + swift_server.secret)
    with pytest.raises(InvalidCredentialsError) as refused:
        wrong.list_containers()
    assert "swift auth v1.0: HTTP 401" in str(refused.value)
    assert "wrong-" + swift_server.secret not in str(refused.value)


def test_forced_token_and_base_url(connect: Any) -> None:
    first = connect()
    first.list_containers()
    session = _native(first).ex_session
    token, base = session.token.value, session.endpoint_of(session.token, "object-store")
    assert base.endswith("/v1/AUTH_test")
    forced = connect(ex_force_auth_token=token, ex_force_base_url=base)
    container = forced.create_container(_unique())
    assert container.name in {c.name for c in forced.list_containers()}
    assert _native(forced).ex_session.authentications == 0
    forced.delete_container(container)
    assert token not in repr(_native(forced)) and token not in repr(_native(forced).ex_session)


def test_chunked_upload_without_large_objects(connect: Any) -> None:
    d = connect(segment_size=SEGMENT, large_objects=False)
    container = d.create_container(_unique())
    data = _data(3 * SEGMENT + 77)
    pieces = (data[i : i + 10_000] for i in range(0, len(data), 10_000))
    obj = d.upload_object_via_stream(pieces, container, "streamed.bin")
    assert obj.hash == hashlib.md5(data).hexdigest() and obj.size == len(data)
    assert obj.extra["segments"] == 0
    got = d.get_object(container.name, "streamed.bin")
    assert got.extra["slo"] is False and got.hash == obj.hash
    assert b"".join(d.download_object_as_stream(got)) == data

    def broken() -> Iterator[bytes]:
        yield data[: 2 * SEGMENT]
        yield data[2 * SEGMENT : 3 * SEGMENT]
        raise RuntimeError("the source broke")

    with pytest.raises(Exception, match="the source broke"):
        d.upload_object_via_stream(broken(), container, "cut.bin")
    assert [o.name for o in d.list_container_objects(container)] == ["streamed.bin"]
    d.delete_object(got)
    d.delete_container(container)
