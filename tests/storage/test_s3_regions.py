"""S3 buckets in other regions: Libcloud's regional constants, GetBucketLocation, and the
wrong-region answers (301 ``PermanentRedirect``, 400 ``AuthorizationHeaderMalformed``, the
``x-amz-bucket-region`` header) followed the way boto3 does: signed again for the bucket's
region, sent once more, never looping, the region remembered per driver. Wire behaviour on a
small S3 fake on 127.0.0.1 that answers like AWS; regions on moto, with boto3 as the oracle.
Sync and async alike."""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx
import pytest

from omnicloud.aws._s3 import S3Endpoint
from omnicloud.aws._sigv4 import Credentials
from omnicloud.http import HttpConfig, RetryPolicy
from omnicloud.storage import Provider, get_async_driver, get_driver
from omnicloud.storage._models import Container
from omnicloud.storage.drivers.s3 import AsyncS3StorageDriver, S3StorageDriver
from omnicloud.storage.errors import (
    ContainerAlreadyExistsError,
    ContainerDoesNotExistError,
    StorageError,
)
from tests.storage.conftest import S3Server, unique
from tests.support.modes import Portal, close_in_mode, open_in_mode

NO_RETRY = HttpConfig(retry=RetryPolicy(max_attempts=1))
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/s3/aws4_request")


# -- a small S3 whose buckets live in regions -------------------------------------------------
@dataclass
class Hit:
    """One request as the fake saw it."""

    method: str
    path: str
    query: str
    region: str  # the region its signature names
    headers: dict[str, str]


class RegionalS3:
    """S3 on 127.0.0.1 whose buckets each live in one region (``homes``). A request signed for
    another region gets the answer its bucket's ``style`` names, as AWS gives them:

    * ``"301"``: 301 ``PermanentRedirect`` with ``x-amz-bucket-region``;
    * ``"400"``: 400 ``AuthorizationHeaderMalformed`` naming the ``<Region>`` (no header); a HEAD
      of an object gets a bare 400, a HEAD of the bucket a 400 with the header;
    * ``"bare"``: 301 with neither header nor region (a HEAD of the bucket has the header);
    * ``"wander"``: always 301 with a header naming yet another region.
    """

    def __init__(self) -> None:
        self.homes: dict[str, str] = {}
        self.style: dict[str, str] = {}
        self.locations: dict[str, str] = {}  # bucket -> GetBucketLocation's text
        self.objects: dict[tuple[str, str], bytes] = {}
        self.hits: list[Hit] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, payload = fake.answer(self.command, self.path, self.headers, body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def bucket(self, name: str, home: str, style: str = "301") -> str:
        self.homes[name], self.style[name] = home, style
        return name

    def regions(self, method: str | None = None) -> list[str]:
        """The signing region of each request (of ``method``), in order."""
        return [h.region for h in self.hits if method is None or h.method == method]

    def answer(
        self, method: str, target: str, headers: Any, body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(target)
        scope = _SCOPE.search(headers.get("Authorization", ""))
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        if scope is None and "X-Amz-Credential" in query:
            scope = _SCOPE.search("Credential=" + query["X-Amz-Credential"])
        region = scope.group(1) if scope else ""
        self.hits.append(Hit(method, parts.path, parts.query, region, dict(headers.items())))
        bucket, _, key = unquote(parts.path).lstrip("/").partition("/")
        home = self.homes.get(bucket)
        if home is None:
            return 404, {}, _error("NoSuchBucket", "The specified bucket does not exist")
        if region != home:
            return self._wrong_region(method, bucket, key, region, home)
        xml = {"Content-Type": "application/xml"}
        if not key:
            if method == "HEAD":
                return 200, {"x-amz-bucket-region": home}, b""
            if "location" in query:
                text = self.locations.get(bucket, home)
                document = f'<LocationConstraint xmlns="{_NS}">{text}</LocationConstraint>'
                return 200, xml, document.encode()
            return 200, xml, self._listing(bucket)
        stored = self.objects.get((bucket, key))
        if method == "PUT":
            self.objects[bucket, key] = body
            return 200, {"ETag": f'"{hashlib.md5(body).hexdigest()}"'}, b""
        if method == "DELETE":
            self.objects.pop((bucket, key), None)
            return 204, {}, b""
        if stored is None:
            return 404, xml, _error("NoSuchKey", "The specified key does not exist.")
        described = {
            "ETag": f'"{hashlib.md5(stored).hexdigest()}"',
            "Content-Type": "application/octet-stream",
        }
        if method == "HEAD":
            return 200, {**described, "Content-Length": str(len(stored))}, b""
        return 200, described, stored

    def _wrong_region(
        self, method: str, bucket: str, key: str, signed: str, home: str
    ) -> tuple[int, dict[str, str], bytes]:
        style = self.style[bucket]
        if style == "wander":
            elsewhere = "eu-west-1" if signed != "eu-west-1" else "us-west-2"
            return 301, {"x-amz-bucket-region": elsewhere}, _redirect(bucket, elsewhere)
        head_of_bucket = method == "HEAD" and not key
        if style == "400":
            if method == "HEAD":
                return 400, {"x-amz-bucket-region": home} if head_of_bucket else {}, b""
            message = f"the region '{signed}' is wrong; expecting '{home}'"
            return 400, {}, _error("AuthorizationHeaderMalformed", message, Region=home)
        if style == "bare" and not head_of_bucket:
            return 301, {}, _error("PermanentRedirect", "use the right endpoint")
        return 301, {"x-amz-bucket-region": home}, _redirect(bucket, home)

    def _listing(self, bucket: str) -> bytes:
        contents = "".join(
            f"<Contents><Key>{key}</Key><Size>{len(data)}</Size>"
            f"<ETag>&quot;{hashlib.md5(data).hexdigest()}&quot;</ETag></Contents>"
            for (b, key), data in sorted(self.objects.items())
            if b == bucket
        )
        return (
            f'<ListBucketResult xmlns="{_NS}"><Name>{bucket}</Name>'
            f"<IsTruncated>false</IsTruncated>{contents}</ListBucketResult>"
        ).encode()


_NS = "http://s3.amazonaws.com/doc/2006-03-01/"


def _error(code: str, message: str, **extra: str) -> bytes:
    fields = "".join(f"<{k}>{v}</{k}>" for k, v in extra.items())
    return (
        f"<Error><Code>{code}</Code><Message>{message}</Message>{fields}"
        "<RequestId>R</RequestId></Error>"
    ).encode()


def _redirect(bucket: str, region: str) -> bytes:
    return _error(
        "PermanentRedirect",
        "The bucket you are attempting to access must be addressed using the specified endpoint.",
        Endpoint=f"{bucket}.s3.{region}.amazonaws.com",
        Bucket=bucket,
    )


@pytest.fixture(scope="module")
def fake_s3() -> Iterator[RegionalS3]:
    server = RegionalS3()
    yield server
    server.stop()


@pytest.fixture
def fake(fake_s3: RegionalS3) -> RegionalS3:
    for table in (fake_s3.homes, fake_s3.style, fake_s3.locations, fake_s3.objects):
        table.clear()
    fake_s3.hits.clear()
    return fake_s3


@pytest.fixture
def make(mode: str, portal: Portal) -> Iterator[Any]:
    """``make(**kwargs)``: an S3 driver (sync, or async behind the portal), closed afterwards."""
    made: list[Any] = []

    def build(*args: Any, **kwargs: Any) -> S3StorageDriver:
        kwargs.setdefault("http", NO_RETRY)
        driver = open_in_mode(mode, portal, S3StorageDriver, AsyncS3StorageDriver, *args, **kwargs)
        made.append(driver)
        return driver

    yield build
    for driver in made:
        close_in_mode(driver, portal)


def on_fake(make: Any, fake: RegionalS3, region: str = "us-east-1") -> S3StorageDriver:
    driver: S3StorageDriver = make("AKIDFAKE", "fake-secret", region=region, endpoint=fake.url)
    return driver


# -- regional constants ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("constant", "region"),
    [
        ("S3_US_EAST2", "us-east-2"),
        ("S3_EU_WEST", "eu-west-1"),
        ("S3_AP_NORTHEAST2", "ap-northeast-2"),
    ],
)
def test_regional_constants_preset_region_and_host(constant: str, region: str) -> None:
    cls = get_driver(getattr(Provider, constant))
    driver = cls("key", "secret")
    assert driver.region == region
    url = driver.get_object_presigned_url(
        _object(driver, "my-bucket", "k"), expires=60
    )  # no I/O: the host and the signature name the region, as Libcloud's driver's host does
    assert url.startswith(f"https://my-bucket.s3.{region}.amazonaws.com/k?")
    assert f"%2F{region}%2Fs3%2Faws4_request" in url
    assert get_async_driver(getattr(Provider, constant))("key", "secret").region == region
    assert cls("key", "secret", region="eu-north-1").region == "eu-north-1"


def test_china_regions_use_their_own_domain() -> None:
    driver = get_driver(Provider.S3_CN_NORTH)("key", "secret")
    url = driver.get_object_presigned_url(_object(driver, "bkt", "k"), expires=60)
    assert url.startswith("https://bkt.s3.cn-north-1.amazonaws.com.cn/k?")


def _object(driver: Any, bucket: str, name: str) -> Any:
    from omnicloud.storage._models import Object

    return Object(name, 0, None, {}, {}, Container(bucket, {}, driver), driver)


# -- wrong-region answers, on the wire -----------------------------------------------------------
@pytest.mark.parametrize("style", ["301", "400", "bare"])
def test_wrong_region_answer_is_signed_again_once_and_remembered(
    make: Any, fake: RegionalS3, style: str
) -> None:
    bucket = fake.bucket("far-away", "eu-west-1", style)
    fake.objects[bucket, "a.txt"] = b"hello"
    driver = on_fake(make, fake)
    listed = driver.list_container_objects(Container(bucket, {}, driver))
    assert [o.name for o in listed] == ["a.txt"]
    first = ["us-east-1", "eu-west-1"] if style != "bare" else ["us-east-1"] * 2 + ["eu-west-1"]
    assert fake.regions() == first  # "bare": a HeadBucket (signed as before) asks where
    if style == "bare":
        assert [h.method for h in fake.hits] == ["GET", "HEAD", "GET"]
    fake.hits.clear()
    # remembered: later requests, of every kind, go to the bucket's region straight away
    obj = driver.get_object(bucket, "a.txt")
    assert b"".join(driver.download_object_as_stream(obj)) == b"hello"
    driver.upload_object_via_stream(iter([b"data"]), Container(bucket, {}, driver), "b.txt")
    assert set(fake.regions()) == {"eu-west-1"}
    assert fake.objects[bucket, "b.txt"] == b"data"
    url = driver.get_object_presigned_url(obj, expires=60)
    assert "%2Feu-west-1%2Fs3%2F" in url
    assert httpx.get(url).content == b"hello"


def test_object_requests_find_the_region_too(make: Any, fake: RegionalS3) -> None:
    """A bare 400 to HeadObject (AWS's answer to a HEAD signed for the wrong region) asks
    HeadBucket where the bucket is; GetObject and PutObject follow a 301 themselves."""
    bucket = fake.bucket("heads", "ap-south-1", "400")
    fake.objects[bucket, "k"] = b"x" * 10
    driver = on_fake(make, fake)
    obj = driver.get_object(bucket, "k")
    assert obj.size == 10
    assert [(h.method, h.path, h.region) for h in fake.hits] == [
        ("HEAD", "/heads/k", "us-east-1"),
        ("HEAD", "/heads", "us-east-1"),
        ("HEAD", "/heads/k", "ap-south-1"),
    ]

    other = fake.bucket("downloads", "sa-east-1", "301")
    fake.objects[other, "d"] = b"download me"
    fake.hits.clear()
    far = Container(other, {}, driver)
    from omnicloud.storage._models import Object

    target = Object("d", 11, None, {}, {}, far, driver)
    assert b"".join(driver.download_object_as_stream(target)) == b"download me"
    assert fake.regions("GET") == ["us-east-1", "sa-east-1"]

    third = fake.bucket("uploads", "eu-central-1", "301")
    fake.hits.clear()
    made = driver.upload_object_via_stream(iter([b"up"]), Container(third, {}, driver), "u")
    assert made.hash == hashlib.md5(b"up").hexdigest()
    assert fake.regions("PUT") == ["us-east-1", "eu-central-1"]
    assert fake.objects[third, "u"] == b"up"


def test_never_loops(make: Any, fake: RegionalS3) -> None:
    """A server naming yet another region after the retry gets no third request: the second
    answer is raised, naming the code."""
    bucket = fake.bucket("wanderer", "nowhere-1", "wander")
    driver = on_fake(make, fake)
    with pytest.raises(StorageError, match="PermanentRedirect") as failure:
        driver.list_container_objects(Container(bucket, {}, driver))
    assert failure.value.status == 301
    assert "(the bucket is in region us-west-2)" in str(failure.value)
    assert fake.regions() == ["us-east-1", "eu-west-1"]
    fake.hits.clear()
    with pytest.raises(StorageError):
        driver.get_object(bucket, "k")
    assert len(fake.hits) == 2  # once more for each new request, never more


def test_a_redirect_to_the_region_already_used_is_not_followed(fake: RegionalS3) -> None:
    from omnicloud.http import HttpResponse

    endpoint = S3Endpoint(Credentials("a", "b"), endpoint=fake.url)

    request = endpoint.request("GET", "b", "k")
    answer = HttpResponse(301, {"x-amz-bucket-region": "us-east-1"}, b"")
    flow = endpoint.region_of_redirect(
        RetryPolicy(max_attempts=1), request, "b", answer, "us-east-1"
    )
    with pytest.raises(StopIteration) as done:
        next(flow)
    assert done.value.value is None and fake.hits == []


def test_only_wrong_region_answers_are_followed(make: Any, fake: RegionalS3) -> None:
    """A 404, or an error with a region header but no wrong-region meaning, is raised as is."""
    driver = on_fake(make, fake)
    with pytest.raises(ContainerDoesNotExistError, match="NoSuchBucket"):
        driver.list_container_objects(Container("missing", {}, driver))
    assert len(fake.hits) == 1


def test_aws_hosts_follow_the_region_custom_endpoints_stay() -> None:
    aws = S3Endpoint(Credentials("a", "b"), region="us-east-1")
    aws.remember("eu-bucket", "eu-west-1")
    assert aws.url("eu-bucket", "k") == "https://eu-bucket.s3.eu-west-1.amazonaws.com/k"
    assert aws.url("other", "k") == "https://other.s3.us-east-1.amazonaws.com/k"
    assert aws.url("Old.Style", "k") == "https://s3.us-east-1.amazonaws.com/Old.Style/k"
    aws.remember("Old.Style", "cn-northwest-1")
    assert aws.url("Old.Style", "k") == "https://s3.cn-northwest-1.amazonaws.com.cn/Old.Style/k"
    signed = aws.request("GET", "eu-bucket", "k")
    assert "/eu-west-1/s3/aws4_request" in signed.headers["Authorization"]
    aws.remember("eu-bucket", "us-east-1")  # back home: forgotten
    assert aws.bucket_region("eu-bucket") == "us-east-1"
    custom = S3Endpoint(Credentials("a", "b"), endpoint="http://127.0.0.1:9000")
    custom.remember("b", "eu-west-3")
    assert custom.url("b", "k") == "http://127.0.0.1:9000/b/k"
    assert "/eu-west-3/s3/" in custom.request("HEAD", "b").headers["Authorization"]


def test_a_region_header_that_is_no_region_is_not_followed_on_aws() -> None:
    from omnicloud.http import HttpResponse

    aws = S3Endpoint(Credentials("a", "b"), region="us-east-1")
    request = aws.request("GET", "b", "k")
    answer = HttpResponse(301, {"x-amz-bucket-region": "evil.example.com/x"}, b"")
    flow = aws.region_of_redirect(RetryPolicy(max_attempts=1), request, "b", answer, "us-east-1")
    with pytest.raises(StopIteration) as done:
        next(flow)
    assert done.value.value is None


# -- GetBucketLocation ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "region"), [("eu-central-1", "eu-central-1"), ("", "us-east-1"), ("EU", "eu-west-1")]
)
def test_get_bucket_location(make: Any, fake: RegionalS3, text: str, region: str) -> None:
    bucket = fake.bucket("located", "us-east-1")
    fake.locations[bucket] = text
    driver = on_fake(make, fake)
    assert driver.ex_get_container_region(bucket) == region
    assert fake.hits[0].query == "location="
    fake.hits.clear()
    url = driver.get_object_presigned_url(_object(driver, bucket, "k"), expires=60)
    assert f"%2F{region}%2Fs3%2F" in url  # remembered


def test_create_container_is_made_in_the_driver_region(make: Any, fake: RegionalS3) -> None:
    """CreateBucket names the driver's region in its body and signature, whatever an earlier
    bucket of that name was in; an existing bucket elsewhere is found through the redirect."""
    bucket = fake.bucket("taken", "eu-west-1")
    driver = on_fake(make, fake, region="us-west-2")
    with pytest.raises(ContainerAlreadyExistsError):
        driver.create_container(bucket)
    assert fake.regions("HEAD") == ["us-west-2", "eu-west-1"]


# -- moto ----------------------------------------------------------------------------------------
def test_buckets_in_regions_on_moto(make: Any, moto_server: S3Server) -> None:
    """A bucket made by the S3_EU_WEST driver lives in eu-west-1 for boto3 too; a us-east-1
    driver finds its region with HeadBucket and with GetBucketLocation."""
    eu_cls = get_driver(Provider.S3_EU_WEST)
    name = unique("eu")
    with eu_cls(moto_server.key, moto_server.secret, endpoint=moto_server.endpoint) as eu:
        container = eu.create_container(name)
        assert container.extra["region"] == "eu-west-1"
        eu.upload_object_via_stream(iter([b"bonjour"]), container, "hello.txt")
    oracle: Any = moto_server.boto3()
    assert oracle.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
    home = make(moto_server.key, moto_server.secret, endpoint=moto_server.endpoint)
    assert home.region == "us-east-1"
    assert home.get_container(name).extra["region"] == "eu-west-1"
    assert home.ex_get_container_region(name) == "eu-west-1"
    obj = home.get_object(name, "hello.txt")
    url = home.get_object_presigned_url(obj, expires=60)
    assert "%2Feu-west-1%2Fs3%2F" in url
    assert httpx.get(url).content == b"bonjour"
    home.delete_object(obj)
    home.delete_container(home.get_container(name))
    assert name not in {b["Name"] for b in oracle.list_buckets()["Buckets"]}
