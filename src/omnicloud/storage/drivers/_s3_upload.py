"""S3 uploads as flows: one PUT for small data, parallel multipart for the rest.

Memory stays bounded: at most ``concurrency`` parts of ``part_size`` bytes are held at once.
A multipart upload asks for CRC32 checksums (``x-amz-checksum-algorithm``, as boto3 does). A
server that confirms it (AWS, moto, ministack) gets each part's CRC32 (``x-amz-checksum-crc32``)
instead of its MD5: it rejects a damaged part, a part checksum it echoes must equal ours, and the
completed object's composite checksum, when returned, must equal the CRC32 of the part CRC32s
plus ``-<count>``. A server that ignores the request (Swift's s3api before checksums) gets
``Content-MD5`` on every part, each part's ETag is compared with the MD5 sent, and the completed
object's ETag must equal the MD5 of the part MD5s plus ``-<count>``. A single PUT always carries
``Content-MD5``. Any failure, including the caller's source raising, aborts the multipart
upload, so neither an object nor an open upload remains.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from dataclasses import dataclass
from typing import Any, cast

from omnicloud._flow import Gather
from omnicloud.aws._s3 import S3Endpoint, content_md5, error_from_response
from omnicloud.aws._xml import parse_xml, text_of
from omnicloud.errors import MalformedResponseError, ValidationError
from omnicloud.http._config import RetryPolicy
from omnicloud.http._streaming import Pieces, Read
from omnicloud.storage._source import ChunkSource, PartReader, PiecesReader
from omnicloud.storage.errors import ObjectHashMismatchError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow
    from omnicloud.http._models import HttpResponse
    from omnicloud.http._streaming import StreamFlow

__all__ = ["MIN_PART_SIZE", "PART_SIZE_META", "TransferSettings", "UploadResult", "upload_flow"]

MIN_PART_SIZE = 5 * 1024 * 1024
MAX_PARTS = 10000
#: The part checksum asked for on every multipart upload (``checksum=None`` turns it off).
CHECKSUM_ALGORITHM = "CRC32"
_CHECKSUM_HEADER = "x-amz-checksum-crc32"
#: Metadata stored with a multipart upload: the size of its parts (all but the last).
PART_SIZE_META = "x-amz-meta-omnicloud-part-size"


@dataclass(slots=True)
class TransferSettings:
    """Multipart tuning: data of at most ``part_size`` goes in one PUT; larger data goes in
    ``part_size`` parts, ``concurrency`` at a time."""

    part_size: int = 8 * 1024 * 1024
    concurrency: int = 4
    checksum: str | None = CHECKSUM_ALGORITHM

    def __post_init__(self) -> None:
        if self.part_size < MIN_PART_SIZE:
            raise ValidationError(f"part_size must be at least {MIN_PART_SIZE} bytes (5 MiB)")
        if self.concurrency < 1:
            raise ValidationError("concurrency must be at least 1")
        if self.checksum is not None:
            if self.checksum.upper() != CHECKSUM_ALGORITHM:
                raise ValidationError(
                    f"checksum must be {CHECKSUM_ALGORITHM!r} or None, not {self.checksum!r}"
                )
            self.checksum = CHECKSUM_ALGORITHM


@dataclass(slots=True)
class UploadResult:
    """What the server confirmed: ETag (unquoted), size sent, and the number of parts (0 = PUT)."""

    etag: str
    size: int
    parts: int
    checksum_crc32: str | None = None


def _etag(response: HttpResponse) -> str:
    return response.headers.get("etag", "").strip().strip('"')


def upload_flow(
    endpoint: S3Endpoint,
    retry: RetryPolicy,
    settings: TransferSettings,
    source: ChunkSource,
    bucket: str,
    key: str,
    headers: dict[str, str],
) -> StreamFlow[UploadResult]:
    """Store everything ``source`` yields as ``bucket/key`` (``headers``: type and metadata)."""
    first: list[bytes] = yield Read(PiecesReader(source), settings.part_size)
    if sum(len(piece) for piece in first) < settings.part_size:
        return (yield from _put_single(endpoint, retry, first, bucket, key, headers))
    return (yield from _multipart(endpoint, retry, settings, source, first, bucket, key, headers))


def _put_single(
    endpoint: S3Endpoint,
    retry: RetryPolicy,
    pieces: list[bytes],
    bucket: str,
    key: str,
    headers: dict[str, str],
) -> StreamFlow[UploadResult]:
    data = Pieces(pieces)
    md5_hex, md5_b64 = content_md5(data)
    response = yield from endpoint.send(
        retry,
        "PUT",
        bucket,
        key,
        headers={**headers, "Content-MD5": md5_b64},
        content=data,
        operation="s3 PutObject",
    )
    if response.status != 200:
        raise error_from_response(response, "s3 PutObject", missing="container")
    etag = _etag(response)
    if _is_md5(etag) and etag != md5_hex:
        raise ObjectHashMismatchError(
            f"s3 PutObject {key}: server ETag {etag} differs from the MD5 sent {md5_hex}"
        )
    return UploadResult(etag=etag, size=data.length, parts=0)


def _is_md5(etag: str) -> bool:
    return len(etag) == 32 and all(c in "0123456789abcdef" for c in etag.lower())


def _multipart(
    endpoint: S3Endpoint,
    retry: RetryPolicy,
    settings: TransferSettings,
    source: ChunkSource,
    first: list[bytes],
    bucket: str,
    key: str,
    headers: dict[str, str],
) -> StreamFlow[UploadResult]:
    # every part but the last has part_size bytes: downloads need that to check the digest
    headers = {**headers, PART_SIZE_META: str(settings.part_size)}
    response = yield from _start(endpoint, retry, bucket, key, headers, settings.checksum)
    if response.status != 200 and settings.checksum and _refuses_checksum(response):
        # a store that rejects the checksum request outright created nothing: ask again without
        response = yield from _start(endpoint, retry, bucket, key, headers, None)
    if response.status != 200:
        raise error_from_response(response, "s3 CreateMultipartUpload", missing="container")
    upload_id = text_of(parse_xml(response.content, status=response.status), "UploadId")
    if not upload_id:
        raise MalformedResponseError("s3 CreateMultipartUpload: no UploadId in the answer")
    crc32 = _confirms_crc32(response, settings.checksum)
    parts = PartReader(source, first)
    try:
        workers = [
            _part_worker(endpoint, retry, settings, parts, bucket, key, upload_id, crc32)
            for _ in range(settings.concurrency)
        ]
        results: list[list[_Part]] = yield Gather(
            cast("list[Flow[Any]]", workers), settings.concurrency
        )
        done = sorted(item for batch in results for item in batch)
        return (yield from _complete(endpoint, retry, bucket, key, upload_id, done, source, crc32))
    except Exception:
        parts.stop()
        yield from _abort(endpoint, retry, bucket, key, upload_id)
        raise


#: A stored part: its number, its ETag, and its digest (CRC32 or MD5, per upload).
_Part = tuple[int, str, bytes]

#: Error codes of stores that reject a CreateMultipartUpload asking for checksums.
_CHECKSUM_REFUSALS = frozenset({"NotImplemented", "InvalidArgument", "InvalidRequest"})


def _start(
    endpoint: S3Endpoint,
    retry: RetryPolicy,
    bucket: str,
    key: str,
    headers: dict[str, str],
    checksum: str | None,
) -> StreamFlow[HttpResponse]:
    """Send CreateMultipartUpload, asking for ``checksum`` part checksums if given."""
    asked = {**headers, "x-amz-checksum-algorithm": checksum} if checksum else headers
    response: HttpResponse = yield from endpoint.send(
        retry, "POST", bucket, key, query=[("uploads", "")], headers=asked,
        operation="s3 CreateMPU",
    )  # fmt: skip
    return response


def _refuses_checksum(response: HttpResponse) -> bool:
    """True for a 400/501 answer whose error code says the checksum request is not supported."""
    if response.status not in (400, 501) or not response.content:
        return False
    try:
        code = text_of(parse_xml(response.content, status=response.status), "Code")
    except MalformedResponseError:
        return False
    return code in _CHECKSUM_REFUSALS


def _confirms_crc32(response: HttpResponse, asked: str | None) -> bool:
    """True when the CreateMultipartUpload answer confirms the CRC32 checksums asked for."""
    confirmed = response.headers.get("x-amz-checksum-algorithm", "")
    return asked is not None and confirmed.strip().upper() == asked


def _crc32(data: Pieces) -> bytes:
    value = 0
    for piece in data:
        value = zlib.crc32(piece, value)
    return value.to_bytes(4, "big")


def _part_worker(
    endpoint: S3Endpoint,
    retry: RetryPolicy,
    settings: TransferSettings,
    parts: PartReader,
    bucket: str,
    key: str,
    upload_id: str,
    crc32: bool,
) -> StreamFlow[list[_Part]]:
    done: list[_Part] = []
    try:
        while True:
            number, pieces = yield Read(parts, settings.part_size)
            if not pieces:
                return done
            if number > MAX_PARTS:
                raise ValidationError(f"upload needs more than {MAX_PARTS} parts; raise part_size")
            etag, digest = yield from _put_part(
                endpoint, retry, Pieces(pieces), number, bucket, key, upload_id, crc32
            )
            done.append((number, etag, digest))
    except Exception:
        parts.stop()
        raise


def _put_part(
    endpoint: S3Endpoint,
    retry: RetryPolicy,
    data: Pieces,
    number: int,
    bucket: str,
    key: str,
    upload_id: str,
    crc32: bool,
) -> StreamFlow[tuple[str, bytes]]:
    """Store one part, sent with its CRC32 (``crc32``) or its MD5, checked against the answer."""
    if crc32:
        digest = _crc32(data)
        checksum = base64.b64encode(digest).decode("ascii")
        headers = {_CHECKSUM_HEADER: checksum}
    else:
        md5_hex, md5_b64 = content_md5(data)
        headers = {"Content-MD5": md5_b64}
    response = yield from endpoint.send(
        retry,
        "PUT",
        bucket,
        key,
        query=[("partNumber", str(number)), ("uploadId", upload_id)],
        headers=headers,
        content=data,
        operation=f"s3 UploadPart {number}",
    )
    if response.status != 200:
        raise error_from_response(response, f"s3 UploadPart {number}")
    etag = _etag(response)
    if crc32:
        echoed = response.headers.get(_CHECKSUM_HEADER)
        if echoed is not None and echoed.strip() != checksum:
            raise ObjectHashMismatchError(
                f"s3 UploadPart {number}: server CRC32 {echoed} differs from the CRC32 sent "
                f"{checksum}"
            )
        return etag, digest
    if _is_md5(etag) and etag != md5_hex:
        raise ObjectHashMismatchError(
            f"s3 UploadPart {number}: server ETag {etag} differs from the MD5 sent {md5_hex}"
        )
    return etag, bytes.fromhex(md5_hex)


def _complete(
    endpoint: S3Endpoint,
    retry: RetryPolicy,
    bucket: str,
    key: str,
    upload_id: str,
    done: list[_Part],
    source: ChunkSource,
    crc32: bool,
) -> StreamFlow[UploadResult]:
    body = "".join(_part_element(number, etag, digest, crc32) for number, etag, digest in done)
    document = f"<CompleteMultipartUpload>{body}</CompleteMultipartUpload>".encode()
    response, root = yield from endpoint.send(
        retry,
        "POST",
        bucket,
        key,
        query=[("uploadId", upload_id)],
        headers={"Content-Type": "application/xml", "Content-MD5": content_md5(document)[1]},
        content=document,
        operation="s3 CompleteMultipartUpload",
        parse=_parse_complete,
    )
    if response.status != 200 or root is None or root.tag.rsplit("}", 1)[-1] == "Error":
        raise error_from_response(response, "s3 CompleteMultipartUpload")
    etag = (text_of(root, "ETag") or "").strip().strip('"')
    joined = b"".join(digest for _, _, digest in done)
    if crc32:
        composite = _composite_crc32(joined, len(done))
        returned = (text_of(root, "ChecksumCRC32") or "").strip()
        if returned and returned != composite:
            raise ObjectHashMismatchError(
                f"s3 CompleteMultipartUpload {key}: CRC32 {returned} differs from the expected "
                f"{composite}"
            )
        return UploadResult(etag, source.bytes_read, len(done), checksum_crc32=composite)
    expected = hashlib.md5(joined, usedforsecurity=False).hexdigest() + f"-{len(done)}"
    if "-" in etag and etag != expected:
        raise ObjectHashMismatchError(
            f"s3 CompleteMultipartUpload {key}: ETag {etag} differs from the expected {expected}"
        )
    return UploadResult(etag=etag, size=source.bytes_read, parts=len(done))


def _part_element(number: int, etag: str, digest: bytes, crc32: bool) -> str:
    """One ``<Part>`` of the CompleteMultipartUpload document."""
    quoted = etag.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    checksum = ""
    if crc32:
        checksum = f"<ChecksumCRC32>{base64.b64encode(digest).decode('ascii')}</ChecksumCRC32>"
    return (
        f"<Part><PartNumber>{number}</PartNumber><ETag>&quot;{quoted}&quot;</ETag>{checksum}</Part>"
    )


def _composite_crc32(part_digests: bytes, count: int) -> str:
    """S3's composite checksum: the CRC32 of the parts' CRC32s, base64, plus ``-<count>``."""
    value = zlib.crc32(part_digests).to_bytes(4, "big")
    return f"{base64.b64encode(value).decode('ascii')}-{count}"


def _parse_complete(response: HttpResponse) -> tuple[HttpResponse, Any]:
    """The answer and its XML root (S3 may report a failure inside a 200 answer)."""
    if not response.content:
        return response, None
    return response, parse_xml(response.content, status=response.status)


def _abort(
    endpoint: S3Endpoint, retry: RetryPolicy, bucket: str, key: str, upload_id: str
) -> StreamFlow[None]:
    try:
        response = yield from endpoint.send(
            retry, "DELETE", bucket, key, query=[("uploadId", upload_id)], operation="s3 AbortMPU"
        )
    except Exception:
        return
    if response.status not in (200, 204, 404):
        import logging

        logging.getLogger("omnicloud.storage").warning(
            "could not abort multipart upload of %s/%s: HTTP %s", bucket, key, response.status
        )
