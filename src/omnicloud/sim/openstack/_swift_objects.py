"""Swift objects: PUT (streamed to disk, ETag checked), GET/HEAD with ranges and conditions,
POST, DELETE, server-side copies, and static large objects (``?multipart-manifest=``)."""

from __future__ import annotations

import hashlib
import json
import mimetypes
import secrets
from collections.abc import Iterator
from typing import Any

from ..core.jsonio import dumps_bytes
from ._swift_http import (
    MAX_FILE_SIZE,
    Answer,
    SwiftError,
    SwiftReq,
    http_date,
    listing_time,
    title,
)
from ._swift_store import Blob, ObjectRow, SwiftStore

__all__ = [
    "copy_object",
    "delete_object",
    "get_object",
    "post_object",
    "put_object",
]

MAX_OBJECT_NAME = 1024
MAX_MANIFEST_SEGMENTS = 1000
MAX_MANIFEST_SIZE = 8 * 1024 * 1024
_KEPT = ("content-disposition", "content-encoding", "x-delete-at")


def _md5() -> Any:
    return hashlib.md5(usedforsecurity=False)


def _norm_etag(value: str) -> str:
    return value.strip().strip('"').lower()


def _content_type(req: SwiftReq, name: str) -> str:
    given = req.headers.get("content-type", "").strip()
    detect = req.headers.get("x-detect-content-type", "").lower() in ("true", "1", "yes")
    if given and not detect:
        return given
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _object_meta(req: SwiftReq) -> dict[str, str]:
    values, _ = req.meta("object")
    for key in _KEPT:
        if req.headers.get(key):
            values[key] = req.headers[key]
    return values


def _check_name(name: str) -> None:
    size = len(name.encode("utf-8"))
    if size > MAX_OBJECT_NAME:
        raise SwiftError(400, f"Object name length of {size} longer than {MAX_OBJECT_NAME}")


def _need_container(store: SwiftStore, account: str, container: str) -> None:
    if store.container(account, container) is None:
        raise SwiftError(404)


def _found(store: SwiftStore, account: str, container: str, name: str) -> ObjectRow:
    row = store.get_object(account, container, name)
    if row is None:
        raise SwiftError(404)
    return row


# reading bodies -------------------------------------------------------------------------------


async def _stream_body(req: SwiftReq, store: SwiftStore) -> tuple[Blob, int, str]:
    """Write the request body to a new temporary file: (blob, size, MD5 hex)."""
    declared = req.headers.get("content-length", "").strip()
    chunked = "chunked" in req.headers.get("transfer-encoding", "").lower()
    if not declared.isdigit() and not chunked:
        raise SwiftError(411)
    if declared.isdigit() and int(declared) > MAX_FILE_SIZE:
        raise SwiftError(413)
    blob = store.new_blob()
    md5 = _md5()
    size = 0
    try:
        with blob.path.open("wb") as handle:
            while True:
                message = await req.receive()
                if message["type"] == "http.disconnect":
                    raise SwiftError(499)
                chunk = message.get("body", b"")
                if chunk:
                    size += len(chunk)
                    if size > MAX_FILE_SIZE:
                        raise SwiftError(413)
                    handle.write(chunk)
                    md5.update(chunk)
                if not message.get("more_body", False):
                    break
        if declared.isdigit() and not chunked and size != int(declared):
            raise SwiftError(499)
    except BaseException:
        store.drop_temporary(blob)
        raise
    return blob, size, md5.hexdigest()


async def read_small(req: SwiftReq, limit: int) -> bytes:
    """A small request body (a manifest), or 413 past ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await req.receive()
        if message["type"] == "http.disconnect":
            raise SwiftError(499)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise SwiftError(413, f"Manifest File > {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _commit(store: SwiftStore, req: SwiftReq, container: str, row: ObjectRow, blob: Blob) -> None:
    """Move the body into place and index it (the container must still exist)."""
    account = req.account
    with store.transaction():
        if store.container(account, container) is None:
            store.drop_temporary(blob)
            raise SwiftError(404)
        store.keep(blob)
        replaced = store.put_object(account, container, row)
    if replaced != row.file:
        store.discard(replaced)


def _created(row: ObjectRow, extra: dict[str, str] | None = None) -> Answer:
    etag = f'"{row.slo_etag}"' if row.slo_etag else row.etag
    headers = {
        "Content-Type": "text/html; charset=UTF-8",
        "Etag": etag,
        "Last-Modified": http_date(row.modified),
        **(extra or {}),
    }
    return Answer(201, headers)


# PUT ------------------------------------------------------------------------------------------


def _if_none_match(store: SwiftStore, req: SwiftReq, container: str, name: str) -> None:
    wanted = req.headers.get("if-none-match", "").strip()
    if wanted == "*" and store.get_object(req.account, container, name) is not None:
        raise SwiftError(412)


async def put_object(store: SwiftStore, req: SwiftReq, container: str, name: str) -> Answer:
    """PUT: a plain object, a copy (``X-Copy-From``) or an SLO manifest."""
    _check_name(name)
    _need_container(store, req.account, container)
    _if_none_match(store, req, container, name)
    if req.q("multipart-manifest") == "put":
        return await _put_manifest(store, req, container, name)
    source = req.headers.get("x-copy-from")
    if source:
        return await copy_object(store, req, source, container, name)
    blob, size, md5 = await _stream_body(req, store)
    sent = req.headers.get("etag")
    if sent is not None and _norm_etag(sent) != md5:
        store.drop_temporary(blob)
        raise SwiftError(422)
    row = ObjectRow(
        name=name,
        size=size,
        etag=md5,
        content_type=_content_type(req, name),
        modified=req.now,
        meta=_object_meta(req),
        file=blob.file,
    )
    _commit(store, req, container, row, blob)
    return _created(row)


def _split(path: str) -> tuple[str, str] | None:
    container, _, name = path.lstrip("/").partition("/")
    return (container, name) if container and name else None


async def copy_object(
    store: SwiftStore, req: SwiftReq, source: str, container: str, name: str
) -> Answer:
    """A server-side copy of ``source`` (``/container/object``) to ``container/name``: the bytes
    of a large object are joined (``?multipart-manifest=get`` copies the manifest itself)."""
    from urllib.parse import unquote

    where = _split(unquote(source))
    if where is None:
        raise SwiftError(
            412, "X-Copy-From header must be of the form <container name>/<object name>"
        )
    src = _found(store, req.account, *where)
    blob = store.new_blob()
    md5 = _md5()
    keep_manifest = src.is_slo and req.q("multipart-manifest") == "get"
    try:
        with blob.path.open("wb") as handle:
            if src.is_slo and not keep_manifest:
                chunks = _content(store, req.account, src, 0, src.size)
            else:
                chunks = store.read(src.file, 0, store.path_of(src.file).stat().st_size)
            for chunk in chunks:
                handle.write(chunk)
                md5.update(chunk)
    except BaseException:
        store.drop_temporary(blob)
        raise
    fresh = req.headers.get("x-fresh-metadata", "").lower() == "true"
    meta = {} if fresh else dict(src.meta)
    meta.update(_object_meta(req))
    joined = src.is_slo and not keep_manifest
    row = ObjectRow(
        name=name,
        size=src.size,
        etag=md5.hexdigest() if joined or not src.is_slo else src.etag,
        content_type=req.headers.get("content-type") or src.content_type,
        modified=req.now,
        meta=meta,
        file=blob.file,
        manifest=None if joined else src.manifest,
        slo_etag=None if joined else src.slo_etag,
    )
    _commit(store, req, container, row, blob)
    copied = {
        "X-Copied-From": f"{where[0]}/{where[1]}",
        "X-Copied-From-Last-Modified": http_date(src.modified),
    }
    return _created(row, copied)


async def _put_manifest(store: SwiftStore, req: SwiftReq, container: str, name: str) -> Answer:
    raw = await read_small(req, MAX_MANIFEST_SIZE)
    try:
        entries = json.loads(raw)
    except ValueError:
        raise SwiftError(400, "Manifest must be valid JSON.\n") from None
    if not isinstance(entries, list) or not entries:
        raise SwiftError(400, "Manifest must be a list.\n" if entries else "Manifest is empty.\n")
    if len(entries) > MAX_MANIFEST_SEGMENTS:
        raise SwiftError(400, f"Too many segments (more than {MAX_MANIFEST_SEGMENTS} segments).\n")
    stored: list[dict[str, Any]] = []
    problems: list[tuple[str, str]] = []
    total = 0
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            raise SwiftError(400, f"Index {index}: path does not refer to an object.\n")
        path = entry["path"]
        where = _split(path)
        if where is None:
            raise SwiftError(400, f"Index {index}: path does not refer to an object.\n")
        segment = store.get_object(req.account, *where)
        if segment is None:
            problems.append((path, "404 Not Found"))
            continue
        seg_etag = segment.slo_etag or segment.etag
        wanted_etag = entry.get("etag")
        wanted_size = entry.get("size_bytes")
        if wanted_etag and _norm_etag(str(wanted_etag)) != seg_etag:
            problems.append((path, "Etag Mismatch"))
        if wanted_size is not None and int(wanted_size) != segment.size:
            problems.append((path, "Size Mismatch"))
        if segment.size < 1 and index < len(entries) - 1:
            problems.append((path, "Too small; each segment must be at least 1 byte."))
        total += segment.size
        item: dict[str, Any] = {
            "name": "/" + "/".join(where),
            "hash": seg_etag,
            "bytes": segment.size,
            "content_type": segment.content_type,
            "last_modified": listing_time(segment.modified),
        }
        if segment.is_slo:
            item["sub_slo"] = True
        stored.append(item)
    if problems:
        text = "Errors:\n" + "".join(f"{path}, {what}\n" for path, what in problems)
        raise SwiftError(400, text, content_type="text/plain")
    slo_etag = _md5()
    for item in stored:
        slo_etag.update(str(item["hash"]).encode("ascii"))
    sent = req.headers.get("etag")
    if sent is not None and _norm_etag(sent) != slo_etag.hexdigest():
        raise SwiftError(422)
    body = dumps_bytes(stored)
    blob = store.new_blob()
    blob.path.write_bytes(body)
    row = ObjectRow(
        name=name,
        size=total,
        etag=hashlib.md5(body, usedforsecurity=False).hexdigest(),
        content_type=_content_type(req, name),
        modified=req.now,
        meta=_object_meta(req),
        file=blob.file,
        manifest=stored,
        slo_etag=slo_etag.hexdigest(),
    )
    _commit(store, req, container, row, blob)
    return _created(row)


# GET and HEAD ---------------------------------------------------------------------------------


def _content(
    store: SwiftStore, account: str, row: ObjectRow, start: int, end: int, depth: int = 0
) -> Iterator[bytes]:
    """Bytes ``start`` to ``end`` of ``row``: a large object's are its segments' (checked
    against the manifest as they are read; a changed segment ends the answer short)."""
    if not row.is_slo:
        yield from store.read(row.file, start, end)
        return
    if depth > 10:
        raise RuntimeError("static large objects nested too deep")
    offset = 0
    for item in row.manifest or []:
        size = int(item["bytes"])
        low, high = max(start - offset, 0), min(end - offset, size)
        offset += size
        if low >= high:
            continue
        where = _split(str(item["name"]))
        segment = None if where is None else store.get_object(account, *where)
        if segment is None or (segment.slo_etag or segment.etag) != item["hash"]:
            raise RuntimeError(f"segment {item['name']} of a large object changed or is gone")
        yield from _content(store, account, segment, low, high, depth + 1)


def _parse_ranges(header: str, size: int) -> list[tuple[int, int]] | None:
    """``[(start, end exclusive), ...]`` of a ``Range`` header; None when Swift would ignore it
    (not ``bytes=``, malformed); an empty list when none is satisfiable."""
    unit, _, spec = header.strip().partition("=")
    if unit.strip().lower() != "bytes" or not spec.strip():
        return None
    ranges: list[tuple[int, int]] = []
    parts = [p.strip() for p in spec.split(",")]
    if len(parts) > 50:
        return None
    for part in parts:
        first, dash, last = part.partition("-")
        if not dash or (first and not first.isdigit()) or (last and not last.isdigit()):
            return None
        if not first:
            if not last:
                return None
            count = int(last)
            if count == 0:
                continue
            ranges.append((max(size - count, 0), size))
            continue
        low = int(first)
        high = int(last) + 1 if last else size
        if last and high <= low:
            return None
        if low >= size:
            continue
        ranges.append((low, min(high, size)))
    return ranges


def _etag_value(row: ObjectRow) -> str:
    return row.slo_etag or row.etag


def _conditions(req: SwiftReq, row: ObjectRow) -> int | None:
    etag = _etag_value(row)
    match = req.headers.get("if-match")
    if match is not None:
        wanted = {_norm_etag(v) for v in match.split(",")}
        if "*" not in wanted and etag not in wanted:
            return 412
    none_match = req.headers.get("if-none-match")
    if none_match is not None:
        wanted = {_norm_etag(v) for v in none_match.split(",")}
        if "*" in wanted or etag in wanted:
            return 304
    return None


def object_headers(row: ObjectRow) -> dict[str, str]:
    """What GET and HEAD say about ``row``."""
    headers = {
        "Content-Type": row.content_type,
        "Etag": f'"{row.slo_etag}"' if row.slo_etag else row.etag,
        "Last-Modified": http_date(row.modified),
        "X-Timestamp": f"{row.modified:.5f}",
        "Accept-Ranges": "bytes",
    }
    if row.is_slo:
        headers["X-Static-Large-Object"] = "True"
    for key, value in row.meta.items():
        headers[title(key)] = value
    return headers


def get_object(
    store: SwiftStore, req: SwiftReq, container: str, name: str, *, temp_url: bool = False
) -> Answer:
    """GET or HEAD: the whole object, ranges (206, multipart for several) or the manifest."""
    row = _found(store, req.account, container, name)
    headers = object_headers(row)
    if temp_url and req.method == "GET":
        filename = req.q("filename") or name.rsplit("/", 1)[-1]
        kind = "inline" if req.q("inline") is not None else "attachment"
        from urllib.parse import quote

        plain = filename.replace('"', "")
        headers["Content-Disposition"] = (
            f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"
        )
    if row.is_slo and req.q("multipart-manifest") == "get":
        return _manifest_answer(store, req, row, headers)
    condition = _conditions(req, row)
    if condition == 412:
        raise SwiftError(412, headers={"Etag": headers["Etag"]})
    if condition == 304:
        return Answer(304, {"Etag": headers["Etag"], "Last-Modified": headers["Last-Modified"]})
    size = row.size
    header = req.headers.get("range")
    ranges = None if header is None or size == 0 else _parse_ranges(header, size)
    if ranges is None:
        return Answer(200, headers, _content(store, req.account, row, 0, size), size)
    if not ranges:
        raise SwiftError(416, headers={"Content-Range": f"bytes */{size}"})
    if len(ranges) == 1:
        low, high = ranges[0]
        headers["Content-Range"] = f"bytes {low}-{high - 1}/{size}"
        return Answer(206, headers, _content(store, req.account, row, low, high), high - low)
    boundary = secrets.token_hex(16)
    heads = [
        (
            f"--{boundary}\r\nContent-Type: {row.content_type}\r\n"
            f"Content-Range: bytes {low}-{high - 1}/{size}\r\n\r\n"
        ).encode()
        for low, high in ranges
    ]
    tail = f"--{boundary}--".encode()
    length = sum(len(h) + (high - low) + 2 for h, (low, high) in zip(heads, ranges, strict=True))
    length += len(tail)

    def parts() -> Iterator[bytes]:
        for head, (low, high) in zip(heads, ranges, strict=True):
            yield head
            yield from _content(store, req.account, row, low, high)
            yield b"\r\n"
        yield tail

    headers["Content-Type"] = f"multipart/byteranges;boundary={boundary}"
    return Answer(206, headers, parts(), length)


def _manifest_answer(
    store: SwiftStore, req: SwiftReq, row: ObjectRow, headers: dict[str, str]
) -> Answer:
    manifest = row.manifest or []
    if req.q("format") == "raw":
        raw = [
            {"path": item["name"], "etag": item["hash"], "size_bytes": item["bytes"]}
            for item in manifest
        ]
        body = dumps_bytes(raw)
    else:
        body = b"".join(store.read(row.file, 0, store.path_of(row.file).stat().st_size))
    headers = {
        **headers,
        "Content-Type": "application/json; charset=utf-8",
        "Etag": hashlib.md5(body, usedforsecurity=False).hexdigest(),
    }
    return Answer(200, headers, body)


# POST and DELETE ------------------------------------------------------------------------------


def post_object(store: SwiftStore, req: SwiftReq, container: str, name: str) -> Answer:
    """POST: replace the object's metadata (and its type, when given)."""
    with store.transaction():
        row = _found(store, req.account, container, name)
        row.meta = _object_meta(req)
        if req.headers.get("content-type"):
            row.content_type = req.headers["content-type"]
        store.put_object(req.account, container, row)
    return Answer(202, {"Content-Type": "text/html; charset=UTF-8"}, b"")


def _bulk(req: SwiftReq, deleted: int, missing: int, errors: list[tuple[str, str]]) -> Answer:
    status = "400 Bad Request" if errors else "200 OK"
    if "json" in req.headers.get("accept", ""):
        doc = {
            "Number Deleted": deleted,
            "Number Not Found": missing,
            "Response Body": "",
            "Response Status": status,
            "Errors": [list(e) for e in errors],
        }
        return Answer(200, {"Content-Type": "application/json; charset=utf-8"}, dumps_bytes(doc))
    text = (
        f"Number Deleted: {deleted}\nNumber Not Found: {missing}\nResponse Body: \n"
        f"Response Status: {status}\nErrors:\n"
        + "".join(f"{path}, {what}\n" for path, what in errors)
    )
    return Answer(200, {"Content-Type": "text/plain; charset=utf-8"}, text.encode())


def delete_object(store: SwiftStore, req: SwiftReq, container: str, name: str) -> Answer:
    """DELETE (204, 404 when missing); ``?multipart-manifest=delete`` also deletes the segments
    of a large object and answers as Swift's bulk delete does."""
    account = req.account
    if req.q("multipart-manifest") == "delete":
        row = store.get_object(account, container, name)
        if row is None:
            return _bulk(req, 0, 1, [])
        if not row.is_slo:
            return _bulk(req, 0, 0, [(f"/{container}/{name}", "400 Bad Request")])
        files: list[str] = []
        deleted = missing = 0
        with store.transaction():
            for where in _segments_of(store, account, row):
                gone = store.delete_object(account, *where)
                if gone is None:
                    missing += 1
                else:
                    deleted += 1
                    files.append(gone)
            gone = store.delete_object(account, container, name)
            if gone is not None:
                deleted += 1
                files.append(gone)
        for file in files:
            store.discard(file)
        return _bulk(req, deleted, missing, [])
    with store.transaction():
        gone = store.delete_object(account, container, name)
    if gone is None:
        raise SwiftError(404)
    store.discard(gone)
    return Answer(204, {"Content-Type": "text/html; charset=UTF-8"})


def _segments_of(
    store: SwiftStore, account: str, row: ObjectRow, depth: int = 0
) -> Iterator[tuple[str, str]]:
    for item in row.manifest or []:
        where = _split(str(item["name"]))
        if where is None:
            continue
        if item.get("sub_slo") and depth < 10:
            nested = store.get_object(account, *where)
            if nested is not None and nested.is_slo:
                yield from _segments_of(store, account, nested, depth + 1)
        yield where
