"""A small Cloud Storage stand-in on :class:`~tests.support.stub_server.StubServer`, for what
fake-gcs-server does not do as Cloud Storage does: it answers a resumable session's status query
(``Content-Range: bytes */TOTAL`` or ``*/*``) with ``308`` and the committed ``Range`` instead of
finishing the upload, keeps only the bytes it was given at the offset they were sent for, and
forgets a cancelled session (``DELETE`` answers 499). Faults are set per test: cut the
connection during the chunk starting at a given offset after committing part of it, or serve a
stored object with damaged bytes.

It also answers the token endpoint (``POST /token``), checking the JWT with the public key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from omnicloud.gcp._crc32c import crc32c, to_base64
from tests.support.stub_server import Reply, Seen, StubServer

GRANULARITY = 256 * 1024


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Session:
    name: str
    metadata: dict[str, Any]
    data: bytearray = field(default_factory=bytearray)


@dataclass
class FakeGcs:
    """State and faults of the stand-in; ``handler`` is given to a StubServer."""

    cut_at: set[int] = field(default_factory=set)  # chunk start offsets to cut (once each)
    cut_keep: int = GRANULARITY  # bytes of a cut chunk committed before the reset
    sessions: dict[str, Session] = field(default_factory=dict)
    objects: dict[str, tuple[bytes, dict[str, Any]]] = field(default_factory=dict)
    corrupt: bool = False  # serve downloads with one byte flipped
    hash_header: str = "both"  # x-goog-hash on downloads: "both", "crc32c" or "none"
    public_key: Any = None  # checks JWTs at /token when set
    tokens: list[dict[str, Any]] = field(default_factory=list)  # verified JWT claims
    token_status: int = 200
    token_body: dict[str, Any] | None = None
    issued: int = 0
    lies_about_md5: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def doc(self, name: str, data: bytes, metadata: dict[str, Any]) -> dict[str, Any]:
        md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
        if self.lies_about_md5:
            md5 = base64.b64encode(hashlib.md5(data + b"!").digest()).decode()
        return {
            "kind": "storage#object",
            "name": name,
            "bucket": "bk",
            "size": str(len(data)),
            "md5Hash": md5,
            "crc32c": to_base64(crc32c(data)),
            "generation": "7",
            "contentType": metadata.get("contentType", "application/octet-stream"),
            "metadata": metadata.get("metadata", {}),
        }

    def handler(self, seen: Seen) -> Reply:
        with self.lock:
            return self._handle(seen)

    def _handle(self, seen: Seen) -> Reply:
        path = seen.path
        if path == "/token" and seen.method == "POST":
            return self._token(seen)
        if (
            path.startswith("/upload/storage/v1/b/")
            and seen.params.get("uploadType") == "multipart"
        ):
            return self._multipart(seen)
        if path.startswith("/upload/storage/v1/b/") and seen.method == "POST":
            metadata = json.loads(seen.body)
            upload_id = f"s{len(self.sessions) + 1}"
            self.sessions[upload_id] = Session(metadata["name"], metadata)
            location = (
                f"{self.url}/upload/storage/v1/b/bk/o?uploadType=resumable&upload_id={upload_id}"
            )
            return Reply(200, b"", {"Location": location})
        if path.startswith("/upload/storage/v1/b/"):
            return self._chunk(seen)
        if path.startswith("/storage/v1/b/bk/o/") and seen.method == "GET":
            name = unquote(path[len("/storage/v1/b/bk/o/") :])
            if name not in self.objects:
                return Reply(404, {"error": {"code": 404, "message": "No such object"}})
            data, doc = self.objects[name]
            if seen.params.get("alt") != "media":
                return Reply(200, doc)
            return self._media(seen, data, doc)
        if path.startswith("/storage/v1/b/bk/o/") and seen.method == "DELETE":
            name = unquote(path[len("/storage/v1/b/bk/o/") :])
            self.objects.pop(name, None)
            return Reply(204)
        if path == "/storage/v1/b/bk" and seen.method == "GET":
            return Reply(200, {"kind": "storage#bucket", "name": "bk"})
        return Reply(404, {"error": {"code": 404, "message": "Not Found"}})

    def _token(self, seen: Seen) -> Reply:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        if seen.params.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return Reply(400, {"error": "unsupported_grant_type"})
        assertion = seen.params["assertion"]
        from cryptography.exceptions import InvalidSignature

        head, claims, signature = assertion.split(".")
        try:
            self.public_key.verify(
                b64url_decode(signature),
                f"{head}.{claims}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except InvalidSignature:
            return Reply(400, {"error": "invalid_grant", "error_description": "bad signature"})
        header = json.loads(b64url_decode(head))
        body = json.loads(b64url_decode(claims))
        self.tokens.append({"header": header, "claims": body})
        if self.token_status != 200:
            return Reply(self.token_status, self.token_body or {"error": "invalid_grant"})
        self.issued += 1
        return Reply(
            200,
            self.token_body
            or {
                "access_token": f"ya29.token-{self.issued}",
                "expires_in": 3599,
                "token_type": "Bearer",
            },
        )

    def _chunk(self, seen: Seen) -> Reply:
        upload_id = seen.params.get("upload_id", "")
        session = self.sessions.get(upload_id)
        if session is None:
            return Reply(404, {"error": {"code": 404, "message": "No such upload"}})
        if seen.method == "DELETE":
            del self.sessions[upload_id]
            return Reply(499, {"error": {"code": 499, "message": "Client Closed Request"}})
        spec = seen.headers.get("Content-Range", "")
        assert spec.startswith("bytes "), spec
        span, _, total_text = spec[6:].partition("/")
        total = None if total_text == "*" else int(total_text)
        if span != "*":
            first, _, last = span.partition("-")
            start, end = int(first), int(last) + 1
            if len(seen.body) < end - start:  # the connection was cut mid-body
                kept = len(seen.body) // GRANULARITY * GRANULARITY
                session.data[start:] = seen.body[:kept]
                return Reply(reset=True)
            if start > len(session.data):
                return Reply(400, {"error": {"code": 400, "message": "a gap in the upload"}})
            body = seen.body
            if start in self.cut_at:
                self.cut_at.discard(start)
                keep = min(self.cut_keep, len(body))
                session.data[start:] = body[:keep]
                return Reply(reset=True)
            session.data[start:] = body
        if total is not None and len(session.data) == total:
            data = bytes(session.data)
            doc = self.doc(session.name, data, session.metadata)
            self.objects[session.name] = (data, doc)
            del self.sessions[upload_id]
            return Reply(200, doc)
        headers = {"Range": f"bytes=0-{len(session.data) - 1}"} if session.data else {}
        return Reply(308, b"", headers)

    def _multipart(self, seen: Seen) -> Reply:
        boundary = seen.headers["Content-Type"].split("boundary=", 1)[1].strip('"').encode()
        parts = seen.body.split(b"--" + boundary)
        meta_part, media_part = parts[1], parts[2]
        metadata = json.loads(meta_part.split(b"\r\n\r\n", 1)[1].rstrip(b"\r\n"))
        data = media_part.split(b"\r\n\r\n", 1)[1][:-2]  # less the CRLF before the boundary
        doc = self.doc(metadata["name"], data, metadata)
        if metadata.get("md5Hash", doc["md5Hash"]) != doc["md5Hash"]:
            return Reply(
                400, {"error": {"code": 400, "message": "Provided MD5 hash doesn't match"}}
            )
        self.objects[metadata["name"]] = (data, doc)
        return Reply(200, doc)

    def _media(self, seen: Seen, data: bytes, doc: dict[str, Any]) -> Reply:
        hashes = {"crc32c": f"crc32c={doc['crc32c']}", "md5": f"md5={doc.get('md5Hash')}"}
        chosen = {"both": "crc32c,md5", "crc32c": "crc32c", "none": ""}[self.hash_header]
        headers = {"x-goog-generation": doc["generation"], "Content-Type": doc["contentType"]}
        if chosen:
            headers["x-goog-hash"] = ",".join(hashes[k] for k in chosen.split(","))
        body = data
        if self.corrupt and body:
            middle = len(body) // 2
            body = body[:middle] + bytes([body[middle] ^ 0xFF]) + body[middle + 1 :]
        wanted = seen.headers.get("Range")
        if wanted:
            first, _, last = wanted.removeprefix("bytes=").partition("-")
            start = int(first)
            end = int(last) + 1 if last else len(body)
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{len(body)}"
            return Reply(206, body[start:end], headers)
        return Reply(200, body, headers)


def serve(stub: StubServer) -> FakeGcs:
    """A fresh stand-in answering on ``stub``."""
    fake = FakeGcs(url=stub.url)
    stub.handle(fake.handler)
    return fake
