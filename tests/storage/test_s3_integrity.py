"""Every byte of a multipart download is checked: one byte flipped in transit is an error.

A proxy on 127.0.0.1 inverts one byte of one GetObject answer (same framing, wrong content).
Objects uploaded in parts are checked against their composite CRC32 (parts uploaded with
CRC32s) or their multipart ETag (parts uploaded with Content-MD5), computed part by part; the
part size comes from a ``GET ?partNumber=1`` answer's headers.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from omnicloud.storage import _ranges as ranges
from omnicloud.storage._hashing import Expected, StreamDigest
from omnicloud.storage._models import Object
from omnicloud.storage.drivers._s3_verify import expected_digest
from omnicloud.storage.drivers.s3 import AsyncS3StorageDriver, S3StorageDriver
from omnicloud.storage.errors import ObjectHashMismatchError
from tests.storage.conftest import SELECTED, S3Server, unique
from tests.support.fault_proxy import Fault, FaultProxy

MIB = 1024 * 1024
PART = 5 * MIB
DATA = b"".join(hashlib.sha512(bytes([i])).digest() * (MIB // 64) for i in range(11)) + b"tail!"
SERVERS = [name for name in ("moto", "ministack", "swift") if name in SELECTED]
#: object name -> driver ``checksum`` used to upload it ("boto3": uploaded by boto3 in 5 MiB
#: parts, so the part size is learned from the server, not from our metadata)
UPLOADS = {"crc32.bin": "CRC32", "md5.bin": None, "boto3.bin": "boto3"}


@pytest.fixture(scope="module", params=SERVERS)
def stored(request: pytest.FixtureRequest) -> Iterator[tuple[S3Server, FaultProxy, str]]:
    server: S3Server = request.getfixturevalue(f"{request.param}_server")
    proxy = FaultProxy(int(server.endpoint.rsplit(":", 1)[1]))
    driver = S3StorageDriver(server.key, server.secret, endpoint=server.endpoint)
    container = driver.create_container(unique("integrity"))
    for name, checksum in UPLOADS.items():
        if checksum == "boto3":
            boto3_upload(server, container.name, name, [PART, PART, len(DATA) - 2 * PART])
            continue
        uploader = S3StorageDriver(
            server.key, server.secret, endpoint=server.endpoint, part_size=PART, checksum=checksum
        )
        obj = uploader.upload_object_via_stream(iter([DATA]), container, name)
        assert obj.extra["parts"] == 3
        uploader.close()
    yield server, proxy, container.name
    for obj in driver.list_container_objects(container):
        driver.delete_object(obj)
    driver.delete_container(container)
    driver.close()
    proxy.stop()


def boto3_upload(server: S3Server, bucket: str, key: str, sizes: list[int]) -> bytes:
    """Upload the start of ``DATA * 2`` with boto3 in parts of ``sizes``; return the bytes."""
    client: Any = server.boto3()
    start = client.create_multipart_upload(Bucket=bucket, Key=key)
    data = (DATA * 2)[: sum(sizes)]
    parts, offset = [], 0
    for number, size in enumerate(sizes, 1):
        answer = client.upload_part(
            Bucket=bucket,
            Key=key,
            UploadId=start["UploadId"],
            PartNumber=number,
            Body=data[offset : offset + size],
        )
        parts.append({"PartNumber": number, "ETag": answer["ETag"]})
        offset += size
    client.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=start["UploadId"], MultipartUpload={"Parts": parts}
    )
    return data


#: Swift's s3api serves no ``?partNumber=``: a multipart object it did not get from us (no part
#: size in its metadata) cannot be checked there, and is reported unverified.
UNVERIFIABLE = {("swift", "boto3.bin")}


ROUTES = {
    # one plain GET: the whole body comes in one answer
    "plain": {"concurrency": 1},
    # parallel ranged GETs (forced, whatever the loopback timings say)
    "ranges": {"concurrency": 4},
}


def flip_for(route: str, bucket: str, name: str) -> Fault:
    if route == "plain":
        return Fault("flip_body", match=f"GET /{bucket}/{name} HTTP".encode())
    return Fault("flip_body", match=f"bytes={PART}-{2 * PART - 1}".encode())  # the second range


@pytest.fixture
def forced_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ranges, "LATENCY_FACTOR", 0)


def sync_download(
    server: S3Server, proxy: FaultProxy, bucket: str, name: str, route: str, api: str, out: Path
) -> tuple[bytes, Object]:
    driver = S3StorageDriver(
        server.key, server.secret, endpoint=proxy.url, part_size=PART, **ROUTES[route]
    )
    try:
        obj = driver.get_object(bucket, name)
        if api == "stream":
            return b"".join(driver.download_object_as_stream(obj)), obj
        driver.download_object(obj, str(out))
        return out.read_bytes(), obj
    finally:
        driver.close()


def async_download(
    server: S3Server, proxy: FaultProxy, bucket: str, name: str, route: str, api: str, out: Path
) -> tuple[bytes, Object]:
    async def main() -> tuple[bytes, Object]:
        async with AsyncS3StorageDriver(
            server.key, server.secret, endpoint=proxy.url, part_size=PART, **ROUTES[route]
        ) as driver:
            obj = await driver.get_object(bucket, name)
            if api == "stream":
                return b"".join([c async for c in driver.download_object_as_stream(obj)]), obj
            await driver.download_object(obj, str(out))
            return out.read_bytes(), obj

    result: tuple[bytes, Object] = anyio.run(main)
    return result


DOWNLOADS = {"sync": sync_download, "async": async_download}


@pytest.mark.usefixtures("forced_ranges")
@pytest.mark.parametrize("mode", list(DOWNLOADS))
@pytest.mark.parametrize("api", ["stream", "file"])
@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("name", list(UPLOADS))
def test_multipart_download_is_verified(
    stored: tuple[S3Server, FaultProxy, str],
    name: str,
    route: str,
    api: str,
    mode: str,
    tmp_path: Path,
) -> None:
    server, proxy, bucket = stored
    proxy.plan()
    got, obj = DOWNLOADS[mode](server, proxy, bucket, name, route, api, tmp_path / "out.bin")
    assert got == DATA
    assert obj.extra["verified"] is ((server.name, name) not in UNVERIFIABLE)
    data_gets = proxy.count(f"GET /{bucket}/{name} HTTP".encode())
    assert data_gets == (3 if route == "ranges" else 1)  # a first span, then two ranges


@pytest.mark.usefixtures("forced_ranges")
@pytest.mark.parametrize("mode", list(DOWNLOADS))
@pytest.mark.parametrize("api", ["stream", "file"])
@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("name", list(UPLOADS))
def test_one_flipped_byte_in_a_multipart_download_is_an_error(
    stored: tuple[S3Server, FaultProxy, str],
    name: str,
    route: str,
    api: str,
    mode: str,
    tmp_path: Path,
) -> None:
    server, proxy, bucket = stored
    proxy.plan(flip_for(route, bucket, name))
    folder = tmp_path / "downloads"
    folder.mkdir()
    out = folder / "out.bin"
    if (server.name, name) in UNVERIFIABLE:
        got, obj = DOWNLOADS[mode](server, proxy, bucket, name, route, api, out)
        assert got != DATA and obj.extra["verified"] is False  # said, not hidden
        return
    with pytest.raises(ObjectHashMismatchError, match="differs from the stored"):
        DOWNLOADS[mode](server, proxy, bucket, name, route, api, out)
    assert proxy.injected == 1
    assert list(folder.iterdir()) == []  # neither the destination nor a temporary file


def test_parts_of_other_sizes_are_reported_unverified_not_failed(
    stored: tuple[S3Server, FaultProxy, str],
) -> None:
    # parts of 5, 6 and 1 MiB: part 1 alone suggests 5 MiB parts, which the check then finds
    # wrong (it asks for part 2's size) instead of reporting a mismatch that is not there
    server, proxy, bucket = stored
    data = boto3_upload(server, bucket, "uneven.bin", [5 * MIB, 6 * MIB, MIB])
    driver = S3StorageDriver(server.key, server.secret, endpoint=proxy.url, concurrency=1)
    obj = driver.get_object(bucket, "uneven.bin")
    proxy.plan()
    assert b"".join(driver.download_object_as_stream(obj)) == data
    assert obj.extra["verified"] is False
    if server.name != "swift":  # which serves no parts at all
        assert proxy.count(b"partNumber=2") == 1
    driver.close()


# -- the digests, without a server -------------------------------------------------------------
def crc32_b64(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


@pytest.mark.parametrize("piece", [1, 4096, PART - 1, PART, 3 * PART])
def test_part_digests_match_s3s_formulas_whatever_the_pieces(piece: int) -> None:
    parts = [DATA[i : i + PART] for i in range(0, len(DATA), PART)]
    etag = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    composite = crc32_b64(b"".join(zlib.crc32(p).to_bytes(4, "big") for p in parts))
    for algorithm, expected in (("md5", f"{etag}-3"), ("crc32", f"{composite}-3")):
        digest = StreamDigest(algorithm, PART)
        for offset in range(0, len(DATA), piece if piece > 1 else 777_777):
            digest.update(DATA[offset : offset + (piece if piece > 1 else 777_777)])
        assert digest.value() == expected
    whole = StreamDigest("crc32")
    whole.update(DATA)
    assert whole.value() == crc32_b64(DATA)


def run_flow(flow: Any, answers: dict[int, dict[str, str] | None]) -> Any:
    """Drive ``expected_digest`` with part answers from ``answers``."""
    try:
        request = next(flow)
        while True:
            request = flow.send(answers.get(request))
    except StopIteration as stop:
        return stop.value


def part_flow(number: int) -> Any:
    headers = yield number
    return headers


def test_what_is_expected_from_the_headers() -> None:
    md5 = "0123456789abcdef0123456789abcdef"
    single = run_flow(expected_digest({"etag": f'"{md5}"'}, 10, part_flow), {})
    assert single == (Expected("md5", md5, "ETag"), None)
    kms = {"etag": f'"{md5}"', "x-amz-server-side-encryption": "aws:kms"}
    assert run_flow(expected_digest(kms, 10, part_flow), {}) == (None, None)
    full = {
        "etag": f'"{md5}-3"',
        "x-amz-checksum-crc32": "AAAAAA==",
        "x-amz-checksum-type": "FULL_OBJECT",
    }
    assert run_flow(expected_digest(full, 10, part_flow), {})[0] == Expected(
        "crc32", "AAAAAA==", "x-amz-checksum-crc32"
    )
    multipart = {"etag": f'"{md5}-2"'}
    first = {"content-range": f"bytes 0-{PART - 1}/{PART + 7}", "x-amz-mp-parts-count": "2"}
    expected, confirm = run_flow(expected_digest(multipart, PART + 7, part_flow), {1: first})
    assert expected == Expected("md5", f"{md5}-2", "multipart ETag", PART)
    assert confirm is None  # two parts: the layout is certain
    # a server that does not serve parts: nothing can be checked
    assert run_flow(expected_digest(multipart, PART + 7, part_flow), {1: None}) == (None, None)
