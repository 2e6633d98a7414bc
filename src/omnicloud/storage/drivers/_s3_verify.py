"""What the bytes of a whole S3 object must hash to, from what the store says about it.

In order of preference:

* a full-object CRC32 (``x-amz-checksum-crc32`` of a single-part object, or of a multipart one
  with ``x-amz-checksum-type: FULL_OBJECT``), asked for with ``x-amz-checksum-mode: ENABLED``;
* the plain MD5 ETag of a single-part object;
* for a multipart object (ETag ``<hex>-<parts>``), the composite CRC32
  (``crc32(crc32(part 1) + ...)-<parts>``, stored when the parts were uploaded with CRC32s, as
  ours are) or else the multipart ETag (``md5(md5(part 1) + ...)-<parts>``). Both need the part
  boundaries. Our uploads store their part size in the object's metadata
  (``x-amz-meta-omnicloud-part-size``). For other objects, ``GET ?partNumber=1`` (headers only)
  gives the first part's size, and parts are assumed to share it (every common uploader does);
  a mismatch under that assumption is only reported once the sizes of the other parts confirm
  it.

ETags of objects encrypted with SSE-KMS or SSE-C are not MD5s and are never compared; with no
usable checksum such downloads are counted and reported as not verified.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from omnicloud.storage._hashing import Expected
from omnicloud.storage.drivers._s3_upload import PART_SIZE_META

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud.http._streaming import StreamFlow

__all__ = ["CHECKSUM_MODE", "expected_digest"]

CHECKSUM_MODE = "x-amz-checksum-mode"
_CRC32 = "x-amz-checksum-crc32"
_MD5 = re.compile(r"[0-9a-fA-F]{32}\Z")
_MULTIPART = re.compile(r"([0-9a-fA-F]{32})-([0-9]{1,5})\Z")
_RANGE = re.compile(r"bytes ([0-9]+)-([0-9]+)/([0-9]+)\Z")

#: ``part_headers(number)``: the headers of a ``GET ?partNumber=number`` answer, or None.
PartHeaders = Callable[[int], "StreamFlow[Any]"]
Confirm = Callable[[], "StreamFlow[bool]"]


def _etag_is_md5(headers: Any) -> bool:
    """False for SSE-KMS and SSE-C objects, whose ETags are not MD5s of their content."""
    encryption = headers.get("x-amz-server-side-encryption", "").lower()
    sse_c = headers.get("x-amz-server-side-encryption-customer-algorithm")
    return not encryption.startswith("aws:kms") and not sse_c


def expected_digest(
    headers: Any, total: int, part_headers: PartHeaders
) -> StreamFlow[tuple[Expected | None, Confirm | None]]:
    """What an object of ``total`` bytes hashes to, given a GetObject answer's ``headers``; and,
    when a part layout had to be assumed, the flow that confirms it after a mismatch."""
    etag = headers.get("etag", "").strip().strip('"')
    crc = headers.get(_CRC32, "").strip()
    kind = headers.get("x-amz-checksum-type", "").strip().upper()
    multipart = _MULTIPART.match(etag)
    if crc and (kind == "FULL_OBJECT" or (multipart is None and "-" not in crc)):
        return Expected("crc32", crc, _CRC32), None
    md5_etag = _etag_is_md5(headers)
    if multipart is None:
        if md5_etag and _MD5.match(etag):
            return Expected("md5", etag.lower(), "ETag"), None
        return None, None
    count = int(multipart.group(2))
    if count < 1:
        return None, None
    if count == 1:
        return _by_parts(max(total, 1), count, crc, etag if md5_etag else ""), None
    stated = _stated_part_size(headers, total, count)
    if stated is not None:  # uploaded by us: the part size is known for certain
        return _by_parts(stated, count, crc, etag if md5_etag else ""), None
    first = yield from part_headers(1)
    part_size = _first_part_size(first, total, count)
    if part_size is None:
        return None, None
    if not crc.endswith(f"-{count}"):
        crc = first.get(_CRC32, "").strip()  # some stores state the composite on part GETs
    expected = _by_parts(part_size, count, crc, etag if md5_etag else "")
    if expected is None or count == 2:  # two parts: the second is what the first leaves
        return expected, None

    def confirm() -> StreamFlow[bool]:
        return _same_sizes(part_headers, part_size, total, count)

    return expected, confirm


def _by_parts(part_size: int, count: int, crc: str, etag: str) -> Expected | None:
    if crc.endswith(f"-{count}"):
        return Expected("crc32", crc, f"composite {_CRC32}", part_size)
    if etag:
        return Expected("md5", etag.lower(), "multipart ETag", part_size)
    return None


def _fits(size: int, total: int, count: int) -> bool:
    """True when ``count`` parts of ``size`` bytes (the last one shorter) make ``total``."""
    return size > 0 and (count - 1) * size < total <= count * size


def _stated_part_size(headers: Any, total: int, count: int) -> int | None:
    """The part size our uploader stored in the object's metadata, if it fits."""
    value = headers.get(PART_SIZE_META, "").strip()
    if not value.isdigit() or not _fits(int(value), total, count):
        return None
    return int(value)


def _span(headers: Any) -> tuple[int, int, int] | None:
    """First byte, last byte and total size from a part answer's ``Content-Range``."""
    if headers is None:
        return None
    found = _RANGE.match(headers.get("content-range", "").strip())
    if found is None:
        return None
    first, last, total = (int(value) for value in found.groups())
    return first, last, total


def _first_part_size(headers: Any, total: int, count: int) -> int | None:
    """The size of part 1, if the answer states it and it fits ``count`` parts of one size."""
    span = _span(headers)
    if span is None or span[0] != 0 or span[2] != total:
        return None
    if headers.get("x-amz-mp-parts-count", "").strip() != str(count):
        return None
    size = span[1] + 1
    return size if _fits(size, total, count) else None


def _same_sizes(part_headers: PartHeaders, size: int, total: int, count: int) -> StreamFlow[bool]:
    """True when parts 2 to ``count - 1`` really are ``size`` bytes each (the last one is then
    what they leave), so the assumed layout was exact."""
    for number in range(2, count):
        span = _span((yield from part_headers(number)))
        if span is None or span[:2] != ((number - 1) * size, number * size - 1):
            return False
    return True
