"""Swift uploads as flows: one PUT for small data, a static large object (SLO) for the rest.

A single PUT carries the MD5 as ``ETag``: Swift refuses (422) a body that does not hash to it, and
an interrupted PUT leaves no object (Swift stores an object only once its whole body arrived).
Larger data goes in segments of ``segment_size`` bytes to the segment container
(``<container>_segments`` by default), ``concurrency`` at a time (in parallel in the async
driver, and in threads in the sync one), each with its own ``ETag`` checked by Swift and
compared with its answer; then the manifest is PUT with ``?multipart-manifest=put``, listing each
segment's path, MD5 and size, which Swift checks again. The object appears only with the
manifest; a failure deletes the segments already stored.

A regular file is never read whole. Each segment is a window of the file read in small pieces
as it is sent and hashed on the way, so no ``ETag`` can be stated in advance; the ETag Swift
answers is compared with that MD5 instead, and a segment that differs fails the upload (its
segments are deleted, no manifest is written). A small file is hashed first (read in small
pieces), then sent streamed with its ``ETag``, so Swift refuses a body that differs and an
object already under that name stays; an answer naming another MD5 deletes the object again.
Other sources (iterators) are read one segment at a time, so memory stays bounded by
``concurrency`` segments for them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from omnicloud._flow import Call, Gather
from omnicloud.errors import ValidationError
from omnicloud.http import HttpRequest, HttpResponse
from omnicloud.http._streaming import Pieces, Read
from omnicloud.openstack._session import OpenStackSession
from omnicloud.storage._source import ChunkSource, FileRegion, FileSpan, PartReader, PiecesReader
from omnicloud.storage.drivers.swift_protocol import container_path, object_path, storage_error
from omnicloud.storage.errors import ObjectHashMismatchError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow
    from omnicloud.http._streaming import StreamFlow

__all__ = ["MAX_SEGMENTS", "SegmentSettings", "SwiftUploadResult", "upload_flow"]

log = logging.getLogger("omnicloud.storage")

#: Swift's default ``max_manifest_segments``.
MAX_SEGMENTS = 1000
SERVICE = "object-store"


@dataclass(slots=True)
class SegmentSettings:
    """Data of less than ``segment_size`` bytes goes in one PUT with its length; more goes in
    segments of that size, ``concurrency`` at a time, into ``segment_container`` (None:
    ``<container>_segments``), or with ``large_objects=False`` streams in one chunked PUT (up to
    Swift's 5 GiB object limit)."""

    segment_size: int = 16 * 1024 * 1024
    concurrency: int = 4
    segment_container: str | None = None
    large_objects: bool = True

    def __post_init__(self) -> None:
        if self.segment_size < 1:
            raise ValidationError("segment_size must be at least 1 byte")
        if self.concurrency < 1:
            raise ValidationError("concurrency must be at least 1")

    def container_for(self, container: str) -> str:
        return self.segment_container or f"{container}_segments"


@dataclass(slots=True)
class SwiftUploadResult:
    """What Swift confirmed: the ETag (unquoted), the size sent, the segments (0: one PUT)."""

    etag: str
    size: int
    segments: int


def _etag(response: HttpResponse) -> str:
    return response.headers.get("etag", "").strip().strip('"')


def _md5(data: Pieces) -> str:
    hasher = hashlib.md5(usedforsecurity=False)
    for piece in data:
        hasher.update(piece)
    return hasher.hexdigest()


Sender = Callable[[HttpRequest], "Flow[HttpResponse]"]


def _put(
    session: OpenStackSession,
    path: str,
    content: bytes | Pieces | FileSpan,
    headers: dict[str, str],
    operation: str,
    query: str = "",
) -> Flow[HttpResponse]:
    sent = dict(headers)
    if isinstance(content, Pieces | FileSpan):
        sent["Content-Length"] = str(content.length)

    def build(base: str) -> HttpRequest:
        return HttpRequest(
            "PUT", base + path + query, headers=sent, content=content, operation=operation
        )

    response: HttpResponse = yield from session.send(SERVICE, build)
    return response


def upload_flow(
    session: OpenStackSession,
    settings: SegmentSettings,
    source: ChunkSource,
    container: str,
    name: str,
    headers: dict[str, str],
) -> StreamFlow[SwiftUploadResult]:
    """Store everything ``source`` gives as ``container/name`` (``headers``: type, metadata)."""
    path = object_path(container, name)  # a name Swift cannot hold fails before anything is read
    region = source.region()
    if region is not None:
        return (yield from _upload_region(session, settings, source, region, container, name,
                                          headers))  # fmt: skip
    first: list[bytes] = yield Read(PiecesReader(source), settings.segment_size)
    if sum(len(piece) for piece in first) < settings.segment_size:
        data = Pieces(first)
        md5 = _md5(data)
        operation = f"swift PUT {name}"
        response = yield from _put(session, path, data, {**headers, "ETag": md5}, operation)
        if response.status not in (200, 201):
            raise storage_error(response, operation, "container", session.redactor)
        etag = _etag(response)
        if etag and etag != md5:
            raise ObjectHashMismatchError(
                f"{operation}: Swift's ETag {etag} differs from the MD5 sent {md5}"
            )
        return SwiftUploadResult(etag=md5, size=data.length, segments=0)
    if not settings.large_objects:
        return (yield from _chunked(session, settings, source, first, path, name, headers))
    return (yield from _parts_upload(session, settings, source, first, container, name, headers))


class _StreamedBody:
    """A chunked request body: the pieces already read, then the rest of the source, hashed
    as they go out. It can be sent once only (a resend would send nothing)."""

    def __init__(self, first: list[bytes], source: ChunkSource, step: int) -> None:
        self._first = first
        self._source = source
        self._step = step
        self._used = False
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.size = 0

    def _start(self) -> None:
        if self._used:
            raise ValidationError("a streamed upload cannot be sent twice")
        self._used = True

    def _count(self, piece: bytes) -> bytes:
        self.md5.update(piece)
        self.size += len(piece)
        return piece

    def __iter__(self) -> Iterator[bytes]:
        self._start()
        for piece in self._first:
            yield self._count(piece)
        while pieces := self._source.pieces(self._step):
            for piece in pieces:
                yield self._count(piece)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self._start()
        for piece in self._first:
            yield self._count(piece)
        while pieces := await self._source.apieces(self._step):
            for piece in pieces:
                yield self._count(piece)


def _chunked(
    session: OpenStackSession,
    settings: SegmentSettings,
    source: ChunkSource,
    first: list[bytes],
    path: str,
    name: str,
    headers: dict[str, str],
) -> StreamFlow[SwiftUploadResult]:
    """One PUT with a chunked body: Swift keeps nothing of a body cut short; the MD5 Swift
    answers must be that of every byte sent, else the object is deleted again."""
    body = _StreamedBody(first, source, min(settings.segment_size, 1024 * 1024))
    operation = f"swift PUT {name} (chunked)"

    def build(base: str) -> HttpRequest:
        return HttpRequest(
            "PUT", base + path, headers=headers,
            content=body, operation=operation, idempotent=False,
        )  # fmt: skip

    response = yield from session.send(SERVICE, build, replayable=False)
    if response.status not in (200, 201):
        raise storage_error(response, operation, "container", session.redactor)
    md5 = body.md5.hexdigest()
    etag = _etag(response)
    if etag != md5:
        yield from _delete_segment(session, "", "", path=path)
        raise ObjectHashMismatchError(
            f"{operation}: Swift's ETag {etag or '(none)'} differs from the MD5 sent {md5}; "
            "the object was deleted"
        )
    return SwiftUploadResult(etag=md5, size=body.size, segments=0)


#: A stored segment: number, object name in the segment container, MD5 hex, size.
_Segment = tuple[int, str, str, int]


def _upload_region(
    session: OpenStackSession,
    settings: SegmentSettings,
    source: ChunkSource,
    region: FileRegion,
    container: str,
    name: str,
    headers: dict[str, str],
) -> StreamFlow[SwiftUploadResult]:
    """Upload a file's region, streamed from the file: one PUT, or an SLO of file windows."""
    if region.size < settings.segment_size or not settings.large_objects:
        path = object_path(container, name)
        md5 = (yield Call(region.md5)).hexdigest()  # read once to hash, again to send
        body = region.span(0, region.size, md5=False)
        operation = f"swift PUT {name}"
        response = yield from _put(session, path, body, {**headers, "ETag": md5}, operation)
        if response.status not in (200, 201):
            raise storage_error(response, operation, "container", session.redactor)
        etag = _etag(response)
        if etag and etag != md5:  # Swift checked the body against the ETag sent
            yield from _delete_segment(session, "", "", path=path)
            raise ObjectHashMismatchError(
                f"{operation}: Swift's ETag {etag or '(none)'} differs from the MD5 sent {md5}; "
                "the object was deleted"
            )
        source.consumed(region.size)
        return SwiftUploadResult(etag=md5, size=region.size, segments=0)
    count = -(-region.size // settings.segment_size)
    if count > MAX_SEGMENTS:
        raise ValidationError(f"upload needs more than {MAX_SEGMENTS} segments; raise segment_size")
    numbers = _Numbers(count)

    def workers(prefix: str, segments: str, stored: list[_Segment], tried: list[str]) -> list[Any]:
        return [
            _span_worker(session, settings, region, numbers, segments, prefix, stored, tried)
            for _ in range(min(settings.concurrency, count))
        ]

    result = yield from _large(session, settings, container, name, headers, workers, numbers.stop)
    source.consumed(region.size)
    return result


class _Numbers:
    """Segment numbers 1 to ``count`` for concurrent workers, until :meth:`stop`."""

    def __init__(self, count: int) -> None:
        self._count = count
        self._next = 0
        self._lock = threading.Lock()

    def take(self) -> int | None:
        with self._lock:
            if self._next >= self._count:
                return None
            self._next += 1
            return self._next

    def stop(self) -> None:
        with self._lock:
            self._next = self._count


def _span_worker(
    session: OpenStackSession,
    settings: SegmentSettings,
    region: FileRegion,
    numbers: _Numbers,
    container: str,
    prefix: str,
    stored: list[_Segment],
    tried: list[str],
) -> Flow[None]:
    """PUT file windows as segments, each hashed while sent and checked against Swift's ETag."""
    try:
        while (number := numbers.take()) is not None:
            offset = (number - 1) * settings.segment_size
            body = region.span(offset, min(settings.segment_size, region.size - offset))
            seg_name = f"{prefix}{number:08d}"
            operation = f"swift PUT segment {number}"
            tried.append(seg_name)
            response = yield from _put(
                session, object_path(container, seg_name), body, {}, operation
            )
            if response.status not in (200, 201):
                raise storage_error(response, operation, "container", session.redactor)
            md5, etag = body.md5_hex(), _etag(response)
            if etag != md5:
                raise ObjectHashMismatchError(
                    f"{operation}: Swift's ETag {etag or '(none)'} differs from the MD5 sent {md5}"
                )
            stored.append((number, seg_name, md5, body.length))
    except Exception:
        numbers.stop()
        raise


def _parts_upload(
    session: OpenStackSession,
    settings: SegmentSettings,
    source: ChunkSource,
    first: list[bytes],
    container: str,
    name: str,
    headers: dict[str, str],
) -> StreamFlow[SwiftUploadResult]:
    """An SLO of segments read from ``source`` one at a time per worker."""
    parts = PartReader(source, first)

    def workers(prefix: str, segments: str, stored: list[_Segment], tried: list[str]) -> list[Any]:
        return [
            _segment_worker(session, settings, parts, segments, prefix, stored, tried)
            for _ in range(settings.concurrency)
        ]

    return (yield from _large(session, settings, container, name, headers, workers, parts.stop))


_Workers = Callable[[str, str, list["_Segment"], list[str]], list[Any]]


def _large(
    session: OpenStackSession,
    settings: SegmentSettings,
    container: str,
    name: str,
    headers: dict[str, str],
    make_workers: _Workers,
    stop: Callable[[], None],
) -> StreamFlow[SwiftUploadResult]:
    """Store segments (sent by ``make_workers(prefix, segment container, stored, tried)``),
    then the manifest; on failure ``stop`` the workers and delete every segment sent."""
    segments = settings.container_for(container)
    yield from _ensure_container(session, segments)
    prefix = f"{name}/slo/{time.time():.6f}/{settings.segment_size}/"
    stored: list[_Segment] = []  # appended as each segment lands
    tried: list[str] = []  # every segment name sent, landed or not (for the clean-up)
    try:
        workers = make_workers(prefix, segments, stored, tried)
        yield Gather(cast("list[Flow[Any]]", workers), settings.concurrency)
        done = sorted(stored)
        manifest = [
            {"path": f"/{segments}/{seg_name}", "etag": md5, "size_bytes": size}
            for _, seg_name, md5, size in done
        ]
        body = json.dumps(manifest).encode()
        operation = f"swift PUT {name} (SLO manifest)"
        response = yield from _put(
            session, object_path(container, name), body, headers, operation,
            query="?multipart-manifest=put",
        )  # fmt: skip
        if response.status not in (200, 201):
            raise storage_error(response, operation, "container", session.redactor)
        joined = "".join(md5 for _, _, md5, _ in done)
        expected = hashlib.md5(joined.encode("ascii"), usedforsecurity=False).hexdigest()
        etag = _etag(response)
        if etag and etag != expected:
            raise ObjectHashMismatchError(
                f"{operation}: Swift's ETag {etag} differs from the expected {expected}"
            )
        size = sum(segment[3] for segment in done)
        return SwiftUploadResult(etag=expected, size=size, segments=len(done))
    except Exception:
        stop()
        yield from _discard(session, segments, prefix, list(tried))
        raise


def _ensure_container(session: OpenStackSession, container: str) -> Flow[None]:
    operation = f"swift PUT container {container}"
    response = yield from _put(session, container_path(container), b"", {}, operation)
    if response.status not in (201, 202, 204):
        raise storage_error(response, operation, "container", session.redactor)


def _segment_worker(
    session: OpenStackSession,
    settings: SegmentSettings,
    parts: PartReader,
    container: str,
    prefix: str,
    stored: list[_Segment],
    tried: list[str],
) -> StreamFlow[None]:
    try:
        while True:
            number, pieces = yield Read(parts, settings.segment_size)
            if not pieces:
                return
            if number > MAX_SEGMENTS:
                raise ValidationError(
                    f"upload needs more than {MAX_SEGMENTS} segments; raise segment_size"
                )
            data = Pieces(pieces)
            md5 = _md5(data)
            seg_name = f"{prefix}{number:08d}"
            operation = f"swift PUT segment {number}"
            tried.append(seg_name)
            response = yield from _put(
                session, object_path(container, seg_name), data, {"ETag": md5}, operation
            )
            if response.status not in (200, 201):
                raise storage_error(response, operation, "container", session.redactor)
            etag = _etag(response)
            if etag and etag != md5:
                raise ObjectHashMismatchError(
                    f"{operation}: Swift's ETag {etag} differs from the MD5 sent {md5}"
                )
            stored.append((number, seg_name, md5, data.length))
    except Exception:
        parts.stop()
        raise


def _discard(
    session: OpenStackSession, container: str, prefix: str, tried: list[str]
) -> Flow[None]:
    """Delete the segments of a failed upload: those sent, then any other under ``prefix`` (a
    cancelled request may still have landed). Best effort: a failure is logged."""
    for seg_name in tried:
        yield from _delete_segment(session, container, seg_name)
    try:
        left = yield from _listed(session, container, prefix)
    except Exception as exc:
        log.warning("could not list the segments of %s/%s: %s", container, prefix, exc)
        return
    for seg_name in left:
        yield from _delete_segment(session, container, seg_name)


def _listed(session: OpenStackSession, container: str, prefix: str) -> Flow[list[str]]:
    from urllib.parse import quote

    query = f"?format=json&prefix={quote(prefix, safe='')}"

    def build(base: str) -> HttpRequest:
        return HttpRequest(
            "GET", base + container_path(container) + query, operation="swift GET segments"
        )

    response = yield from session.send(SERVICE, build)
    if response.status == 204:
        return []
    if response.status != 200:
        raise storage_error(response, "swift GET segments", "container", session.redactor)
    return [str(doc.get("name")) for doc in response.json() if isinstance(doc, dict)]


def _delete_segment(
    session: OpenStackSession, container: str, seg_name: str, *, path: str = ""
) -> Flow[None]:
    path = path or object_path(container, seg_name)

    def build(base: str) -> HttpRequest:
        return HttpRequest("DELETE", base + path, operation="swift DELETE segment")

    try:
        response = yield from session.send(SERVICE, build)
    except Exception as exc:
        log.warning("could not delete segment %s/%s: %s", container, seg_name, exc)
        return
    if response.status not in (200, 204, 404):
        log.warning("could not delete segment %s/%s: HTTP %s", container, seg_name, response.status)
