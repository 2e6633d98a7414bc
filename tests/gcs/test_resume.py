"""Resumable uploads survive lost connections: the session is asked what it committed
(``Content-Range: bytes */TOTAL`` or ``*/*``) and the rest of the chunk is sent from there.

These run on the protocol stand-in of ``_fake.py``: fake-gcs-server finishes an upload when it
is asked for its status, so it cannot show a resumption (see ``docs/gcs.md``).
"""

from __future__ import annotations

import base64
import hashlib

import pytest

from omnicloud.errors import TransportError
from omnicloud.gcp._crc32c import crc32c, to_base64
from omnicloud.http import HttpConfig, RetryPolicy
from omnicloud.storage import Container
from omnicloud.storage.drivers.gcs import AsyncGoogleStorageDriver, GoogleStorageDriver
from omnicloud.storage.errors import ObjectHashMismatchError
from tests.conformance.storage import chunks
from tests.support.modes import Portal, close_in_mode, open_in_mode
from tests.support.stub_server import Reply, Seen, StubServer

from ._cut_proxy import CutProxy
from ._fake import GRANULARITY, FakeGcs, serve

CHUNK = 2 * GRANULARITY
FAST = HttpConfig(retry=RetryPolicy(backoff=0.01, backoff_cap=0.02))


def _driver(stub: StubServer, mode: str, portal: Portal, **kwargs: object) -> GoogleStorageDriver:
    return open_in_mode(
        mode, portal, GoogleStorageDriver, AsyncGoogleStorageDriver,
        endpoint=stub.url, project="p", chunk_size=CHUNK, threshold=CHUNK, http=FAST,
        **kwargs,
    )  # fmt: skip


def _ranges(stub: StubServer) -> list[str]:
    return [
        seen.headers.get("Content-Range", "")
        for seen in stub.requests
        if seen.method == "PUT" and seen.path.startswith("/upload/")
    ]


@pytest.mark.parametrize("where", ["middle", "last"])
def test_a_connection_cut_mid_chunk_resumes_from_the_committed_offset(
    stub: StubServer, mode: str, portal: Portal, where: str
) -> None:
    fake = serve(stub)
    data = b"".join(chunks(5 * CHUNK + GRANULARITY + 1000, 40_000))
    cut = CHUNK if where == "middle" else 5 * CHUNK
    fake.cut_at = {cut}
    d = _driver(stub, mode, portal)
    try:
        obj = d.upload_object_via_stream(chunks(len(data), 40_000), Container("bk"), "resumed")
    finally:
        close_in_mode(d, portal)
    stored, _ = fake.objects["resumed"]
    assert stored == data
    assert obj.hash == hashlib.md5(data).hexdigest() and obj.size == len(data)
    sent = _ranges(stub)
    total = "*" if where == "middle" else str(len(data))
    after = cut + GRANULARITY  # the stand-in committed 256 KiB of the cut chunk
    query = sent.index(f"bytes */{total}")
    # the cut chunk, then the status query, then only the part of it not committed yet
    assert sent[query - 1].startswith(f"bytes {cut}-")
    assert sent[query + 1].startswith(f"bytes {after}-")
    assert sent.count(f"bytes */{total}") == 1
    assert not fake.sessions  # the session completed


def test_a_last_chunk_that_landed_before_the_cut_is_not_sent_again(
    stub: StubServer, mode: str, portal: Portal
) -> None:
    fake = serve(stub)
    data = b"".join(chunks(2 * CHUNK + 1000, 40_000))
    fake.cut_at = {2 * CHUNK}  # the stand-in keeps the whole short chunk, then resets
    d = _driver(stub, mode, portal)
    try:
        obj = d.upload_object_via_stream(iter([data]), Container("bk"), "landed")
    finally:
        close_in_mode(d, portal)
    assert fake.objects["landed"][0] == data and obj.size == len(data)
    sent = _ranges(stub)
    # the status query found the upload complete: nothing was sent after it
    assert sent[-1] == f"bytes */{len(data)}"
    assert sum(r.startswith(f"bytes {2 * CHUNK}-") for r in sent) == 1


@pytest.mark.parametrize("with_crc", [False, True])
def test_the_last_chunk_carries_the_hashes_of_everything_sent(
    stub: StubServer, mode: str, portal: Portal, with_crc: bool
) -> None:
    fake = serve(stub)
    data = b"".join(chunks(3 * CHUNK + 7, 50_000))
    d = _driver(stub, mode, portal)
    d._ops.settings.crc32c = with_crc  # on by default only with the C package
    try:
        d.upload_object_via_stream(iter([data]), Container("bk"), "hashed")
        d.upload_object_via_stream(iter([data[:1000]]), Container("bk"), "small")
    finally:
        close_in_mode(d, portal)
    puts = [s for s in stub.requests if s.method == "PUT"]
    stated = puts[-1].headers["X-Goog-Hash"]
    assert all("X-Goog-Hash" not in s.headers for s in puts[:-1])
    md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
    crc = to_base64(crc32c(data))
    assert stated == (f"crc32c={crc},md5={md5}" if with_crc else f"md5={md5}")
    assert fake.objects["hashed"][0] == data
    multipart = next(s for s in stub.requests if s.params.get("uploadType") == "multipart")
    small_crc = to_base64(crc32c(data[:1000]))
    assert (f'"crc32c": "{small_crc}"'.encode() in multipart.body) is with_crc
    small_md5 = base64.b64encode(hashlib.md5(data[:1000]).digest()).decode()
    assert f'"md5Hash": "{small_md5}"'.encode() in multipart.body


def test_a_session_that_keeps_failing_is_cancelled(
    stub: StubServer, mode: str, portal: Portal
) -> None:
    fake = serve(stub)
    data = b"".join(chunks(3 * CHUNK, 50_000))
    fake.cut_at = {CHUNK}
    fake.cut_keep = 0  # nothing of the cut chunk lands, and it is cut each time
    original = fake._chunk

    def always_cut(seen):  # type: ignore[no-untyped-def]
        if "bytes */" not in seen.headers.get("Content-Range", ""):
            fake.cut_at.add(CHUNK)
        return original(seen)

    fake._chunk = always_cut  # type: ignore[method-assign]
    d = _driver(stub, mode, portal)
    try:
        with pytest.raises(TransportError, match="cancelled"):
            d.upload_object_via_stream(iter([data]), Container("bk"), "doomed")
    finally:
        close_in_mode(d, portal)
    assert "doomed" not in fake.objects
    assert not fake.sessions  # DELETE cancelled it
    assert any(s.method == "DELETE" and s.path.startswith("/upload/") for s in stub.requests)


def test_a_stored_object_with_other_hashes_is_deleted_again(
    stub: StubServer, mode: str, portal: Portal
) -> None:
    fake: FakeGcs = serve(stub)
    fake.lies_about_md5 = True
    d = _driver(stub, mode, portal)
    try:
        with pytest.raises(ObjectHashMismatchError, match="MD5"):
            d.upload_object_via_stream(iter([b"y" * (CHUNK + 5)]), Container("bk"), "bad")
    finally:
        close_in_mode(d, portal)
    deletes = [s for s in stub.requests if s.method == "DELETE"]
    assert deletes and deletes[-1].params == {"ifGenerationMatch": "7"}
    assert "bad" not in fake.objects


def test_a_gateway_error_on_a_chunk_is_followed_by_a_status_query(
    stub: StubServer, mode: str, portal: Portal
) -> None:
    fake = serve(stub)
    data = b"".join(chunks(3 * CHUNK + 10, 50_000))
    failed: list[str] = []

    def flaky(seen: Seen) -> Reply:
        spec = seen.headers.get("Content-Range", "")
        if seen.method == "PUT" and spec.startswith(f"bytes {CHUNK}-") and not failed:
            failed.append(spec)
            return Reply(503, "<html>busy</html>", {"Content-Type": "text/html"})
        return fake.handler(seen)

    stub.handle(flaky)
    d = _driver(stub, mode, portal)
    try:
        obj = d.upload_object_via_stream(iter([data]), Container("bk"), "flaky")
    finally:
        close_in_mode(d, portal)
    assert fake.objects["flaky"][0] == data and obj.size == len(data)
    sent = _ranges(stub)
    assert sent.count("bytes */*") == 1  # asked once where the session stood
    assert sum(r.startswith(f"bytes {CHUNK}-") for r in sent) == 2


def test_a_session_that_never_moves_on_gives_up_and_is_cancelled(
    stub: StubServer, mode: str, portal: Portal
) -> None:
    fake = serve(stub)

    def stuck(seen: Seen) -> Reply:
        if seen.method == "PUT" and seen.path.startswith("/upload/"):
            return Reply(308)  # no Range: nothing committed, ever
        return fake.handler(seen)

    stub.handle(stuck)
    d = _driver(stub, mode, portal)
    try:
        with pytest.raises(TransportError, match="committed nothing"):
            d.upload_object_via_stream(iter([b"z" * (2 * CHUNK)]), Container("bk"), "stuck")
    finally:
        close_in_mode(d, portal)
    assert not fake.sessions
    puts = [s for s in stub.requests if s.method == "PUT"]
    assert 2 <= len(puts) <= 40  # a bounded number of tries


def test_a_connection_cut_while_the_chunk_is_being_sent(
    stub: StubServer, mode: str, portal: Portal
) -> None:
    """A proxy resets the connection after 256 KiB and 1000 bytes of a 512 KiB chunk went
    through: the server keeps the whole 256 KiB it got, the client asks and sends the rest."""
    fake = serve(stub)
    proxy = CutProxy(stub.port, match=f"Content-Range: bytes {CHUNK}-".encode(),
                     keep=GRANULARITY + 1000)  # fmt: skip
    fake.url = proxy.url  # the session URI goes through the proxy too
    data = b"".join(chunks(4 * CHUNK + 100, 64_000))
    d = open_in_mode(
        mode, portal, GoogleStorageDriver, AsyncGoogleStorageDriver,
        endpoint=proxy.url, chunk_size=CHUNK, threshold=CHUNK, http=FAST,
    )  # fmt: skip
    try:
        obj = d.upload_object_via_stream(chunks(len(data), 64_000), Container("bk"), "cut")
    finally:
        close_in_mode(d, portal)
        proxy.stop()
    assert proxy.cuts == 1
    assert fake.objects["cut"][0] == data
    assert obj.hash == hashlib.md5(data).hexdigest()
    sent = _ranges(stub)
    query = sent.index("bytes */*")
    assert sent[query + 1].startswith(f"bytes {CHUNK + GRANULARITY}-{2 * CHUNK - 1}/")
