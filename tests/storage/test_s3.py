"""S3-specific behaviour: multipart, aborts, integrity, boto3 as an oracle, presigning, secrets."""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest

from omnicloud.errors import OmnicloudError
from omnicloud.http import HttpConfig, RetryPolicy
from omnicloud.storage.drivers.s3 import AsyncS3StorageDriver, S3StorageDriver
from omnicloud.storage.errors import IntegrityError
from tests.storage.conftest import S3Server, unique

MIB = 1024 * 1024


def data_stream(total: int, seed: int = 1, size: int = MIB) -> Iterator[bytes]:
    block = hashlib.sha512(str(seed).encode()).digest() * (size // 64)
    left = total
    while left > 0:
        piece = block[: min(size, left)]
        left -= len(piece)
        yield piece


def md5_of(total: int, seed: int = 1) -> str:
    digest = hashlib.md5()
    for piece in data_stream(total, seed):
        digest.update(piece)
    return digest.hexdigest()


def driver_for(server: S3Server, **options: Any) -> S3StorageDriver:
    return S3StorageDriver(server.key, server.secret, **server.driver_kwargs(), **options)


def open_uploads(server: S3Server, bucket: str) -> list[Any]:
    listed = server.boto3().list_multipart_uploads(Bucket=bucket)  # type: ignore[attr-defined]
    return list(listed.get("Uploads", []))


def test_multipart_parallel_and_boto3_reads_it(s3_server: S3Server) -> None:
    driver = driver_for(s3_server, part_size=5 * MIB, concurrency=3)
    container = driver.create_container(unique())
    total = 23 * MIB + 123
    obj = driver.upload_object_via_stream(
        data_stream(total), container, "big.bin", meta_data={"purpose": "test"}
    )
    assert obj.size == total
    assert obj.hash is not None and obj.hash.endswith("-5")
    client: Any = s3_server.boto3()
    answer = client.get_object(Bucket=container.name, Key="big.bin")
    assert answer["ContentLength"] == total
    # the part size is stored beside the caller's metadata (downloads check the multipart ETag
    # with it); our driver does not show it as user metadata
    assert answer["Metadata"] == {"purpose": "test", "omnicloud-part-size": str(5 * MIB)}
    assert driver.get_object(container.name, "big.bin").meta_data == {"purpose": "test"}
    assert hashlib.md5(answer["Body"].read()).hexdigest() == md5_of(total)
    assert open_uploads(s3_server, container.name) == []
    driver.delete_object(obj)
    driver.delete_container(container)


def test_we_read_what_boto3_wrote(s3_server: S3Server) -> None:
    client: Any = s3_server.boto3()
    bucket = unique()
    client.create_bucket(Bucket=bucket)
    payload = b"".join(data_stream(3 * MIB + 7, seed=9))
    client.put_object(
        Bucket=bucket, Key="dir/x.bin", Body=payload, Metadata={"a": "b"}, ContentType="x/y"
    )
    driver = driver_for(s3_server)
    obj = driver.get_object(bucket, "dir/x.bin")
    assert (obj.size, obj.hash) == (len(payload), hashlib.md5(payload).hexdigest())
    assert obj.meta_data == {"a": "b"}
    assert obj.content_type == "x/y"
    assert b"".join(driver.download_object_as_stream(obj)) == payload
    assert [o.name for o in driver.list_container_objects(driver.get_container(bucket))] == [
        "dir/x.bin"
    ]
    client.delete_object(Bucket=bucket, Key="dir/x.bin")
    client.delete_bucket(Bucket=bucket)


class SourceBrokeError(RuntimeError):
    pass


def failing_source(good_bytes: int) -> Iterator[bytes]:
    yield from data_stream(good_bytes)
    raise SourceBrokeError("source broke")


def test_interrupted_source_leaves_nothing(s3_server: S3Server) -> None:
    driver = driver_for(s3_server, part_size=5 * MIB, concurrency=2)
    container = driver.create_container(unique())
    with pytest.raises(SourceBrokeError):
        driver.upload_object_via_stream(failing_source(17 * MIB), container, "partial")
    assert driver.list_container_objects(container) == []
    assert open_uploads(s3_server, container.name) == []
    assert list(driver.ex_iterate_multipart_uploads(container)) == []
    driver.delete_container(container)


class ResetPartsTransport(httpx.BaseTransport):
    """Lets everything through except part uploads after the first: those get a reset."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.parts = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if b"partNumber=" in request.url.query:
            self.parts += 1
            if self.parts > 1:
                request.read()
                raise httpx.ReadError("connection reset by peer")
        return self.inner.handle_request(request)


def test_connection_reset_aborts_multipart(s3_server: S3Server) -> None:
    transport = ResetPartsTransport()
    config = HttpConfig(
        transport=transport, retry=RetryPolicy(max_attempts=2, backoff=0.01, backoff_cap=0.02)
    )
    driver = driver_for(s3_server, part_size=5 * MIB, concurrency=2, http=config)
    container = driver.create_container(unique())
    with pytest.raises(OmnicloudError, match="connection"):
        driver.upload_object_via_stream(data_stream(16 * MIB), container, "reset")
    assert transport.parts >= 2
    assert driver.list_container_objects(container) == []
    assert open_uploads(s3_server, container.name) == []
    driver.delete_container(container)


class CorruptingTransport(httpx.BaseTransport):
    """Flips one byte in object downloads."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.method == "GET" and request.url.path.endswith("/victim"):
            body = bytearray(response.read())
            body[len(body) // 2] ^= 0xFF
            return httpx.Response(
                response.status_code, headers=response.headers, content=bytes(body)
            )
        return response


def test_download_integrity_is_checked(s3_server: S3Server) -> None:
    driver = driver_for(s3_server, http=HttpConfig(transport=CorruptingTransport()))
    container = driver.create_container(unique())
    obj = driver.upload_object_via_stream(data_stream(2 * MIB), container, "victim")
    with pytest.raises(IntegrityError, match="MD5"):
        b"".join(driver.download_object_as_stream(obj))
    driver.delete_object(obj)
    driver.delete_container(container)


def test_presigned_urls_work(s3_server: S3Server) -> None:
    driver = driver_for(s3_server)
    container = driver.create_container(unique())
    obj = driver.upload_object_via_stream(iter([b"presigned!"]), container, "p/q r.txt")
    url = driver.get_object_presigned_url(obj, expires=300)
    assert httpx.get(url).content == b"presigned!"
    put_url = driver.get_object_presigned_url(obj, method="PUT", expires=300)
    assert httpx.put(put_url, content=b"replaced").status_code == 200
    assert b"".join(driver.download_object_as_stream(obj)) == b"replaced"
    assert "X-Amz-Signature=" in driver.get_object_cdn_url(obj, ex_expiry=1)
    driver.delete_object(obj)
    driver.delete_container(container)


def test_async_multipart_and_abort(s3_server: S3Server) -> None:
    async def scenario() -> None:
        async with AsyncS3StorageDriver(
            s3_server.key,
            s3_server.secret,
            **s3_server.driver_kwargs(),  # type: ignore[arg-type]
            part_size=5 * MIB,
            concurrency=3,
        ) as driver:
            container = await driver.create_container(unique())
            obj = await driver.upload_object_via_stream(
                io.BytesIO(b"".join(data_stream(12 * MIB))), container, "f"
            )
            assert obj.hash.endswith("-3")
            digest = hashlib.md5()
            async for chunk in driver.download_object_as_stream(obj):
                digest.update(chunk)
            assert digest.hexdigest() == md5_of(12 * MIB)
            with pytest.raises(SourceBrokeError):
                await driver.upload_object_via_stream(failing_source(11 * MIB), container, "g")
            uploads = [u async for u in driver.ex_iterate_multipart_uploads(container)]
            assert uploads == []
            await driver.delete_object(obj)
            await driver.delete_container(container)

    anyio.run(scenario)


def test_secrets_stay_out_of_logs_reprs_and_errors(
    moto_server: S3Server, caplog: pytest.LogCaptureFixture
) -> None:
    from omnicloud.http import enable_trace

    secret = "Sup3rSecretValue/abc"
    driver = S3StorageDriver("AKIDX", secret, endpoint=moto_server.endpoint)
    enable_trace()
    with caplog.at_level(logging.DEBUG, logger="omnicloud"):
        container = driver.create_container(unique())
        obj = driver.upload_object_via_stream(iter([b"x"]), container, "o")
        driver.delete_object(obj)
        driver.delete_container(container)
    text = caplog.text + repr(driver) + repr(driver._ops) + repr(obj)
    assert "omnicloud" in caplog.text or caplog.records
    assert secret not in text
    assert "Signature=" not in caplog.text or "Signature=" not in _signature_values(caplog.text)
    bad = S3StorageDriver("AKIDX", secret, endpoint="http://127.0.0.1:1")
    with pytest.raises(OmnicloudError) as failure:
        bad.get_container("whatever")
    assert secret not in str(failure.value)


def _signature_values(text: str) -> str:
    import re

    return "".join(re.findall(r"Signature=[0-9a-f]{64}", text))


def test_addressing_styles() -> None:
    from omnicloud.aws._s3 import S3Endpoint
    from omnicloud.aws._sigv4 import Credentials

    creds = Credentials("a", "b")
    aws = S3Endpoint(creds, region="eu-west-1")
    assert aws.url("my-bucket", "a b/c") == "https://my-bucket.s3.eu-west-1.amazonaws.com/a%20b/c"
    assert aws.url("My.Bucket", "k") == "https://s3.eu-west-1.amazonaws.com/My.Bucket/k"
    custom = S3Endpoint(creds, endpoint="http://127.0.0.1:9000")
    assert custom.url("b", "k") == "http://127.0.0.1:9000/b/k"
    forced = S3Endpoint(creds, endpoint="http://minio.local:9000", addressing="virtual")
    assert forced.url("b", "k") == "http://b.minio.local:9000/k"
    assert forced.url() == "http://minio.local:9000/"


def test_abandoned_downloads_give_connections_back(moto_server: S3Server) -> None:
    config = HttpConfig(max_connections=2, max_keepalive=2, connect_timeout=2)
    driver = driver_for(moto_server, http=config)
    container = driver.create_container(unique())
    obj = driver.upload_object_via_stream(data_stream(3 * MIB), container, "o")
    for _ in range(10):
        stream = driver.download_object_as_stream(obj, chunk_size=64 * 1024)
        assert len(next(stream)) > 0
        stream.close()
    for _ in range(3):
        for _chunk in driver.download_object_range_as_stream(obj, 0, 10 * 1024 * 1024 // 4):
            break
    assert b"".join(driver.download_object_range_as_stream(obj, 0, 4)) == next(data_stream(4))
    driver.delete_object(obj)
    driver.delete_container(container)
