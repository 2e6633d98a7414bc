"""HMAC interoperability keys (``key="GOOG..."``): the driver speaks Cloud Storage's XML API,
signed like S3 (Signature Version 4, region ``auto``). An S3 server (moto) stands in for the
XML API, which no emulator here serves; a stub shows what is sent."""

from __future__ import annotations

import hashlib
import re

import pytest

from omnicloud.errors import ConfigurationError, NotSupportedError
from omnicloud.storage.drivers.gcs import AsyncGoogleStorageDriver, GoogleStorageDriver
from tests.conformance.storage import unique
from tests.support.modes import Portal, close_in_mode, open_in_mode
from tests.support.s3servers import S3Server
from tests.support.stub_server import Reply, Seen, StubServer

ACCESS_ID = "GOOGTS7C7FUP3AIRVJTE2BCDKINBTES3HC2GY5CBFJDCQ2SYHV6A6XXVTJFSA"
SECRET = "bGoa+V7g/yqDXvKRqq+JTFn4uQZbPiQJo4pf9RzJ"
SCOPE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=" + ACCESS_ID + r"/\d{8}/auto/s3/aws4_request, "
    r"SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$"
)


def test_an_hmac_key_round_trips_objects_on_an_s3_style_server(
    moto_server: S3Server, mode: str, portal: Portal
) -> None:
    d = open_in_mode(
        mode, portal, GoogleStorageDriver, AsyncGoogleStorageDriver, ACCESS_ID, SECRET,
        endpoint=moto_server.endpoint, chunk_size=5 * 1024 * 1024,
    )  # fmt: skip
    try:
        assert d.ex_hmac is True
        assert d.project is None
        # moto, an S3 server, wants the location to be the signing region (Cloud Storage
        # does not: its buckets default to the US multi-region)
        container = d.ex_create_container(unique("hmac"), ex_location="auto")
        small = b"interoperable" * 100
        d.upload_object_via_stream(iter([small]), container, "small.txt")
        large = bytes(range(256)) * (6 * 1024 * 1024 // 256 + 7)  # two multipart parts
        d.upload_object_via_stream(
            iter([large[i : i + 65536] for i in range(0, len(large), 65536)]),
            container,
            "dir/large.bin",
        )
        names = sorted(o.name for o in d.list_container_objects(container))
        assert names == ["dir/large.bin", "small.txt"]
        got = b"".join(d.download_object_as_stream(d.get_object(container.name, "dir/large.bin")))
        assert hashlib.md5(got).hexdigest() == hashlib.md5(large).hexdigest()
        assert (
            b"".join(d.download_object_as_stream(d.get_object(container.name, "small.txt")))
            == small
        )
        for obj in d.list_container_objects(container):
            d.delete_object(obj)
        d.delete_container(container)
    finally:
        close_in_mode(d, portal)


def _bucket_answers(seen: Seen) -> Reply:
    if seen.method == "HEAD":
        return Reply(404)
    return Reply(200)


def test_requests_are_signed_for_region_auto_and_locations_go_in_the_body(
    stub: StubServer,
) -> None:
    stub.handle(_bucket_answers)
    d = GoogleStorageDriver(ACCESS_ID, SECRET, endpoint=stub.url)
    try:
        d.create_container("plain-bucket")
        d.ex_create_container("eu-bucket", ex_location="EU")
    finally:
        d.close()
    puts = [seen for seen in stub.requests if seen.method == "PUT"]
    assert [seen.path for seen in puts] == ["/plain-bucket", "/eu-bucket"]  # path-style
    assert puts[0].body == b""  # the default location: no constraint, never "auto"
    assert b"<LocationConstraint>EU</LocationConstraint>" in puts[1].body
    for seen in stub.requests:
        assert SCOPE.match(seen.headers["Authorization"]), seen.headers["Authorization"]
        assert SECRET not in seen.headers["Authorization"]


def test_the_secret_is_never_shown_and_oauth_members_say_why_not(stub: StubServer) -> None:
    stub.handle(lambda seen: Reply(403, b"<Error><Code>SignatureDoesNotMatch</Code></Error>"))
    d = GoogleStorageDriver(ACCESS_ID, SECRET, endpoint=stub.url)
    try:
        assert SECRET not in repr(d)
        with pytest.raises(Exception) as refused:
            d.get_container("bk")
        assert SECRET not in str(refused.value)
        with pytest.raises(NotSupportedError, match="HMAC"):
            _ = d.ex_auth
    finally:
        d.close()


def test_an_hmac_key_without_its_secret_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match="secret"):
        GoogleStorageDriver(ACCESS_ID)
