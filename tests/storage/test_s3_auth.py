"""SigV4 is really verified: Swift's s3api rejects wrong keys and tampered signatures, and accepts
ours for every kind of request (single PUT, streamed multipart, ranges, listings with odd
prefixes, presigned URLs). moto and ministack do not verify signatures (checked below), so only
Swift can show that our signatures are right rather than merely well-formed.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from omnicloud.cli import _root
from omnicloud.errors import InvalidCredentialsError, OmnicloudError
from omnicloud.http import HttpConfig, RetryPolicy
from omnicloud.storage._models import Container
from omnicloud.storage.drivers.s3 import S3StorageDriver
from omnicloud.storage.errors import IntegrityError
from tests.storage.conftest import S3Server, unique
from tests.storage.transports import CountingTransport

MIB = 1024 * 1024
NO_RETRY = RetryPolicy(max_attempts=1)


def data(total: int, seed: int = 3) -> Iterator[bytes]:
    block = hashlib.sha512(str(seed).encode()).digest() * (MIB // 64)
    left = total
    while left > 0:
        piece = block[: min(len(block), left)]
        left -= len(piece)
        yield piece


def joined(total: int, seed: int = 3) -> bytes:
    return b"".join(data(total, seed))


def driver(server: S3Server, secret: str | None = None, **options: Any) -> S3StorageDriver:
    return S3StorageDriver(
        server.key, server.secret if secret is None else secret, **server.driver_kwargs(), **options
    )


@pytest.fixture
def bucket(swift_server: S3Server) -> Iterator[Container]:
    """A bucket made with the right credentials, emptied and removed after the test."""
    good = driver(swift_server)
    container = good.create_container(unique("auth"))
    yield container
    client: Any = swift_server.boto3()
    for upload in client.list_multipart_uploads(Bucket=container.name).get("Uploads", []):
        client.abort_multipart_upload(
            Bucket=container.name, Key=upload["Key"], UploadId=upload["UploadId"]
        )
    for obj in good.list_container_objects(container):
        good.delete_object(obj)
    good.delete_container(container)
    good.close()


def stored_names(server: S3Server, bucket: str) -> list[str]:
    client: Any = server.boto3()
    return [item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def open_uploads(server: S3Server, bucket: str) -> list[Any]:
    client: Any = server.boto3()
    return list(client.list_multipart_uploads(Bucket=bucket).get("Uploads", []))


def assert_signature_rejected(error: BaseException, secret: str = "") -> None:
    assert isinstance(error, InvalidCredentialsError), repr(error)
    assert error.status == 403
    assert error.code == "SignatureDoesNotMatch"
    assert "SignatureDoesNotMatch" in str(error)
    if secret:
        assert secret not in str(error)


# -- wrong keys --------------------------------------------------------------------------------
WRONG_SECRET = "not-the-secret-0123456789"


def test_wrong_secret_is_rejected_for_every_operation(
    swift_server: S3Server, bucket: Container
) -> None:
    good = driver(swift_server)
    kept = good.upload_object_via_stream(iter([b"kept"]), bucket, "kept.txt")
    bad = driver(swift_server, WRONG_SECRET, part_size=5 * MIB, http=HttpConfig(retry=NO_RETRY))
    attempts: list[Callable[[], object]] = [
        bad.list_containers,
        lambda: bad.get_container(bucket.name),  # HEAD: the cause comes from a GET probe
        lambda: bad.get_object(bucket.name, "kept.txt"),
        lambda: bad.list_container_objects(bucket),
        lambda: b"".join(bad.download_object_as_stream(kept)),
        lambda: b"".join(bad.download_object_range_as_stream(kept, 1, 3)),
        lambda: bad.upload_object_via_stream(iter([b"small"]), bucket, "small"),
        lambda: bad.upload_object_via_stream(data(11 * MIB), bucket, "multi"),
        lambda: bad.delete_object(kept),
        lambda: bad.create_container(unique("never")),
        lambda: bad.delete_container(bucket),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidCredentialsError) as failure:
            attempt()
        assert_signature_rejected(failure.value, WRONG_SECRET)
    assert stored_names(swift_server, bucket.name) == ["kept.txt"]
    assert open_uploads(swift_server, bucket.name) == []
    assert b"".join(good.download_object_as_stream(kept)) == b"kept"


def test_unknown_access_key_is_rejected(swift_server: S3Server) -> None:
    stranger = S3StorageDriver("nobody:nobody", "whatever", **swift_server.driver_kwargs())
    with pytest.raises(InvalidCredentialsError) as failure:
        stranger.list_containers()
    assert failure.value.status == 403
    assert failure.value.code in ("InvalidAccessKeyId", "SignatureDoesNotMatch")


def test_cli_reports_a_wrong_secret_and_exits_1(
    swift_server: S3Server, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "storage",
        "--provider",
        "s3",
        "--endpoint",
        swift_server.endpoint,
        "--access-key",
        swift_server.key,
        "--secret-key",
        WRONG_SECRET,
    ]
    code = _root.run([*args, "ls"])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert err.startswith("Error: s3 ListBuckets: HTTP 403 SignatureDoesNotMatch")
    assert "Traceback" not in err and WRONG_SECRET not in err


def test_ministack_does_not_verify_signatures(ministack_server: S3Server) -> None:
    """A fact docs/storage.md relies on: ministack (like moto) accepts any secret, so the
    signature checks above can only run against Swift."""
    name = unique("noverify")
    bad = driver(ministack_server, WRONG_SECRET)
    container = bad.create_container(name)
    assert name in [c.name for c in bad.list_containers()]
    bad.delete_container(container)


# -- tampering after signing -------------------------------------------------------------------
class TamperingTransport(httpx.BaseTransport):
    """Changes matching requests after they were signed; counts what it changed."""

    def __init__(self, match: Callable[[httpx.Request], bool], how: str) -> None:
        self.inner = httpx.HTTPTransport()
        self.match = match
        self.how = how
        self.tampered = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.match(request):
            self.tampered += 1
            request = self._tamper(request)
        return self.inner.handle_request(request)

    def _tamper(self, request: httpx.Request) -> httpx.Request:
        headers = httpx.Headers(request.headers)
        url = request.url
        body = request.read()
        if self.how == "signature":
            auth = headers["authorization"]
            last = auth[-1]
            headers["authorization"] = auth[:-1] + ("0" if last != "0" else "1")
        elif self.how == "signed-header":
            headers["x-amz-meta-owner"] = "mallory"
        elif self.how == "path":
            url = url.copy_with(path=url.path + "-elsewhere")
        elif self.how == "query":
            url = url.copy_add_param("prefix", "other")
        elif self.how == "body":
            flipped = bytearray(body)
            flipped[len(flipped) // 2] ^= 0x01
            body = bytes(flipped)
        else:  # pragma: no cover - a typo in a test
            raise AssertionError(self.how)
        return httpx.Request(request.method, url, headers=headers, content=body)


def is_put_object(request: httpx.Request) -> bool:
    return request.method == "PUT" and b"partNumber" not in request.url.query


def is_upload_part(request: httpx.Request) -> bool:
    return request.method == "PUT" and b"partNumber=2" in request.url.query


def is_listing(request: httpx.Request) -> bool:
    return request.method == "GET" and b"list-type=2" in request.url.query


@pytest.mark.parametrize(
    ("how", "match"),
    [
        ("signature", is_put_object),
        ("signed-header", is_put_object),
        ("path", is_put_object),
        ("signature", is_upload_part),
        ("signature", is_listing),
        ("query", is_listing),
    ],
)
def test_tampered_requests_are_rejected(
    swift_server: S3Server,
    bucket: Container,
    how: str,
    match: Callable[[httpx.Request], bool],
) -> None:
    transport = TamperingTransport(match, how)
    config = HttpConfig(transport=transport, retry=NO_RETRY)
    tampering = driver(swift_server, part_size=5 * MIB, concurrency=1, http=config)
    with pytest.raises(InvalidCredentialsError) as failure:
        if match is is_listing:
            tampering.list_container_objects(bucket, prefix="p")
        elif match is is_upload_part:
            tampering.upload_object_via_stream(data(12 * MIB), bucket, "multi")
        else:
            tampering.upload_object_via_stream(
                iter([b"payload"]), bucket, "single", meta_data={"owner": "alice"}
            )
    assert_signature_rejected(failure.value)
    assert transport.tampered == 1
    assert stored_names(swift_server, bucket.name) == []
    assert open_uploads(swift_server, bucket.name) == []


@pytest.mark.parametrize("sign_payload", [False, True])
def test_tampered_bodies_are_rejected(
    swift_server: S3Server, bucket: Container, sign_payload: bool
) -> None:
    """Content-MD5 (always sent) and the signed SHA-256 (``sign_payload``) both catch it."""
    transport = TamperingTransport(is_put_object, "body")
    config = HttpConfig(transport=transport, retry=NO_RETRY)
    tampering = driver(swift_server, sign_payload=sign_payload, http=config)
    with pytest.raises(IntegrityError) as failure:
        tampering.upload_object_via_stream(iter([joined(4096)]), bucket, "body")
    assert failure.value.status == 400
    assert failure.value.code in ("BadDigest", "XAmzContentSHA256Mismatch")
    assert stored_names(swift_server, bucket.name) == []


# -- correct signatures are accepted -----------------------------------------------------------
ODD_NAMES = ["plain.txt", "a b/c+d=e&f.txt", "tilde~/star*/(paren)!'.bin", "ünïcode/日本.txt"]


@pytest.mark.parametrize("sign_payload", [False, True])
def test_our_signatures_are_accepted(
    swift_server: S3Server, bucket: Container, sign_payload: bool
) -> None:
    calls = CountingTransport()
    ours = driver(
        swift_server,
        sign_payload=sign_payload,
        part_size=5 * MIB,
        concurrency=2,
        http=HttpConfig(transport=calls),
    )
    for name in ODD_NAMES:
        obj = ours.upload_object_via_stream(
            iter([name.encode(), b"!"]),
            bucket,
            name,
            content_type="text/plain; charset=utf-8",
            meta_data={"Owner": "alice", "note": "a b"},
        )
        fetched = ours.get_object(bucket.name, name)
        assert fetched.hash == obj.hash == hashlib.md5(name.encode() + b"!").hexdigest()
        assert fetched.meta_data == {"owner": "alice", "note": "a b"}
        assert fetched.content_type == "text/plain; charset=utf-8"
        assert b"".join(ours.download_object_range_as_stream(fetched, 1, 3)) == name.encode()[1:3]
        url = ours.get_object_presigned_url(fetched, expires=60)
        assert httpx.get(url).content == name.encode() + b"!"
    total = 12 * MIB + 5
    big = ours.upload_object_via_stream(data(total), bucket, "big/stream.bin")
    assert big.hash is not None and big.hash.endswith("-3")
    assert big.extra["parts"] == 3
    fetched = ours.get_object(bucket.name, "big/stream.bin")
    assert fetched.size == total
    middle = b"".join(ours.download_object_range_as_stream(fetched, 5 * MIB - 3, 5 * MIB + 3))
    assert middle == joined(total)[5 * MIB - 3 : 5 * MIB + 3]
    digest = hashlib.md5()
    for chunk in ours.download_object_as_stream(fetched, chunk_size=MIB):
        digest.update(chunk)
    assert digest.hexdigest() == hashlib.md5(joined(total)).hexdigest()
    for prefix in ("a b/", "ünïcode/", "tilde~/star*/"):
        names = [o.name for o in ours.list_container_objects(bucket, prefix=prefix)]
        assert names == [n for n in ODD_NAMES if n.startswith(prefix)]
    assert sorted(o.name for o in ours.list_container_objects(bucket)) == sorted(
        [*ODD_NAMES, "big/stream.bin"]
    )
    assert calls.statuses and all(status < 400 for status in calls.statuses)
    assert {method for method, _path, _query in calls.seen} >= {"GET", "HEAD", "PUT", "POST"}


# -- presigned URLs ----------------------------------------------------------------------------
def test_presigned_urls_are_verified(swift_server: S3Server, bucket: Container) -> None:
    good = driver(swift_server)
    obj = good.upload_object_via_stream(iter([b"0123456789"]), bucket, "dir/pre signed.txt")
    url = good.get_object_presigned_url(obj, expires=60)
    assert httpx.get(url).content == b"0123456789"
    ranged = httpx.get(url, headers={"Range": "bytes=2-4"})
    assert (ranged.status_code, ranged.content) == (206, b"234")

    signature = re.search(r"X-Amz-Signature=([0-9a-f]{64})", url)
    assert signature is not None
    flipped = signature.group(1)[:-1] + ("0" if signature.group(1)[-1] != "0" else "1")
    rejected = [
        url.replace(signature.group(1), flipped),  # tampered signature
        url.replace("pre%20signed.txt", "other.txt"),  # another object
        url.replace("X-Amz-Expires=60", "X-Amz-Expires=600"),  # a longer life
        driver(swift_server, WRONG_SECRET).get_object_presigned_url(obj, expires=60),
    ]
    for bad_url in rejected:
        assert bad_url != url
        answer = httpx.get(bad_url)
        assert answer.status_code == 403, bad_url
        assert b"SignatureDoesNotMatch" in answer.content
    assert httpx.put(url, content=b"overwrite").status_code == 403  # the method is signed

    put_url = good.get_object_presigned_url(obj, method="PUT", expires=60)
    assert httpx.put(put_url, content=b"replaced").status_code == 200
    assert b"".join(good.download_object_as_stream(obj)) == b"replaced"

    short = good.get_object_presigned_url(obj, expires=1)
    time.sleep(2.1)
    expired = httpx.get(short)
    assert expired.status_code == 403
    assert b"AccessDenied" in expired.content or b"expired" in expired.content.lower()


def test_errors_name_the_operation(swift_server: S3Server) -> None:
    bad = driver(swift_server, WRONG_SECRET)
    with pytest.raises(OmnicloudError, match=r"^s3 HeadBucket: HTTP 403 SignatureDoesNotMatch"):
        bad.get_container(unique("x"))


def test_async_driver_reports_the_cause_of_a_failed_head(
    swift_server: S3Server, bucket: Container
) -> None:
    import anyio

    from omnicloud.storage.drivers.s3 import AsyncS3StorageDriver

    driver(swift_server).upload_object_via_stream(iter([b"x"]), bucket, "present")

    async def scenario() -> None:
        async with AsyncS3StorageDriver(
            swift_server.key, WRONG_SECRET, **swift_server.driver_kwargs()
        ) as bad:
            for attempt in (bad.get_container(bucket.name), bad.get_object(bucket.name, "present")):
                with pytest.raises(InvalidCredentialsError) as failure:
                    await attempt
                assert_signature_rejected(failure.value, WRONG_SECRET)

    anyio.run(scenario)
