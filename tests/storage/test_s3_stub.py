"""S3 answers no real server gives on demand, from a stub on 127.0.0.1: XML without or with a
foreign namespace, entity-expansion and external-entity documents (refused, never expanded),
corrupted downloads (what ``delete_on_failure`` leaves behind), chunk sizes, lazy paging and the
exact wire form of path-style and virtual-hosted addressing."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import anyio
import pytest

from omnicloud.errors import MalformedResponseError, PermissionDeniedError, ValidationError
from omnicloud.http import HttpConfig, RetryPolicy
from omnicloud.storage._models import Container, Object
from omnicloud.storage.drivers.s3 import AsyncS3StorageDriver, S3StorageDriver
from omnicloud.storage.errors import ContainerDoesNotExistError, ObjectHashMismatchError
from tests.storage.transports import LoopbackTransport
from tests.support.stub_server import Reply, Seen, StubServer

NO_RETRY = HttpConfig(retry=RetryPolicy(max_attempts=1))
XML = {"Content-Type": "application/xml"}
MD5_A = hashlib.md5(b"a").hexdigest()


def s3(stub: StubServer, **options: Any) -> S3StorageDriver:
    options.setdefault("http", NO_RETRY)
    return S3StorageDriver("AKIDSTUB", "stub-secret", endpoint=stub.url, **options)


def bucket_of(driver: Any, name: str = "bkt") -> Container:
    return Container(name=name, driver=driver)


# -- namespaces ----------------------------------------------------------------------------------
def listing(ns_open: str, ns_close: str, prefix: str, token: str | None) -> str:
    """A ListObjectsV2 page; ``prefix`` is the element prefix (``""`` or ``"s3:"``)."""
    p = prefix
    truncated = "true" if token else "false"
    next_token = f"<{p}NextContinuationToken>{token}</{p}NextContinuationToken>" if token else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{ns_open}'
        f"<{p}Name>bkt</{p}Name><{p}IsTruncated>{truncated}</{p}IsTruncated>{next_token}"
        f"<{p}Contents><{p}Key>dir/a.txt</{p}Key><{p}Size>1</{p}Size>"
        f"<{p}ETag>&quot;{MD5_A}&quot;</{p}ETag><{p}LastModified>2024-01-02T03:04:05.000Z"
        f"</{p}LastModified><{p}StorageClass>STANDARD</{p}StorageClass></{p}Contents>"
        f"<{p}CommonPrefixes><{p}Prefix>dir/sub/</{p}Prefix></{p}CommonPrefixes>{ns_close}"
    )


def second_page(ns_open: str, ns_close: str, prefix: str) -> str:
    p = prefix
    return (
        f"{ns_open}<{p}IsTruncated>false</{p}IsTruncated>"
        f"<{p}Contents><{p}Key>dir/z.txt</{p}Key><{p}Size>22</{p}Size>"
        f'<{p}ETag>"{"0" * 32}-2"</{p}ETag></{p}Contents>{ns_close}'
    )


NAMESPACES = {
    "none": ("<ListBucketResult>", "</ListBucketResult>", ""),
    "aws": (
        '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
        "</ListBucketResult>",
        "",
    ),
    "s3rver": (
        '<ListBucketResult xmlns="http://doc.s3.amazonaws.com/2006-03-01/">',
        "</ListBucketResult>",
        "",
    ),
    "prefixed": (
        '<s3:ListBucketResult xmlns:s3="urn:example:s3">',
        "</s3:ListBucketResult>",
        "s3:",
    ),
}


@pytest.mark.parametrize("style", sorted(NAMESPACES))
def test_listing_is_read_whatever_the_namespace(stub: StubServer, style: str) -> None:
    ns_open, ns_close, prefix = NAMESPACES[style]

    def handler(seen: Seen) -> Reply:
        if seen.params.get("continuation-token") == "tok/en+1=":
            return Reply(200, second_page(ns_open, ns_close, prefix), XML)
        return Reply(200, listing(ns_open, ns_close, prefix, "tok/en+1="), XML)

    stub.handle(handler)
    driver = s3(stub)
    lazy = driver.iterate_container_objects(bucket_of(driver), prefix="dir/", delimiter="/")
    first = next(lazy)
    assert len(stub.requests) == 1  # the second page is not fetched yet
    rest = list(lazy)
    assert len(stub.requests) == 2
    assert stub.requests[1].params["continuation-token"] == "tok/en+1="
    assert stub.requests[0].params == {
        "list-type": "2",
        "max-keys": "1000",
        "prefix": "dir/",
        "delimiter": "/",
    }
    objects = [first, *rest]
    assert [(o.name, o.size, o.hash, o.is_prefix) for o in objects] == [
        ("dir/a.txt", 1, MD5_A, False),
        ("dir/sub/", 0, None, True),
        ("dir/z.txt", 22, "0" * 32 + "-2", False),
    ]
    assert objects[0].extra["last_modified"] == "2024-01-02T03:04:05.000Z"
    assert objects[0].extra["storage_class"] == "STANDARD"
    assert objects[0].container is not None and objects[0].container.name == "bkt"


@pytest.mark.parametrize(
    "root",
    [
        "<ListAllMyBucketsResult>{}</ListAllMyBucketsResult>",
        '<ListAllMyBucketsResult xmlns="urn:somebody:else">{}</ListAllMyBucketsResult>',
        '<x:ListAllMyBucketsResult xmlns:x="urn:x">{}</x:ListAllMyBucketsResult>',
    ],
)
def test_bucket_listing_is_read_whatever_the_namespace(stub: StubServer, root: str) -> None:
    tag = "x:" if root.startswith("<x:") else ""
    buckets = "".join(
        f"<{tag}Bucket><{tag}Name>{n}</{tag}Name><{tag}CreationDate>2024-05-06T00:00:00Z"
        f"</{tag}CreationDate></{tag}Bucket>"
        for n in ("one", "two")
    )
    body = root.format(
        f"<{tag}Owner><{tag}ID>x</{tag}ID></{tag}Owner><{tag}Buckets>{buckets}</{tag}Buckets>"
    )
    stub.handle(lambda seen: Reply(200, body, XML))
    found = s3(stub).list_containers()
    assert [(c.name, c.extra["creation_date"]) for c in found] == [
        ("one", "2024-05-06T00:00:00Z"),
        ("two", "2024-05-06T00:00:00Z"),
    ]


def test_error_documents_are_read_whatever_the_namespace(stub: StubServer) -> None:
    document = (
        '<Error xmlns="urn:vendor:errors"><Code>NoSuchBucket</Code>'
        "<Message>The specified bucket does not exist</Message></Error>"
    )
    stub.handle(lambda seen: Reply(404, document, XML))
    driver = s3(stub)
    with pytest.raises(ContainerDoesNotExistError) as failure:
        driver.list_container_objects(bucket_of(driver))
    assert failure.value.code == "NoSuchBucket"
    assert "The specified bucket does not exist" in str(failure.value)


# -- hostile documents ---------------------------------------------------------------------------
LOLS = "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
)  # lol9 would expand to 10**9 "lol"s
BOMB = (
    f'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol0 "lol">{LOLS}]>\n'
    "<ListBucketResult><Name>&lol9;</Name><IsTruncated>false</IsTruncated>"
    "<Contents><Key>&lol9;</Key><Size>1</Size></Contents></ListBucketResult>"
)
XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    "<ListAllMyBucketsResult><Buckets><Bucket><Name>&xxe;</Name></Bucket></Buckets>"
    "</ListAllMyBucketsResult>"
)


def assert_refused(error: MalformedResponseError) -> None:
    text = str(error) + repr(getattr(error, "excerpt", ""))
    assert "lollollol" not in text  # nothing was expanded
    assert "root:" not in text  # /etc/passwd was not read
    assert "not valid XML" in str(error)


def test_entity_expansion_in_a_listing_is_refused(stub: StubServer) -> None:
    stub.handle(lambda seen: Reply(200, BOMB, XML))
    driver = s3(stub)
    started = time.monotonic()
    with pytest.raises(MalformedResponseError) as failure:
        list(driver.iterate_container_objects(bucket_of(driver)))
    assert time.monotonic() - started < 5
    assert_refused(failure.value)
    assert len(stub.requests) == 1


def test_even_a_harmless_entity_is_refused(stub: StubServer) -> None:
    """The standard library would expand this one (expat only caps huge amplification);
    defusedxml refuses every entity declaration, so nothing from a DTD reaches our objects."""
    document = (
        '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY e "expanded">]>\n'
        "<ListBucketResult><IsTruncated>false</IsTruncated>"
        "<Contents><Key>&e;</Key><Size>1</Size></Contents></ListBucketResult>"
    )
    stub.handle(lambda seen: Reply(200, document, XML))
    driver = s3(stub)
    with pytest.raises(MalformedResponseError, match="EntitiesForbidden"):
        list(driver.iterate_container_objects(bucket_of(driver)))


def test_external_entities_are_refused(stub: StubServer) -> None:
    stub.handle(lambda seen: Reply(200, XXE, XML))
    with pytest.raises(MalformedResponseError) as failure:
        s3(stub).list_containers()
    assert_refused(failure.value)


def test_entity_expansion_in_a_multipart_start_is_refused(stub: StubServer) -> None:
    bomb = BOMB.replace("ListBucketResult", "InitiateMultipartUploadResult").replace(
        "<Name>&lol9;</Name>", "<UploadId>&lol9;</UploadId>"
    )
    stub.handle(lambda seen: Reply(200, bomb, XML))
    driver = s3(stub, part_size=5 * 1024 * 1024)
    with pytest.raises(MalformedResponseError) as failure:
        driver.upload_object_via_stream(iter([b"x" * (6 * 1024 * 1024)]), bucket_of(driver), "k")
    assert_refused(failure.value)
    assert [(r.method, r.params) for r in stub.requests] == [("POST", {"uploads": ""})]


def test_entity_expansion_in_an_error_document_is_not_expanded(stub: StubServer) -> None:
    bomb = BOMB.replace("ListBucketResult", "Error").replace(
        "<Name>&lol9;</Name>", "<Code>&lol9;</Code>"
    )
    stub.handle(lambda seen: Reply(403, bomb, XML))
    driver = s3(stub)
    with pytest.raises(PermissionDeniedError) as failure:
        list(driver.iterate_container_objects(bucket_of(driver)))
    assert failure.value.code is None
    assert "lollollol" not in str(failure.value)
    assert str(failure.value) == "s3 ListObjectsV2: HTTP 403"


def test_truncated_listing_without_a_token_is_malformed(stub: StubServer) -> None:
    page = "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"
    stub.handle(lambda seen: Reply(200, page, XML))
    driver = s3(stub)
    with pytest.raises(MalformedResponseError, match="continuation token"):
        list(driver.iterate_container_objects(bucket_of(driver)))


# -- corrupted downloads -------------------------------------------------------------------------
STORED = b"the stored object, byte for byte. " * 300
CORRUPTED = bytes(b ^ 0x20 if i == 5000 else b for i, b in enumerate(STORED))


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty download directory (tmp_path also holds the test's HOME)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def serve_corrupted(stub: StubServer) -> None:
    """GET answers with bytes that do not hash to the ETag (the stored object's MD5)."""
    etag = hashlib.md5(STORED).hexdigest()
    stub.handle(
        lambda seen: Reply(
            200, CORRUPTED, {"ETag": f'"{etag}"', "Content-Type": "application/octet-stream"}
        )
    )


def stored_object(driver: Any) -> Object:
    return Object(
        name="dir/obj.bin",
        size=len(STORED),
        hash=hashlib.md5(STORED).hexdigest(),
        container=bucket_of(driver),
        driver=driver,
    )


def test_corrupted_download_kept_with_delete_on_failure_false(stub: StubServer, out: Path) -> None:
    serve_corrupted(stub)
    driver = s3(stub)
    target = out / "obj.bin"
    with pytest.raises(ObjectHashMismatchError, match="MD5"):
        driver.download_object(stored_object(driver), str(target), delete_on_failure=False)
    assert target.read_bytes() == CORRUPTED  # Libcloud: the partial file stays for inspection
    assert sorted(p.name for p in out.iterdir()) == ["obj.bin"]


def test_corrupted_download_removed_with_delete_on_failure_true(
    stub: StubServer, out: Path
) -> None:
    serve_corrupted(stub)
    driver = s3(stub)
    with pytest.raises(ObjectHashMismatchError):
        driver.download_object(stored_object(driver), str(out / "obj.bin"))
    with pytest.raises(ObjectHashMismatchError):
        driver.download_object(stored_object(driver), str(out) + "/", delete_on_failure=True)
    assert list(out.iterdir()) == []


def test_failed_overwrite_keeps_the_previous_file(stub: StubServer, out: Path) -> None:
    """The download goes to a temporary file: on failure the old destination is untouched, unless
    ``delete_on_failure=False`` asks for the partial data in its place."""
    serve_corrupted(stub)
    driver = s3(stub)
    target = out / "obj.bin"
    target.write_bytes(b"previous")
    with pytest.raises(ObjectHashMismatchError):
        driver.download_object(stored_object(driver), str(target), overwrite_existing=True)
    assert target.read_bytes() == b"previous"
    with pytest.raises(ObjectHashMismatchError):
        driver.download_object(
            stored_object(driver), str(target), overwrite_existing=True, delete_on_failure=False
        )
    assert target.read_bytes() == CORRUPTED
    assert sorted(p.name for p in out.iterdir()) == ["obj.bin"]


def test_corrupted_stream_raises_at_the_end(stub: StubServer) -> None:
    serve_corrupted(stub)
    driver = s3(stub)
    received = bytearray()
    with pytest.raises(ObjectHashMismatchError):
        for chunk in driver.download_object_as_stream(stored_object(driver), chunk_size=4096):
            received += chunk
    assert bytes(received) == CORRUPTED  # every byte was delivered before the verdict


def test_async_corrupted_download_kept_with_delete_on_failure_false(
    stub: StubServer, out: Path
) -> None:
    serve_corrupted(stub)

    async def scenario() -> None:
        async with AsyncS3StorageDriver(
            "AKIDSTUB", "stub-secret", endpoint=stub.url, http=NO_RETRY
        ) as driver:
            obj = stored_object(driver)
            with pytest.raises(ObjectHashMismatchError):
                await driver.download_object(obj, str(out / "a"), delete_on_failure=False)
            with pytest.raises(ObjectHashMismatchError):
                await driver.download_object(obj, str(out / "b"))

    anyio.run(scenario)
    assert (out / "a").read_bytes() == CORRUPTED
    assert sorted(p.name for p in out.iterdir()) == ["a"]


def test_overwrite_refusal_is_clear_and_sends_nothing(stub: StubServer, out: Path) -> None:
    serve_corrupted(stub)
    driver = s3(stub)
    target = out / "obj.bin"
    target.write_bytes(b"mine")
    with pytest.raises(ValidationError) as failure:
        driver.download_object(stored_object(driver), str(target))
    assert str(failure.value) == (
        f"{target} exists already (pass overwrite_existing=True to replace it)"
    )
    (out / "obj2.bin").write_bytes(b"also mine")
    with pytest.raises(ValidationError, match="overwrite_existing=True"):
        driver.download_object_range(stored_object(driver), str(out / "obj2.bin"), 0, 10)
    folder = out / "folder"
    folder.mkdir()
    (folder / "obj.bin").write_bytes(b"in the folder")
    with pytest.raises(ValidationError, match=r"folder/obj\.bin exists already"):
        driver.download_object(stored_object(driver), str(folder) + "/")
    assert stub.requests == []
    assert target.read_bytes() == b"mine"
    assert (folder / "obj.bin").read_bytes() == b"in the folder"


# -- chunk sizes ---------------------------------------------------------------------------------
def test_stream_chunk_sizes(stub: StubServer) -> None:
    body = bytes(range(256)) * 40 + b"tail!!!"  # 10247 bytes
    etag = hashlib.md5(body).hexdigest()

    def handler(seen: Seen) -> Reply:
        wanted = seen.headers.get("Range")
        if wanted:
            first, last = wanted.removeprefix("bytes=").split("-")
            end = int(last) + 1 if last else len(body)
            part = body[int(first) : end]
            return Reply(206, part, {"Content-Range": f"bytes {first}-{end - 1}/{len(body)}"})
        return Reply(200, body, {"ETag": f'"{etag}"'})

    stub.handle(handler)
    driver = s3(stub)
    obj = Object("o", len(body), etag, container=bucket_of(driver), driver=driver)
    sizes = [len(c) for c in driver.download_object_as_stream(obj, chunk_size=1000)]
    assert sizes == [1000] * 10 + [247]
    sizes = [len(c) for c in driver.download_object_range_as_stream(obj, 10, 3010, chunk_size=512)]
    assert sizes == [512] * 5 + [440]
    assert stub.requests[-1].headers["Range"] == "bytes=10-3009"
    assert [len(c) for c in driver.download_object_as_stream(obj)] == [len(body)]


# -- addressing ----------------------------------------------------------------------------------
def test_path_style_on_the_wire(stub: StubServer) -> None:
    stub.handle(lambda seen: Reply(200, "<ListBucketResult/>", XML))
    driver = s3(stub, addressing="path")
    list(driver.iterate_container_objects(bucket_of(driver, "my-bucket")))
    seen = stub.requests[0]
    assert seen.path == "/my-bucket"
    assert seen.headers["Host"] == f"127.0.0.1:{stub.port}"
    assert "host" in seen.headers["Authorization"].split("SignedHeaders=")[1]


def test_virtual_hosted_on_the_wire(stub: StubServer) -> None:
    def handler(seen: Seen) -> Reply:
        if seen.method == "GET" and seen.path == "/":
            return Reply(200, "<ListBucketResult/>", XML)
        return Reply(200, b"", {"ETag": f'"{MD5_A}"'})

    stub.handle(handler)
    transport = LoopbackTransport(stub.port)
    config = HttpConfig(transport=transport, retry=RetryPolicy(max_attempts=1))
    driver = S3StorageDriver(
        "AKIDSTUB",
        "stub-secret",
        endpoint=f"http://s3.stub.test:{stub.port}",
        addressing="virtual",
        http=config,
    )
    container = bucket_of(driver, "my-bucket")
    list(driver.iterate_container_objects(container))
    driver.upload_object_via_stream(iter([b"a"]), container, "dir/a b.txt")
    assert [(r.method, r.path, r.headers["Host"]) for r in stub.requests] == [
        ("GET", "/", f"my-bucket.s3.stub.test:{stub.port}"),
        ("PUT", "/dir/a%20b.txt", f"my-bucket.s3.stub.test:{stub.port}"),
    ]
