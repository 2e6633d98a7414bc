"""SigV4 against AWS's published vectors (SigV4 test suite and the S3 API reference examples)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from omnicloud.aws._sigv4 import (
    EMPTY_SHA256,
    Credentials,
    canonical_request,
    presign_url,
    sign_headers,
)

SUITE = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
SUITE_DATE = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)
S3_DOCS = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
S3_DATE = datetime(2013, 5, 24, tzinfo=UTC)
HOST = "example.amazonaws.com"
TOKEN = (
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPf"
    "IeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7W"
    "Z0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8F"
    "DrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
)

# (test name, method, path?query, extra headers, signed headers, signature) from the
# "Signature Version 4 test suite" (AKIDEXAMPLE, us-east-1, service "service", 20150830T123600Z).
SUITE_VECTORS = [
    ("get-vanilla", "GET", "/", [], "host;x-amz-date",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    ("get-vanilla-empty-query-key", "GET", "/?Param1=value1", [], "host;x-amz-date",
     "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
    ("get-vanilla-query-order-key-case", "GET", "/?Param2=value2&Param1=value1", [],
     "host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
    ("get-vanilla-query-order-key", "GET", "/?Param1=value2&Param1=Value1", [],
     "host;x-amz-date", "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"),
    ("get-header-value-order", "GET", "/",
     [("My-Header1", "value4"), ("My-Header1", "value1"), ("My-Header1", "value3"),
      ("My-Header1", "value2")],
     "host;my-header1;x-amz-date",
     "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"),
    ("get-header-key-duplicate", "GET", "/",
     [("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")],
     "host;my-header1;x-amz-date",
     "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
    ("post-vanilla", "POST", "/", [], "host;x-amz-date",
     "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
    ("post-vanilla-query", "POST", "/?Param1=value1", [], "host;x-amz-date",
     "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "method", "target", "headers", "signed", "signature"),
    SUITE_VECTORS,
    ids=[v[0] for v in SUITE_VECTORS],
)
def test_aws_sigv4_test_suite(
    name: str,
    method: str,
    target: str,
    headers: list[tuple[str, str]],
    signed: str,
    signature: str,
) -> None:
    added = sign_headers(
        method,
        f"https://{HOST}{target}",
        headers,
        credentials=SUITE,
        region="us-east-1",
        service="service",
        now=SUITE_DATE,
    )
    assert added["Host"] == HOST
    assert added["X-Amz-Date"] == "20150830T123600Z"
    assert added["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        f"SignedHeaders={signed}, Signature={signature}"
    )


def test_suite_canonical_request_for_get_vanilla() -> None:
    text, signed = canonical_request(
        "GET",
        f"https://{HOST}/",
        [("Host", HOST), ("X-Amz-Date", "20150830T123600Z")],
        EMPTY_SHA256,
    )
    assert text == (
        "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
        "host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert signed == "host;x-amz-date"


def test_suite_post_sts_header_before() -> None:
    added = sign_headers(
        "POST",
        f"https://{HOST}/",
        [],
        credentials=Credentials(SUITE.access_key, SUITE.secret_key, TOKEN),
        region="us-east-1",
        service="service",
        now=SUITE_DATE,
    )
    assert added["X-Amz-Security-Token"] == TOKEN
    assert added["Authorization"].endswith(
        "SignedHeaders=host;x-amz-date;x-amz-security-token, "
        "Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"
    )


def test_s3_reference_get_object_with_range() -> None:
    """S3 API reference, "Example: GET Object" (header auth, empty payload hash)."""
    added = sign_headers(
        "GET",
        "https://examplebucket.s3.amazonaws.com/test.txt",
        {"Range": "bytes=0-9"},
        credentials=S3_DOCS,
        region="us-east-1",
        service="s3",
        payload_hash=EMPTY_SHA256,
        content_sha256_header=True,
        now=S3_DATE,
    )
    assert added["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )


def test_s3_reference_presigned_url() -> None:
    """S3 API reference, "Authenticating Requests: Using Query Parameters" example."""
    url = presign_url(
        "GET",
        "https://examplebucket.s3.amazonaws.com/test.txt",
        credentials=S3_DOCS,
        region="us-east-1",
        service="s3",
        expires=86400,
        now=S3_DATE,
    )
    assert url == (
        "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
        "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    )


def test_secret_is_not_in_repr() -> None:
    creds = Credentials("AK", "very-secret", "tok-secret")
    assert "very-secret" not in repr(creds)
    assert "tok-secret" not in repr(creds)
