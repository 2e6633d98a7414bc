"""Multipart part checksums: CRC32 where the server confirms it, Content-MD5 where it does not.

Real servers show both sides (moto and ministack confirm CRC32; Debian's Swift s3api ignores the
request); a stub on 127.0.0.1 gives the answers no real server gives on demand (a part checksum
or a completed checksum that differs from ours).
"""

from __future__ import annotations

import base64
import hashlib
import re
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from omnicloud.errors import ValidationError
from omnicloud.http import HttpConfig, RetryPolicy
from omnicloud.storage._models import Container
from omnicloud.storage.drivers.s3 import AsyncS3StorageDriver, S3StorageDriver
from omnicloud.storage.errors import IntegrityError, ObjectHashMismatchError
from tests.storage.conftest import S3Server, unique
from tests.support.stub_server import Reply, Seen, StubServer

MIB = 1024 * 1024
PART = 5 * MIB
TOTAL = 11 * MIB + 17
CONFIRMS_CRC32 = {"moto": True, "ministack": True, "swift": False}
NO_RETRY = HttpConfig(retry=RetryPolicy(max_attempts=1))
XML = {"Content-Type": "application/xml"}


def payload(total: int = TOTAL) -> bytes:
    block = hashlib.sha512(b"checksums").digest() * (MIB // 64)
    return (block * (total // MIB + 1))[:total]


def chunks(data: bytes, size: int = MIB) -> Iterator[bytes]:
    for offset in range(0, len(data), size):
        yield data[offset : offset + size]


def crc32_b64(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def composite(data: bytes, part: int = PART) -> str:
    """S3's composite CRC32, computed here from the bytes (not from anything the driver did)."""
    digests = b"".join(
        zlib.crc32(data[offset : offset + part]).to_bytes(4, "big")
        for offset in range(0, len(data), part)
    )
    count = (len(data) + part - 1) // part
    return f"{base64.b64encode(zlib.crc32(digests).to_bytes(4, 'big')).decode()}-{count}"


class RecordingTransport(httpx.BaseTransport):
    """Passes every request on and keeps its method, query and headers."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.seen: list[tuple[str, str, httpx.Headers]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.method, request.url.query.decode(), request.headers))
        return self.inner.handle_request(request)

    def parts(self) -> list[httpx.Headers]:
        return [h for method, query, h in self.seen if method == "PUT" and "partNumber" in query]

    def start(self) -> httpx.Headers:
        return next(h for method, query, h in self.seen if method == "POST" and query == "uploads=")


class TamperPartTwo(httpx.BaseTransport):
    """Flips a byte in the body of part 2 after it was signed."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT" and b"partNumber=2" in request.url.query:
            body = bytearray(request.read())
            body[100] ^= 0xFF
            request = httpx.Request(
                request.method, request.url, headers=request.headers, content=bytes(body)
            )
        return self.inner.handle_request(request)


OPENED: list[S3StorageDriver] = []


@pytest.fixture(autouse=True)
def close_drivers() -> Iterator[None]:
    """Every driver a test made is closed with it (no pool thread outlives its test)."""
    yield
    while OPENED:
        OPENED.pop().close()


def driver_for(server: S3Server, **options: Any) -> S3StorageDriver:
    driver = S3StorageDriver(server.key, server.secret, **server.driver_kwargs(), **options)
    OPENED.append(driver)
    return driver


def open_uploads(server: S3Server, bucket: str) -> list[Any]:
    listed = server.boto3().list_multipart_uploads(Bucket=bucket)  # type: ignore[attr-defined]
    return list(listed.get("Uploads", []))


def test_parts_carry_crc32_where_the_server_confirms_it(s3_server: S3Server) -> None:
    recorder = RecordingTransport()
    driver = driver_for(s3_server, part_size=PART, http=HttpConfig(transport=recorder))
    container = driver.create_container(unique("crc"))
    data = payload()
    obj = driver.upload_object_via_stream(chunks(data), container, "big.bin")
    assert recorder.start()["x-amz-checksum-algorithm"] == "CRC32"
    parts = recorder.parts()
    assert len(parts) == 3
    sent = [p.get("x-amz-checksum-crc32") for p in parts]
    if CONFIRMS_CRC32[s3_server.name]:
        expected = [crc32_b64(data[o : o + PART]) for o in range(0, len(data), PART)]
        assert sorted(sent, key=str) == sorted(expected)
        assert all("content-md5" not in p for p in parts)
        assert obj.extra["checksum_crc32"] == composite(data)
    else:
        assert sent == [None, None, None]
        assert all("content-md5" in p for p in parts)
        assert obj.extra["checksum_crc32"] is None
    assert obj.hash is not None and obj.hash.endswith("-3")  # the ETag, as before
    assert (
        b"".join(driver.download_object_as_stream(driver.get_object(container.name, "big.bin")))
        == data
    )
    driver.delete_object(obj)
    driver.delete_container(container)


def test_ministack_keeps_the_composite_checksum_we_computed(ministack_server: S3Server) -> None:
    driver = driver_for(ministack_server, part_size=PART)
    container = driver.create_container(unique("crc"))
    data = payload()
    obj = driver.upload_object_via_stream(chunks(data), container, "big.bin")
    client: Any = ministack_server.boto3()
    head = client.head_object(Bucket=container.name, Key="big.bin", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == obj.extra["checksum_crc32"] == composite(data)
    driver.delete_object(obj)
    driver.delete_container(container)


def test_checksum_none_sends_content_md5(s3_server: S3Server) -> None:
    recorder = RecordingTransport()
    driver = driver_for(
        s3_server, part_size=PART, checksum=None, http=HttpConfig(transport=recorder)
    )
    container = driver.create_container(unique("md5"))
    data = payload()
    obj = driver.upload_object_via_stream(chunks(data), container, "big.bin")
    assert "x-amz-checksum-algorithm" not in recorder.start()
    parts = recorder.parts()
    expected = [
        base64.b64encode(hashlib.md5(data[o : o + PART]).digest()).decode()
        for o in range(0, len(data), PART)
    ]
    assert sorted(p["content-md5"] for p in parts) == sorted(expected)
    assert all("x-amz-checksum-crc32" not in p for p in parts)
    assert obj.extra["checksum_crc32"] is None
    driver.delete_object(obj)
    driver.delete_container(container)


def test_a_damaged_part_is_refused_and_the_upload_aborted(ministack_server: S3Server) -> None:
    """ministack checks part CRC32s as AWS does (moto echoes them unchecked: docs/storage.md)."""
    server = ministack_server
    clean = driver_for(server)
    container = clean.create_container(unique("bad"))
    config = HttpConfig(transport=TamperPartTwo(), retry=NO_RETRY)
    tampering = driver_for(server, part_size=PART, concurrency=1, http=config)
    with pytest.raises(IntegrityError) as failure:
        tampering.upload_object_via_stream(chunks(payload()), container, "big.bin")
    assert failure.value.status == 400
    assert clean.list_container_objects(container) == []
    assert open_uploads(server, container.name) == []
    clean.delete_container(container)


def test_async_upload_uses_crc32_too(ministack_server: S3Server) -> None:
    import anyio

    server = ministack_server

    async def main() -> tuple[Any, bytes]:
        async with AsyncS3StorageDriver(
            server.key,
            server.secret,
            **server.driver_kwargs(),  # type: ignore[arg-type]
            part_size=PART,
        ) as driver:
            container = await driver.create_container(unique("acrc"))
            obj = await driver.upload_object_via_stream(chunks(payload()), container, "big.bin")
            got = b"".join([c async for c in driver.download_object_as_stream(obj)])
            await driver.delete_object(obj)
            await driver.delete_container(container)
            return obj, got

    obj, got = anyio.run(main)
    assert got == payload()
    assert obj.extra["checksum_crc32"] == composite(payload())


# -- answers from a stub ---------------------------------------------------------------------
def stub_s3(stub: StubServer, **options: Any) -> S3StorageDriver:
    driver = S3StorageDriver(
        "AKIDSTUB", "stub-secret", endpoint=stub.url, http=NO_RETRY, part_size=PART, **options
    )
    OPENED.append(driver)
    return driver


START = "<InitiateMultipartUploadResult><UploadId>up-1</UploadId></InitiateMultipartUploadResult>"


def multipart_stub(*, echo_part: str | None = "ours", completed_checksum: str | None = None) -> Any:
    """A server that confirms CRC32, echoes part checksums (``"ours"``, or a fixed wrong one)
    and completes with ``completed_checksum`` in the answer."""

    def handler(seen: Seen) -> Reply:
        headers = {k.lower(): v for k, v in seen.headers.items()}
        if seen.method == "POST" and "uploads" in seen.params:
            return Reply(200, START, {**XML, "x-amz-checksum-algorithm": "CRC32"})
        if seen.method == "PUT":
            number = seen.params["partNumber"]
            answer = {"ETag": f'"etag-{number}"'}
            if echo_part == "ours":
                answer["x-amz-checksum-crc32"] = headers["x-amz-checksum-crc32"]
            elif echo_part is not None:
                answer["x-amz-checksum-crc32"] = echo_part
            return Reply(200, b"", answer)
        if seen.method == "POST" and "uploadId" in seen.params:
            checksum = f"<ChecksumCRC32>{completed_checksum}</ChecksumCRC32>"
            body = (
                "<CompleteMultipartUploadResult><ETag>&quot;whatever-3&quot;</ETag>"
                f"{checksum if completed_checksum else ''}</CompleteMultipartUploadResult>"
            )
            return Reply(200, body, XML)
        if seen.method == "DELETE":
            return Reply(204)
        return Reply(404, "unexpected")

    return handler


def bucket(driver: Any) -> Container:
    return Container(name="bkt", driver=driver)


def test_the_completion_lists_each_part_checksum(stub: StubServer) -> None:
    data = payload()
    stub.handle(multipart_stub(completed_checksum=composite(data)))
    driver = stub_s3(stub)
    obj = driver.upload_object_via_stream(chunks(data), bucket(driver), "k")
    assert obj.extra["checksum_crc32"] == composite(data)
    completion = next(r for r in stub.requests if r.method == "POST" and "uploadId" in r.params)
    listed = re.findall(
        rb"<PartNumber>(\d+)</PartNumber><ETag>&quot;etag-\d+&quot;</ETag>"
        rb"<ChecksumCRC32>([^<]+)</ChecksumCRC32>",
        completion.body,
    )
    expected = [crc32_b64(data[o : o + PART]).encode() for o in range(0, len(data), PART)]
    assert listed == [(b"1", expected[0]), (b"2", expected[1]), (b"3", expected[2])]


def test_a_part_checksum_that_differs_aborts(stub: StubServer) -> None:
    stub.handle(multipart_stub(echo_part="AAAAAA=="))
    driver = stub_s3(stub, concurrency=1)
    with pytest.raises(ObjectHashMismatchError, match="UploadPart 1: server CRC32 AAAAAA=="):
        driver.upload_object_via_stream(chunks(payload()), bucket(driver), "k")
    assert [r.method for r in stub.requests] == ["POST", "PUT", "DELETE"]


def test_a_completed_checksum_that_differs_is_an_error(stub: StubServer) -> None:
    stub.handle(multipart_stub(completed_checksum="AAAAAA==-3"))
    driver = stub_s3(stub)
    with pytest.raises(ObjectHashMismatchError, match="CRC32 AAAAAA==-3 differs"):
        driver.upload_object_via_stream(chunks(payload()), bucket(driver), "k")


def test_a_server_that_does_not_confirm_gets_md5(stub: StubServer) -> None:
    data = payload()

    def handler(seen: Seen) -> Reply:
        if seen.method == "POST" and "uploads" in seen.params:
            return Reply(200, START, XML)  # no x-amz-checksum-algorithm in the answer
        if seen.method == "PUT":
            md5 = hashlib.md5(seen.body).hexdigest()
            return Reply(200, b"", {"ETag": f'"{md5}"'})
        return Reply(200, "<CompleteMultipartUploadResult/>", XML)

    stub.handle(handler)
    driver = stub_s3(stub)
    obj = driver.upload_object_via_stream(chunks(data), bucket(driver), "k")
    parts = [r for r in stub.requests if r.method == "PUT"]
    assert all({k.lower() for k in r.headers} >= {"content-md5"} for r in parts)
    assert not any("x-amz-checksum-crc32" in {k.lower() for k in r.headers} for r in parts)
    completion = stub.requests[-1]
    assert b"ChecksumCRC32" not in completion.body
    assert obj.extra["checksum_crc32"] is None


def test_an_unknown_checksum_algorithm_is_refused() -> None:
    with pytest.raises(ValidationError, match="checksum must be 'CRC32' or None"):
        S3StorageDriver("k", "s", endpoint="http://127.0.0.1:9", checksum="md5")


def test_a_store_that_refuses_the_checksum_request_gets_md5(stub: StubServer) -> None:
    """A CreateMultipartUpload refused for its checksum request (400/501) is asked again
    without it: the refusal created nothing, so nothing is duplicated."""

    def handler(seen: Seen) -> Reply:
        headers = {k.lower() for k in seen.headers}
        if seen.method == "POST" and "uploads" in seen.params:
            if "x-amz-checksum-algorithm" in headers:
                error = "<Error><Code>NotImplemented</Code><Message>no checksums</Message></Error>"
                return Reply(501, error, XML)
            return Reply(200, START, XML)
        if seen.method == "PUT":
            return Reply(200, b"", {"ETag": f'"{hashlib.md5(seen.body).hexdigest()}"'})
        return Reply(200, "<CompleteMultipartUploadResult/>", XML)

    stub.handle(handler)
    driver = stub_s3(stub)
    obj = driver.upload_object_via_stream(chunks(payload()), bucket(driver), "k")
    starts = [r for r in stub.requests if r.method == "POST" and "uploads" in r.params]
    assert len(starts) == 2
    assert all("content-md5" in {k.lower() for k in r.headers} for r in stub.requests[2:5])
    assert obj.extra["checksum_crc32"] is None


@pytest.mark.parametrize(
    ("status", "code"), [(403, "AccessDenied"), (400, "InvalidBucketName"), (501, None)]
)
def test_other_refusals_of_the_start_are_not_asked_again(
    stub: StubServer, status: int, code: str | None
) -> None:
    body = f"<Error><Code>{code}</Code></Error>" if code else ""
    stub.handle(lambda seen: Reply(status, body, XML))
    driver = stub_s3(stub)
    with pytest.raises(Exception, match=f"HTTP {status}"):
        driver.upload_object_via_stream(chunks(payload()), bucket(driver), "k")
    assert [r.method for r in stub.requests] == ["POST"]
