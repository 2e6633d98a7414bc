"""Cloud Storage uploads as flows: one multipart request for small data, a resumable session
for the rest.

Small data (less than ``threshold`` bytes) goes in one ``uploadType=multipart`` request whose
metadata part states the MD5 (and the CRC32C when a fast implementation is installed): Cloud
Storage refuses a body that does not match (HTTP 400), and the answer's hashes are compared too.

Larger data opens a resumable session (``uploadType=resumable``) and goes in chunks, one at a
time. A regular file is never held: each chunk of ``file_chunk_size`` bytes is a window of the
file read in small pieces while it is sent (and read again from the file for a resend), hashed in
order on the way (the last chunk's bytes are hashed just before it goes, as its request states
the hashes). Other sources (iterators) go in chunks of ``chunk_size`` bytes (a multiple of
256 KiB): one chunk and one byte are held in memory, whatever the object's size. The last
chunk states the total size and carries ``X-Goog-Hash`` with the hashes of everything sent. A
chunk whose connection was lost, or that met a 5xx or 429, is not guessed at: the session is
asked what it committed (an empty ``PUT`` with ``Content-Range: bytes */TOTAL``, or ``*/*``
while the size is unknown) and the upload goes on from that offset within the chunk still held
(or read again from the file). Nothing is visible until the last chunk is
committed; when an upload is abandoned (the source raised, the retry budget is spent) the session
is cancelled with ``DELETE`` and no object is left. If the stored object's hashes still differ
from those of the bytes sent, that generation is deleted again and
:class:`ObjectHashMismatchError` is raised.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from omnicloud._flow import Call, Send, Sleep
from omnicloud.errors import MalformedResponseError, TransportError, ValidationError
from omnicloud.gcp import _crc32c
from omnicloud.gcp._storage import GcsClient, bucket_name, error_from_response, object_name
from omnicloud.http._models import HttpRequest, HttpResponse
from omnicloud.http._retry import GATEWAY_STATUSES, log_retry, next_delay
from omnicloud.http._streaming import Pieces, Read
from omnicloud.storage._source import SPAN_PIECE, ChunkSource, FileRegion, FileSpan, PiecesReader
from omnicloud.storage.errors import IntegrityError, ObjectHashMismatchError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow
    from omnicloud.http._streaming import StreamFlow

__all__ = ["CHUNK_GRANULARITY", "UploadSettings", "upload_flow"]

log = logging.getLogger("omnicloud.storage")

#: Chunks of a resumable upload are multiples of this (all but the last).
CHUNK_GRANULARITY = 256 * 1024
#: Status queries and resends after lost connections, per chunk, before giving up.
MAX_RESUMES = 8
#: Chunks of a file streamed to a resumable session: they cost no memory, and fewer requests are
#: faster (fake-gcs-server rewrites the whole upload so far on every chunk: 256 MiB took 1.9 s in
#: one chunk, 2.6 s in 100 MiB chunks, 3.2 s with an 8 MiB last chunk split off).
FILE_CHUNK_SIZE = 256 * 1024 * 1024


@dataclass(slots=True)
class UploadSettings:
    """Data of less than ``threshold`` bytes goes in one multipart request; more goes to a
    resumable session in chunks of ``chunk_size`` (a multiple of 256 KiB)."""

    chunk_size: int = 8 * 1024 * 1024
    threshold: int = 8 * 1024 * 1024
    crc32c: bool = _crc32c.FAST
    file_chunk_size: int = FILE_CHUNK_SIZE

    def __post_init__(self) -> None:
        for field in ("chunk_size", "file_chunk_size"):
            value = getattr(self, field)
            if value < CHUNK_GRANULARITY or value % CHUNK_GRANULARITY:
                raise ValidationError(
                    f"{field} must be a positive multiple of {CHUNK_GRANULARITY} bytes (256 KiB)"
                )
        if self.threshold < 1:
            raise ValidationError("threshold must be at least 1 byte")


class _Hashes:
    """MD5 (and CRC32C when wanted) of the bytes given in order."""

    def __init__(self, crc: bool) -> None:
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.crc = _crc32c.Crc32c() if crc else None
        self.size = 0

    def update(self, pieces: list[bytes]) -> None:
        for piece in pieces:
            self.md5.update(piece)
            if self.crc is not None:
                self.crc.update(piece)
            self.size += len(piece)

    def feed(self, position: int, piece: bytes) -> None:
        """Take in the bytes of ``piece`` (at ``position`` of the content) not yet hashed: a
        resend passes over bytes hashed already, which count once."""
        if position > self.size:
            raise IntegrityError(f"bytes {self.size}-{position - 1} were never read to be hashed")
        fresh = position + len(piece) - self.size
        if fresh > 0:
            self.update([piece[len(piece) - fresh :] if fresh < len(piece) else piece])

    def through(self, region: FileRegion, end: int) -> None:
        """Hash the region's bytes up to ``end`` (blocking: run it as a ``Call``)."""
        while self.size < end:
            at = self.size
            piece = os.pread(region.fd, min(SPAN_PIECE, end - at), region.start + at)
            if not piece:
                raise IntegrityError(f"the file ended at byte {at}, before byte {end}")
            self.feed(at, piece)

    def md5_b64(self) -> str:
        return base64.b64encode(self.md5.digest()).decode("ascii")

    def header(self) -> str:
        parts = [f"md5={self.md5_b64()}"]
        if self.crc is not None:
            parts.insert(0, f"crc32c={self.crc.base64()}")
        return ",".join(parts)

    def check(self, doc: dict[str, Any], operation: str) -> None:
        """Raise unless the stored object's hashes are those of the bytes sent."""
        stored_md5 = doc.get("md5Hash")
        if stored_md5 and stored_md5 != self.md5_b64():
            raise ObjectHashMismatchError(
                f"{operation}: the stored MD5 {stored_md5} differs from the MD5 sent "
                f"{self.md5_b64()}"
            )
        stored_crc = doc.get("crc32c")
        if self.crc is not None and stored_crc and stored_crc != self.crc.base64():
            raise ObjectHashMismatchError(
                f"{operation}: the stored CRC32C {stored_crc} differs from the CRC32C sent "
                f"{self.crc.base64()}"
            )
        if "size" in doc and int(doc["size"]) != self.size:
            raise IntegrityError(
                f"{operation}: {doc['size']} bytes were stored, {self.size} were sent"
            )


def _metadata(
    name: str, content_type: str, meta: dict[str, str], extra: dict[str, Any]
) -> dict[str, Any]:
    doc: dict[str, Any] = {"name": name, "contentType": content_type}
    if meta:
        doc["metadata"] = dict(meta)
    for key in ("cacheControl", "contentDisposition", "contentEncoding", "contentLanguage",
                "storageClass"):  # fmt: skip
        if extra.get(key):
            doc[key] = str(extra[key])
    return doc


def upload_flow(
    client: GcsClient,
    settings: UploadSettings,
    source: ChunkSource,
    bucket: str,
    name: str,
    content_type: str,
    meta: dict[str, str],
    extra: dict[str, Any],
) -> StreamFlow[dict[str, Any]]:
    """Store everything ``source`` gives as ``bucket/name``; the stored object's document."""
    bucket_name(bucket)
    object_name(name)  # a name Cloud Storage cannot hold fails before anything is read
    metadata = _metadata(name, content_type, meta, extra)
    region = source.region()
    if region is not None and region.size >= settings.threshold:
        doc = yield from _resumable_file(client, settings, region, bucket, metadata)
        source.consumed(region.size)
        return doc
    first: list[bytes] = yield Read(PiecesReader(source), settings.threshold)
    if sum(len(piece) for piece in first) < settings.threshold:
        return (yield from _multipart(client, settings, first, bucket, metadata))
    return (yield from _resumable(client, settings, source, first, bucket, metadata))


def _multipart(
    client: GcsClient,
    settings: UploadSettings,
    pieces: list[bytes],
    bucket: str,
    metadata: dict[str, Any],
) -> StreamFlow[dict[str, Any]]:
    import json

    hashes = _Hashes(settings.crc32c)
    hashes.update(pieces)
    stated = {**metadata, "md5Hash": hashes.md5_b64()}
    if hashes.crc is not None:
        stated["crc32c"] = hashes.crc.base64()
    boundary = "omnicloud-" + uuid.uuid4().hex + uuid.uuid4().hex
    head = (
        f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n"
        f"{json.dumps(stated)}\r\n--{boundary}\r\nContent-Type: {metadata['contentType']}\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = Pieces([head, *pieces, tail])
    operation = f"gcs upload {metadata['name']} (multipart)"
    response: HttpResponse = yield from client.send(
        "POST", f"/upload/storage/v1/b/{bucket_name(bucket)}/o",
        query=[("uploadType", "multipart")],
        headers={"Content-Type": f'multipart/related; boundary="{boundary}"'},
        content=body, operation=operation, idempotent=True,
    )  # fmt: skip
    if response.status not in (200, 201):
        raise error_from_response(response, operation, "container", client.redactor)
    doc = _doc(response, operation)
    yield from _verify(client, hashes, doc, bucket, operation)
    return doc


def _doc(response: HttpResponse, operation: str) -> dict[str, Any]:
    doc = response.json()
    if not isinstance(doc, dict):
        raise MalformedResponseError(f"{operation}: the answer is not an object document")
    return doc


def _verify(
    client: GcsClient, hashes: _Hashes, doc: dict[str, Any], bucket: str, operation: str
) -> Flow[None]:
    try:
        hashes.check(doc, operation)
    except IntegrityError:
        yield from _delete_generation(
            client, bucket, str(doc.get("name", "")), doc.get("generation")
        )
        raise


def _delete_generation(client: GcsClient, bucket: str, name: str, generation: Any) -> Flow[None]:
    """Delete the generation just stored (best effort: a failure is logged)."""
    query = [("ifGenerationMatch", str(generation))] if generation else []
    path = f"/storage/v1/b/{bucket_name(bucket)}/o/{object_name(name)}"
    try:
        response = yield from client.send("DELETE", path, query=query, operation="gcs DELETE")
    except Exception as exc:
        log.warning("could not delete the damaged upload %s/%s: %s", bucket, name, exc)
        return
    if response.status not in (200, 204, 404, 412):
        log.warning("could not delete the damaged upload %s/%s: HTTP %s", bucket, name,
                    response.status)  # fmt: skip


# resumable -------------------------------------------------------------------------------------
class _Session:
    """One resumable upload session: its URI and what it committed."""

    def __init__(self, client: GcsClient, uri: str, operation: str) -> None:
        self.client = client
        self.uri = uri
        self.operation = operation
        self.committed = 0
        self.done: HttpResponse | None = None
        upload_id = dict(parse_qsl(urlsplit(uri).query)).get("upload_id")
        client.redactor.add(upload_id)  # the session URI is its own credential

    def _send(self, data: Pieces | FileSpan, headers: dict[str, str]) -> Flow[HttpResponse]:
        request = HttpRequest(
            "PUT", self.uri, headers=headers, content=data, operation=self.operation,
            idempotent=False,
        )  # fmt: skip
        response: HttpResponse = yield Send(request)
        return response

    def status(self, total: int | None, hashes: _Hashes | None = None) -> Flow[HttpResponse]:
        """Ask the session what it committed (an empty PUT)."""
        headers = {
            "Content-Length": "0",
            "Content-Range": f"bytes */{'*' if total is None else total}",
        }
        if hashes is not None:
            headers["X-Goog-Hash"] = hashes.header()
        return (yield from self._send(Pieces([]), headers))

    def learn(self, response: HttpResponse) -> bool:
        """Take in an answer: True when it is 308 (more wanted, ``committed`` updated) or
        final (``done`` set); False for an answer to retry after."""
        if response.status == 308:
            self.committed = _committed(response)
            return True
        if response.status in (200, 201):
            self.done = response
            return True
        return False

    def cancel(self) -> Flow[None]:
        """Cancel the session (Cloud Storage answers 499); best effort."""
        request = HttpRequest("DELETE", self.uri, operation=f"{self.operation} (cancel)")
        try:
            response = yield Send(request)
        except Exception as exc:
            log.warning("%s: could not cancel the upload session: %s", self.operation, exc)
            return
        if response.status not in (200, 204, 404, 410, 499):
            log.warning("%s: cancelling the upload session gave HTTP %s", self.operation,
                        response.status)  # fmt: skip


def _committed(response: HttpResponse) -> int:
    """Bytes committed, from a 308's ``Range: bytes=0-N`` (none: nothing yet)."""
    value = response.headers.get("range", "").strip()
    if not value:
        return 0
    _, _, span = value.partition("=")
    first, _, last = span.partition("-")
    if first.strip() != "0" or not last.strip().isdigit():
        raise MalformedResponseError(f"an upload session answered Range: {value!r}")
    return int(last) + 1


def _take(pending: list[bytes], size: int) -> tuple[list[bytes], list[bytes]]:
    """The first ``size`` bytes of ``pending`` and the rest, copying at most one piece."""
    out: list[bytes] = []
    got = 0
    for index, piece in enumerate(pending):
        if got + len(piece) <= size:
            out.append(piece)
            got += len(piece)
            continue
        cut = size - got
        if cut:
            out.append(piece[:cut])
        return out, [piece[cut:], *pending[index + 1 :]]
    return out, []


def _skip(pieces: list[bytes], count: int) -> list[bytes]:
    """``pieces`` without their first ``count`` bytes."""
    return _take(pieces, count)[1] if count else pieces


def _start(client: GcsClient, bucket: str, metadata: dict[str, Any]) -> Flow[_Session]:
    operation = f"gcs upload {metadata['name']} (resumable)"
    response: HttpResponse = yield from client.send(
        "POST", f"/upload/storage/v1/b/{bucket_name(bucket)}/o",
        query=[("uploadType", "resumable")],
        headers={"X-Upload-Content-Type": metadata["contentType"]},
        json_body=metadata, operation=operation + " start", idempotent=True,
    )  # fmt: skip
    if response.status not in (200, 201):
        raise error_from_response(response, operation, "container", client.redactor)
    uri = response.headers.get("location", "")
    if not uri:
        raise MalformedResponseError(f"{operation}: the session was opened without a Location")
    if urlsplit(uri).scheme not in ("http", "https"):
        raise MalformedResponseError(f"{operation}: the session URI is not an HTTP URL")
    return _Session(client, uri, operation)


def _resumable(
    client: GcsClient,
    settings: UploadSettings,
    source: ChunkSource,
    first: list[bytes],
    bucket: str,
    metadata: dict[str, Any],
) -> StreamFlow[dict[str, Any]]:
    session = yield from _start(client, bucket, metadata)
    hashes = _Hashes(settings.crc32c)
    try:
        pending = first
        held = sum(len(piece) for piece in pending)
        offset = 0  # where the next chunk starts
        while True:
            # a chunk and one byte more: the byte tells whether this chunk is the last one
            if held <= settings.chunk_size:
                more = yield Read(PiecesReader(source), settings.chunk_size + 1 - held)
                pending = [*pending, *more]
                held += sum(len(piece) for piece in more)
            last = held <= settings.chunk_size
            chunk, pending = _take(pending, settings.chunk_size)
            size = sum(len(piece) for piece in chunk)
            held -= size
            hashes.update(chunk)
            total = offset + size if last else None

            def body(start: int, chunk: list[bytes] = chunk, at: int = offset) -> Pieces:
                return Pieces(_skip(chunk, start - at))

            yield from _send_chunk(
                session, client, body, offset, offset + size, total, hashes if last else None
            )
            offset += size
            if last:
                break
        done = session.done
        if done is None:
            raise MalformedResponseError(f"{session.operation}: the session never completed")
        doc = _doc(done, session.operation)
    except Exception:
        if session.done is None:
            yield from session.cancel()
        raise
    yield from _verify(client, hashes, doc, bucket, session.operation)
    return doc


def _resumable_file(
    client: GcsClient,
    settings: UploadSettings,
    region: FileRegion,
    bucket: str,
    metadata: dict[str, Any],
) -> StreamFlow[dict[str, Any]]:
    """A resumable upload of a file region, each chunk streamed from the file."""
    session = yield from _start(client, bucket, metadata)
    hashes = _Hashes(settings.crc32c)
    step = settings.file_chunk_size

    def body_to(end: int) -> Callable[[int], FileSpan]:
        def body(start: int) -> FileSpan:
            return region.span(start, end - start, md5=False, observe=hashes.feed)

        return body

    try:
        offset = 0
        while True:
            end = min(offset + step, region.size)
            last = end == region.size
            if last:  # its request states the hashes of everything
                yield Call(hashes.through, (region, region.size))
            yield from _send_chunk(
                session, client, body_to(end), offset, end,
                region.size if last else None, hashes if last else None,
            )  # fmt: skip
            offset = end
            if last:
                break
        done = session.done
        if done is None:
            raise MalformedResponseError(f"{session.operation}: the session never completed")
        doc = _doc(done, session.operation)
    except Exception:
        if session.done is None:
            yield from session.cancel()
        raise
    yield from _verify(client, hashes, doc, bucket, session.operation)
    return doc


def _send_chunk(
    session: _Session,
    client: GcsClient,
    body: Callable[[int], Pieces | FileSpan],
    offset: int,
    end: int,
    total: int | None,
    hashes: _Hashes | None,
) -> Flow[None]:
    """Send bytes ``offset`` to ``end`` of the object (``body(start)``: those from ``start``)
    until the session committed all of them; after a lost connection, 5xx or 429, ask the
    session where it stands and send the rest."""
    started = time.monotonic()
    attempt = 0
    resumes = 0
    while True:
        if session.done is not None:
            return
        attempt += 1
        before = session.committed
        try:
            if before < end:
                response = yield from _put_with_hash(session, body(before), before, total, hashes)
            else:  # everything landed; the last chunk still needs the session's final answer
                response = yield from session.status(total, hashes)
        except TransportError as exc:
            reason = str(exc)
        else:
            if session.learn(response):
                if session.done is not None:
                    return
                if session.committed < offset or session.committed > end:
                    raise IntegrityError(
                        f"{session.operation}: the session committed {session.committed} bytes, "
                        f"outside the chunk {offset}-{end}"
                    )
                if session.committed == end and total is None:
                    return
                if session.committed > before:
                    attempt = 0  # progress: a fresh budget for the rest of the chunk
                    started = time.monotonic()
                    continue
                reason = "the session committed nothing of the chunk"
            elif response.status not in GATEWAY_STATUSES and response.status not in (408, 429):
                raise error_from_response(response, session.operation, "object", client.redactor)
            else:
                reason = f"HTTP {response.status}"
        resumes += 1
        delay = next_delay(client.retry, attempt, started, None)
        if delay is None or resumes > MAX_RESUMES:
            raise TransportError(
                f"{session.operation}: bytes {session.committed}-{end - 1} could not be sent "
                f"({reason}); the upload was cancelled",
                operation=session.operation,
            )
        log_retry(HttpRequest("PUT", "", operation=session.operation), attempt, reason, delay)
        yield Sleep(delay)
        yield from _ask(session, total)


def _put_with_hash(
    session: _Session,
    data: Pieces | FileSpan,
    start: int,
    total: int | None,
    hashes: _Hashes | None,
) -> Flow[HttpResponse]:
    size = "*" if total is None else str(total)
    headers = {
        "Content-Length": str(data.length),
        "Content-Range": f"bytes {start}-{start + data.length - 1}/{size}",
    }
    if hashes is not None:
        headers["X-Goog-Hash"] = hashes.header()
    return (yield from session._send(data, headers))


def _ask(session: _Session, total: int | None) -> Flow[None]:
    """Update ``session.committed`` from a status query (a lost answer keeps the old value)."""
    try:
        response = yield from session.status(total)
    except TransportError:
        return
    if response.status in (404, 410):
        raise error_from_response(response, session.operation, "object", session.client.redactor)
    session.learn(response)
