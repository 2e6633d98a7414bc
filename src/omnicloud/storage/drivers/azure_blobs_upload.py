"""Block blob uploads as flows: one Put Blob for small data, staged blocks for the rest.

Data shorter than ``block_size`` goes in one ``Put Blob`` with its ``Content-MD5``, which the
service checks. Larger data is cut into blocks of ``block_size`` bytes, staged with ``Put Block``
``concurrency`` at a time (in parallel: tasks in the async driver, threads in the sync one), each
with its own ``Content-MD5``; the blob appears only when ``Put Block List`` commits them in
order, with the MD5 of the whole content as ``x-ms-blob-content-md5`` (so downloads of it are
checked too). A failure before that, including the caller's source raising, commits nothing:
staged blocks stay uncommitted, invisible, and the service discards them (within a week, or
when the blob is next written).

A regular file is never read whole: a small one, or each block of a large one, is a window of
the file hashed first (read in small pieces), then streamed from the file with its
``Content-MD5``, which the service checks (Azurite, unlike the service, answers no Content-MD5
for a block sent without one, so the MD5 is stated rather than compared afterwards). The whole
content's MD5 for the commit is computed by one more sequential pass over the file, beside the
parallel blocks (they do not go out in the content's order). Other sources (iterators) are read
one block at a time, so memory stays bounded by ``concurrency`` blocks for them.

Block ids are the same length for every block of every upload (the service requires that for a
blob) and carry a random token per upload, so two uploads of one name never mix their blocks.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any, cast

from omnicloud._flow import Call, Gather
from omnicloud.azure._blob import BlobService, content_md5, error_from_response, md5_hex
from omnicloud.errors import ValidationError
from omnicloud.http._config import RetryPolicy
from omnicloud.http._streaming import Pieces, Read
from omnicloud.storage._source import ChunkSource, FileRegion, FileSpan, PartReader, PiecesReader
from omnicloud.storage.errors import ObjectHashMismatchError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow
    from omnicloud.http._streaming import StreamFlow

__all__ = ["MAX_BLOCKS", "BlockSettings", "BlockUploadResult", "block_id", "upload_flow"]

#: The service's limit on the committed blocks of a blob.
MAX_BLOCKS = 50_000
#: The service's limit on one block (version 2019-12-12 and later).
MAX_BLOCK_SIZE = 4000 * 1024 * 1024


@dataclass(slots=True)
class BlockSettings:
    """Data of less than ``block_size`` bytes goes in one Put Blob; more goes in blocks of that
    size, ``concurrency`` staged at a time."""

    block_size: int = 8 * 1024 * 1024
    concurrency: int = 4

    def __post_init__(self) -> None:
        if not 1 <= self.block_size <= MAX_BLOCK_SIZE:
            raise ValidationError(f"block_size must be 1 to {MAX_BLOCK_SIZE} bytes")
        if self.concurrency < 1:
            raise ValidationError("concurrency must be at least 1")


@dataclass(slots=True)
class BlockUploadResult:
    """What was stored: the content's MD5 (hex), its size, the ETag, the blocks (0: Put Blob)."""

    md5: str
    size: int
    etag: str
    blocks: int


def block_id(token: str, number: int) -> str:
    """The base64 id of block ``number`` of the upload ``token`` (always 44 characters)."""
    raw = f"{token[:16]:<16}-{number:015d}".encode("ascii")
    return base64.b64encode(raw).decode("ascii")


class _HashingParts(PartReader):
    """A :class:`PartReader` that also digests the whole content, in order (parts are handed out
    under its lock, one after another)."""

    def __init__(self, source: ChunkSource, first: list[bytes]) -> None:
        super().__init__(source, first)
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.size = 0

    def _next(self, data: list[bytes]) -> tuple[int, list[bytes]]:
        number, pieces = super()._next(data)
        for piece in pieces:
            self.md5.update(piece)
            self.size += len(piece)
        return number, pieces


def upload_flow(
    service: BlobService,
    retry: RetryPolicy,
    settings: BlockSettings,
    source: ChunkSource,
    container: str,
    blob: str,
    headers: dict[str, str],
) -> StreamFlow[BlockUploadResult]:
    """Store everything ``source`` gives as ``container/blob``. ``headers`` are the Put Blob
    ones (``Content-Type``, ``x-ms-meta-*``, ``x-ms-lease-id``...)."""
    region = source.region()
    if region is not None:
        if region.size < settings.block_size:
            hasher = yield Call(region.md5)
            body = region.span(0, region.size, md5=False)
            result = yield from _put_blob(
                service, retry, body, container, blob, headers, hasher.digest()
            )
        else:
            result = yield from _put_file_blocks(
                service, retry, settings, region, container, blob, headers
            )
        source.consumed(region.size)
        return result
    first: list[bytes] = yield Read(PiecesReader(source), settings.block_size)
    if sum(len(piece) for piece in first) < settings.block_size:
        return (yield from _put_blob(service, retry, Pieces(first), container, blob, headers))
    return (
        yield from _put_blocks(service, retry, settings, source, first, container, blob, headers)
    )


def _etag(headers: Any) -> str:
    return str(headers.get("etag", "")).strip().strip('"')


def _put_blob(
    service: BlobService,
    retry: RetryPolicy,
    data: Pieces | FileSpan,
    container: str,
    blob: str,
    headers: dict[str, str],
    digest: bytes | None = None,
) -> StreamFlow[BlockUploadResult]:
    if digest is None:
        hex_md5, b64_md5 = content_md5(cast("Pieces", data))
    else:
        hex_md5, b64_md5 = digest.hex(), base64.b64encode(digest).decode("ascii")
    sent = {**headers, "x-ms-blob-type": "BlockBlob", "Content-MD5": b64_md5}
    response = yield from service.send(
        retry, "PUT", container, blob, headers=sent, content=data, operation="azure Put Blob"
    )
    if response.status != 201:
        raise error_from_response(response, "azure Put Blob", missing="container")
    stored = md5_hex(response.headers.get("content-md5"))
    if stored is not None and stored != hex_md5:
        raise ObjectHashMismatchError(
            f"azure Put Blob {blob}: the service stored MD5 {stored}, not the {hex_md5} sent"
        )
    return BlockUploadResult(hex_md5, data.length, _etag(response.headers), 0)


def _put_blocks(
    service: BlobService,
    retry: RetryPolicy,
    settings: BlockSettings,
    source: ChunkSource,
    first: list[bytes],
    container: str,
    blob: str,
    headers: dict[str, str],
) -> StreamFlow[BlockUploadResult]:
    token = uuid.uuid4().hex[:16]
    parts = _HashingParts(source, first)
    workers = [
        _block_worker(service, retry, settings, parts, container, blob, token)
        for _ in range(settings.concurrency)
    ]
    try:
        results: list[list[tuple[int, str]]] = yield Gather(
            cast("list[Flow[Any]]", workers), settings.concurrency
        )
    except BaseException:
        parts.stop()
        raise  # nothing was committed: the staged blocks stay uncommitted
    staged = sorted(item for batch in results for item in batch)
    return (yield from _commit(service, retry, staged, parts.md5.digest(), parts.size, container,
                               blob, headers))  # fmt: skip


def _put_file_blocks(
    service: BlobService,
    retry: RetryPolicy,
    settings: BlockSettings,
    region: FileRegion,
    container: str,
    blob: str,
    headers: dict[str, str],
) -> StreamFlow[BlockUploadResult]:
    """Stage a file's blocks streamed from the file, ``concurrency`` at a time, while one more
    flow hashes the whole file in order; then commit them."""
    count = -(-region.size // settings.block_size)
    if count > MAX_BLOCKS:
        raise ValidationError(f"upload needs more than {MAX_BLOCKS} blocks; raise block_size")
    token = uuid.uuid4().hex[:16]
    numbers = _Numbers(count)
    workers: list[Any] = [
        _span_worker(service, retry, settings, region, numbers, container, blob, token)
        for _ in range(min(settings.concurrency, count))
    ]
    workers.append(_whole_md5(region, numbers))
    try:
        results: list[Any] = yield Gather(workers, len(workers))
    except BaseException:
        numbers.stop()
        raise  # nothing was committed: the staged blocks stay uncommitted
    whole = results.pop()
    staged = sorted(item for batch in results for item in batch)
    return (yield from _commit(service, retry, staged, whole, region.size, container, blob,
                               headers))  # fmt: skip


class _Numbers:
    """Block numbers 1 to ``count`` for concurrent workers, until :meth:`stop`."""

    def __init__(self, count: int) -> None:
        import threading

        self._count = count
        self._next = 0
        self._lock = threading.Lock()
        self.stopped = False

    def take(self) -> int | None:
        with self._lock:
            if self.stopped or self._next >= self._count:
                return None
            self._next += 1
            return self._next

    def stop(self) -> None:
        self.stopped = True

    def is_stopped(self) -> bool:
        return self.stopped


def _whole_md5(region: FileRegion, numbers: _Numbers) -> Flow[bytes]:
    hasher = yield Call(region.md5, (numbers.is_stopped,))
    return cast("bytes", hasher.digest())


def _span_worker(
    service: BlobService,
    retry: RetryPolicy,
    settings: BlockSettings,
    region: FileRegion,
    numbers: _Numbers,
    container: str,
    blob: str,
    token: str,
) -> StreamFlow[list[tuple[int, str]]]:
    done: list[tuple[int, str]] = []
    try:
        while (number := numbers.take()) is not None:
            offset = (number - 1) * settings.block_size
            length = min(settings.block_size, region.size - offset)
            hasher = yield Call(region.md5, (numbers.is_stopped, offset, length))
            body = region.span(offset, length, md5=False)
            ident = block_id(token, number)
            yield from _put_block(
                service, retry, body, container, blob, ident, number, hasher.digest()
            )
            done.append((number, ident))
        return done
    except BaseException:
        numbers.stop()
        raise


def _commit(
    service: BlobService,
    retry: RetryPolicy,
    staged: list[tuple[int, str]],
    whole: bytes,
    size: int,
    container: str,
    blob: str,
    headers: dict[str, str],
) -> StreamFlow[BlockUploadResult]:
    """Put Block List of ``staged`` (numbered 1...), stating the content's MD5 ``whole``."""
    if [number for number, _ in staged] != list(range(1, len(staged) + 1)):
        raise ObjectHashMismatchError(f"azure Put Block {blob}: blocks are missing")
    body = "".join(f"<Latest>{ident}</Latest>" for _, ident in staged)
    document = f'<?xml version="1.0" encoding="utf-8"?><BlockList>{body}</BlockList>'.encode()
    sent = _commit_headers(headers)
    sent["x-ms-blob-content-md5"] = base64.b64encode(whole).decode("ascii")
    sent["Content-MD5"] = content_md5(document)[1]
    sent["Content-Type"] = "application/xml"
    response = yield from service.send(
        retry, "PUT", container, blob, query=[("comp", "blocklist")], headers=sent,
        content=document, operation="azure Put Block List",
    )  # fmt: skip
    if response.status != 201:
        raise error_from_response(response, "azure Put Block List", missing="container")
    return BlockUploadResult(whole.hex(), size, _etag(response.headers), len(staged))


def _commit_headers(headers: dict[str, str]) -> dict[str, str]:
    """Put Blob's headers as Put Block List takes them (blob properties as ``x-ms-blob-*``)."""
    renamed = {
        "content-type": "x-ms-blob-content-type",
        "content-encoding": "x-ms-blob-content-encoding",
        "content-language": "x-ms-blob-content-language",
        "content-disposition": "x-ms-blob-content-disposition",
        "cache-control": "x-ms-blob-cache-control",
    }
    return {renamed.get(name.lower(), name): value for name, value in headers.items()}


def _block_worker(
    service: BlobService,
    retry: RetryPolicy,
    settings: BlockSettings,
    parts: PartReader,
    container: str,
    blob: str,
    token: str,
) -> StreamFlow[list[tuple[int, str]]]:
    done: list[tuple[int, str]] = []
    try:
        while True:
            number, pieces = yield Read(parts, settings.block_size)
            if not pieces:
                return done
            if number > MAX_BLOCKS:
                raise ValidationError(
                    f"upload needs more than {MAX_BLOCKS} blocks; raise block_size"
                )
            ident = block_id(token, number)
            yield from _put_block(service, retry, Pieces(pieces), container, blob, ident, number)
            done.append((number, ident))
    except BaseException:
        parts.stop()
        raise


def _put_block(
    service: BlobService,
    retry: RetryPolicy,
    data: Pieces | FileSpan,
    container: str,
    blob: str,
    ident: str,
    number: int,
    digest: bytes | None = None,
) -> StreamFlow[None]:
    """Stage one block with its ``Content-MD5`` (``digest``, or that of the pieces in memory),
    which the service checks; an answer naming another MD5 fails it too."""
    if digest is None:
        hex_md5, b64_md5 = content_md5(cast("Pieces", data))
    else:
        hex_md5, b64_md5 = digest.hex(), base64.b64encode(digest).decode("ascii")
    response = yield from service.send(
        retry, "PUT", container, blob, query=[("comp", "block"), ("blockid", ident)],
        headers={"Content-MD5": b64_md5}, content=data, operation=f"azure Put Block {number}",
    )  # fmt: skip
    if response.status != 201:
        raise error_from_response(response, f"azure Put Block {number}", missing="container")
    echoed = md5_hex(response.headers.get("content-md5"))
    if echoed is not None and echoed != hex_md5:
        raise ObjectHashMismatchError(
            f"azure Put Block {number}: the service received MD5 {echoed}, not the {hex_md5} sent"
        )
