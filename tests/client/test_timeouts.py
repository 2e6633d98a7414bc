"""Read and total timeouts of the transport, sync and async, against slow servers on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from omnicloud.cloudstack import AsyncCloudStack, CloudStack
from omnicloud.errors import OutcomeUnknownError, RequestTimeoutError
from omnicloud.http import AsyncHttp, HttpConfig, HttpRequest, RetryPolicy, SyncHttp
from tests.support.fake_cloudstack import KEY, SECRET, FakeCloudStack, ok
from tests.support.stub_server import Reply, Seen, StubServer

BODY_BYTES = 40


class Trickle:
    """An HTTP server that sends its headers at once, then one body byte every ``gap`` seconds.

    Every read gets data well within a read timeout, but the whole answer takes
    ``BODY_BYTES * gap`` seconds: only a total deadline stops a client waiting for it.
    """

    def __init__(self, gap: float = 0.05) -> None:
        self.gap = gap
        self.served = 0
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        self._sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                self.served += 1
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                    + f"Content-Length: {BODY_BYTES}\r\n\r\n".encode()
                )
                for _ in range(BODY_BYTES):
                    if self._stop.wait(self.gap):
                        return
                    conn.sendall(b"x")
            except OSError:
                return  # the client gave up (the point of these tests)

    def stop(self) -> None:
        self._stop.set()
        self._sock.close()


@pytest.fixture(scope="module")
def trickle() -> Iterator[Trickle]:
    server = Trickle()
    yield server
    server.stop()


def _request(url: str) -> HttpRequest:
    return HttpRequest("GET", f"{url}/slow", operation="slow download", idempotent=True)


def _send(kind: str, config: HttpConfig, request: HttpRequest) -> Any:
    if kind == "sync":
        http = SyncHttp(config)
        try:
            return http.send(request)
        finally:
            http.close()

    async def go() -> Any:
        http = AsyncHttp(config)
        try:
            return await http.send(request)
        finally:
            await http.aclose()

    return anyio.run(go)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_total_deadline_stops_a_trickling_answer(trickle: Trickle, kind: str) -> None:
    config = HttpConfig(read_timeout=1.0, timeout=0.4)
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError, match="longer than the total timeout") as info:
        _send(kind, config, _request(trickle.url))
    elapsed = time.monotonic() - started
    assert 0.3 <= elapsed < 1.5  # the answer needs 2 s; every single read took 0.05 s
    assert info.value.operation == "slow download"


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_trickling_answer_within_the_deadline_is_read(trickle: Trickle, kind: str) -> None:
    config = HttpConfig(read_timeout=1.0, timeout=30.0)
    response = _send(kind, config, _request(trickle.url))
    assert response.status == 200 and response.content == b"x" * BODY_BYTES


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_read_timeout_when_the_server_does_not_answer(stub: StubServer, kind: str) -> None:
    stub.handle(lambda seen: Reply(200, "late", delay=2.0))
    config = HttpConfig(read_timeout=0.3, timeout=30.0)
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError, match="timed out waiting for the server"):
        _send(kind, config, _request(stub.url))
    assert time.monotonic() - started < 1.5
    assert len(stub.requests) == 1


def _client_call(kind: str, url: str, command: str, **options: Any) -> Any:
    if kind == "sync":
        with CloudStack(url, KEY, SECRET, **options) as client:
            return client.call(command)

    async def go() -> Any:
        async with AsyncCloudStack(url, KEY, SECRET, **options) as client:
            return await client.call(command)

    return anyio.run(go)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_client_read_timeout_on_a_read_is_retried_then_raised(stub: StubServer, kind: str) -> None:
    stub.handle(FakeCloudStack(listZones=lambda seen: Reply(200, "late", delay=2.0)))
    with pytest.raises(RequestTimeoutError, match="CloudStack listZones"):
        _client_call(kind, f"{stub.url}/client/api", "listZones", timeout=0.3, retry=1)
    assert len(stub.requests) == 2  # a read is safe to send again


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_client_read_timeout_on_a_change_is_outcome_unknown(stub: StubServer, kind: str) -> None:
    def slow(seen: Seen) -> Reply:
        return Reply(200, {"deployvirtualmachineresponse": {"jobid": "j"}}, delay=2.0)

    stub.handle(FakeCloudStack(deployVirtualMachine=slow))
    with pytest.raises(OutcomeUnknownError, match="deployVirtualMachine"):
        _client_call(kind, f"{stub.url}/client/api", "deployVirtualMachine", timeout=0.3, retry=3)
    assert len(stub.requests) == 1  # never sent again


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_client_total_timeout_from_http_config(trickle: Trickle, kind: str) -> None:
    config = HttpConfig(read_timeout=1.0, timeout=0.4, retry=RetryPolicy(max_attempts=1))
    before = trickle.served
    with pytest.raises(RequestTimeoutError, match="CloudStack listZones"):
        _client_call(kind, f"{trickle.url}/client/api", "listZones", http=config)
    assert trickle.served == before + 1


def test_fast_answer_is_not_affected_by_short_timeouts(stub: StubServer) -> None:
    stub.handle(FakeCloudStack(listZones=lambda seen: ok("listZones", {"count": 0})))
    config = HttpConfig(read_timeout=0.5, timeout=0.5)
    with CloudStack(f"{stub.url}/client/api", KEY, SECRET, http=config) as client:
        assert client.listZones() == {"count": 0}
