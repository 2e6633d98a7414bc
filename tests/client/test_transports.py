"""One request built once, sent by every transport: urllib3 (sync), aiohttp (asyncio), httpx
(HTTP/2, proxies, trio, transports passed in) and the in-process ASGI transports. The same bytes
reach the server, answers are decoded alike, and each library's failures come out as omnicloud's
errors, mapped once and redacted."""

from __future__ import annotations

import gzip
import json
import logging
import socket
import zlib
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest

from omnicloud.errors import RequestNotSentError, RequestTimeoutError, TransportError
from omnicloud.http import (
    AsyncHttp,
    HttpConfig,
    HttpRequest,
    HttpResponse,
    Redactor,
    SyncHttp,
    send_with_retries,
)
from omnicloud.http._aiohttp import AiohttpTransport, async_transport
from omnicloud.http._base import AsyncTransport, SyncTransport
from omnicloud.http._httpx import HttpxTransport
from omnicloud.http._urllib3 import Urllib3Transport, sync_transport
from omnicloud.http._wire import default_headers, prepare
from omnicloud.sim.transport import AsyncInProcessTransport, InProcessTransport
from tests.support.stub_server import Reply, Seen, StubServer

ODD = "a b+c/d?e&f=g~h*i'j(k)l!m,n;o:p@q$r%s\u00e9\u4e2d"

#: (mode, stack): the network transports, each with the config that selects it
STACKS = ["sync-urllib3", "sync-httpx", "async-aiohttp", "async-httpx", "trio-httpx"]


def _config(stack: str, **options: Any) -> HttpConfig:
    config = HttpConfig(trust_env=False, **options)
    if stack == "sync-httpx":
        config.transport = httpx.HTTPTransport()
    elif stack == "async-httpx":
        config.async_transport = httpx.AsyncHTTPTransport()
    return config


def _exchange(stack: str, request: HttpRequest, **options: Any) -> tuple[HttpResponse, str]:
    """Send ``request`` once over ``stack``; the response and the transport class that sent it."""
    config = _config(stack, **options)
    if stack.startswith("sync"):
        http = SyncHttp(config)
        try:
            return http.send(request), type(http.transport).__name__
        finally:
            http.close()

    async def go() -> tuple[HttpResponse, str]:
        http = AsyncHttp(config)
        try:
            return await http.send(request), type(http.transport).__name__
        finally:
            await http.aclose()

    return anyio.run(go, backend="trio" if stack.startswith("trio") else "asyncio")


EXPECTED = {
    "sync-urllib3": "Urllib3Transport",
    "sync-httpx": "HttpxTransport",
    "async-aiohttp": "AiohttpTransport",
    "async-httpx": "AsyncHttpxTransport",
    "trio-httpx": "AsyncHttpxTransport",
}


def _wire(seen: Seen) -> tuple[str, str, dict[str, str], bytes]:
    headers = {k.lower(): v for k, v in seen.headers.items() if k.lower() != "connection"}
    if headers.get("content-length") == "0":
        del headers["content-length"]  # aiohttp says so for a DELETE without a body
    return seen.method, seen.target, headers, seen.body


REQUESTS: dict[str, Callable[[str], HttpRequest]] = {
    "get with params": lambda url: HttpRequest(
        "GET", f"{url}/client/api?dropped=1", params=[("name", ODD), ("empty", ""), ("x", "1")]
    ),
    "get with its own query": lambda url: HttpRequest("GET", f"{url}/list?a=1&b=%20x&c=~"),
    "post form": lambda url: HttpRequest(
        "POST", f"{url}/client/api", form=[("command", "deploy"), ("userdata", ODD)]
    ),
    "put bytes with headers": lambda url: HttpRequest(
        "PUT",
        f"{url}/bucket/key%20name",
        content=b"payload" * 100,
        headers={"content-type": "text/plain", "user-agent": "mine/1.0", "X-Meta": "v"},
    ),
    "put pieces with a length": lambda url: HttpRequest(
        "PUT",
        f"{url}/bucket/a b/../c",
        content=[b"x" * 10, b"y" * 20],
        headers={"Content-Length": "30"},
    ),
    "delete without body": lambda url: HttpRequest("DELETE", f"{url}/bucket/./key"),
}


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_every_transport_sends_the_same_bytes(stub: StubServer, name: str) -> None:
    stub.handle(lambda seen: Reply(200, "ok"))
    for stack in STACKS:
        response, used = _exchange(stack, REQUESTS[name](stub.url), headers={"X-Configured": "y"})
        assert used == EXPECTED[stack]
        assert (response.status, response.content) == (200, b"ok")
    wires = [_wire(seen) for seen in stub.requests]
    assert len(wires) == len(STACKS)
    assert all(wire == wires[0] for wire in wires), wires
    assert wires[0][2]["x-configured"] == "y"
    assert wires[0][2]["accept-encoding"] == "gzip, deflate"


def test_the_request_is_built_once_as_written() -> None:
    config = HttpConfig()
    defaults = default_headers(config)

    def built(url: str, **kwargs: Any) -> Any:
        return prepare(HttpRequest("GET", url, **kwargs), defaults, Redactor(), config, 0.0)

    assert built("http://h/b/logs/../x/./y?a=1").target == "/b/logs/../x/./y?a=1"
    assert built("http://h/a b/é").target == "/a%20b/%C3%A9"
    assert built("http://h/a%20b?q=x y&r=%2F").target == "/a%20b?q=x%20y&r=%2F"
    assert built("http://h/x?old=1", params=[("a", "b c")]).target == "/x?a=b+c"
    assert built("http://h").target == "/"
    assert built("http://bücher.example/x").url == "http://xn--bcher-kva.example/x"
    ipv6 = built("http://[::1]:8080/x")
    assert (ipv6.host, ipv6.port, ipv6.url) == ("::1", 8080, "http://[::1]:8080/x")
    assert built("https://h/x").port == 443
    own = built("http://h/", headers={"accept": "application/json", "X-A": "1"}).headers
    assert own[:3] == [("accept", "application/json"), ("Accept-Encoding", "gzip, deflate"),
                       ("User-Agent", "omnicloud/0.1")]  # fmt: skip
    assert own[3] == ("X-A", "1")
    with_user = built("http://us%40er:p%3Ass@h:81/x")
    assert with_user.url == "http://h:81/x"  # the credentials never appear in the URL sent
    assert ("Authorization", "Basic dXNAZXI6cDpzcw==") in with_user.headers  # us@er:p:ss
    own_auth = built("http://u:p@h/x", headers={"authorization": "Bearer t"}).headers
    assert [v for k, v in own_auth if k.lower() == "authorization"] == ["Bearer t"]
    for bad in ("ftp://h/x", "http:///x", "http://h:99999/x", "nonsense"):
        with pytest.raises(RequestNotSentError, match="invalid"):
            built(bad)


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, no zlib wrapper
        ("identity", lambda data: data),
    ],
)
def test_encoded_answers_are_decoded(
    stub: StubServer, coding: str, encode: Callable[[bytes], bytes], stack: str
) -> None:
    body = b'{"listzonesresponse": {}}' * 50
    stub.handle(lambda seen: Reply(200, encode(body), {"Content-Encoding": coding}))
    response, _ = _exchange(stack, HttpRequest("GET", f"{stub.url}/x"))
    assert response.content == body
    assert response.headers["content-encoding"] == coding  # a case-insensitive mapping
    assert response.headers["Content-Encoding"] == coding


@pytest.mark.parametrize("stack", STACKS)
def test_empty_encoded_answer_is_empty(stub: StubServer, stack: str) -> None:
    stub.handle(lambda seen: Reply(204, b"", {"Content-Encoding": "deflate"}))
    response, _ = _exchange(stack, HttpRequest("DELETE", f"{stub.url}/x"))
    assert (response.status, response.content) == (204, b"")


@pytest.mark.parametrize("stack", STACKS)
def test_undecodable_answer_is_a_transport_error(stub: StubServer, stack: str) -> None:
    stub.handle(lambda seen: Reply(200, b"not gzip at all", {"Content-Encoding": "gzip"}))
    with pytest.raises(TransportError, match=r"fetch: connection failed: .*does not decode"):
        _exchange(stack, HttpRequest("GET", f"{stub.url}/x", operation="fetch"))


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("stack", STACKS)
def test_refused_connection_is_not_sent_and_mapped_once(stack: str) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/x?signature=SIGNATURE-VALUE"
    request = HttpRequest("GET", url, operation="probe")
    with pytest.raises(RequestNotSentError, match=r"^probe: could not connect: ") as caught:
        _exchange(stack, request)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert "SIGNATURE-VALUE" not in str(caught.value)


@pytest.mark.parametrize("stack", STACKS)
def test_dropped_connection_is_a_transport_error_and_not_resent(
    stub: StubServer, stack: str
) -> None:
    # aiohttp resends an idempotent request whose connection drops; retries are ours to decide
    stub.handle(lambda seen: Reply(reset=True))
    url = f"{stub.url}/client/api?command=deployVirtualMachine"
    request = HttpRequest("GET", url, operation="deploy", idempotent=False)
    with pytest.raises(TransportError, match=r"^deploy: connection failed") as caught:
        _exchange(stack, request)
    assert type(caught.value) is TransportError
    assert len(stub.requests) == 1


@pytest.mark.parametrize("stack", STACKS)
def test_read_timeout_is_a_timeout_error(stub: StubServer, stack: str) -> None:
    stub.handle(lambda seen: Reply(200, "late", delay=1.0))
    with pytest.raises(RequestTimeoutError, match=r"^slow: timed out waiting for the server"):
        _exchange(stack, HttpRequest("GET", f"{stub.url}/x", operation="slow"), read_timeout=0.2)


@pytest.mark.parametrize("stack", STACKS)
def test_trace_redacts_secrets(
    stub: StubServer, caplog: pytest.LogCaptureFixture, stack: str
) -> None:
    stub.handle(lambda seen: Reply(200, "ok"))
    request = HttpRequest(
        "GET",
        f"{stub.url}/client/api",
        params=[("command", "listZones"), ("signature", "SIGNATURE-VALUE")],
        headers={"Authorization": "Basic c2VjcmV0LXZhbHVl"},
    )
    with caplog.at_level(logging.DEBUG):
        _exchange(stack, request)
    text = caplog.text
    assert "> GET" in text and "listZones" in text and "< HTTP 200" in text
    assert "SIGNATURE-VALUE" not in text
    assert "c2VjcmV0LXZhbHVl" not in text


def test_choice_of_transport_per_mode_and_config() -> None:
    def sync(config: HttpConfig) -> SyncTransport:
        http = SyncHttp(config)
        try:
            return http.transport
        finally:
            http.close()

    async def chosen(config: HttpConfig) -> object:
        transport = async_transport(config)
        if isinstance(transport, AsyncTransport):
            await transport.aclose()
        return transport

    assert isinstance(sync(HttpConfig(trust_env=False)), Urllib3Transport)
    assert isinstance(sync(HttpConfig(proxy="http://127.0.0.1:9")), HttpxTransport)
    assert sync_transport(HttpConfig(http2=True, trust_env=False)) is None  # httpx's own
    own = InProcessTransport(app=None)
    assert sync(HttpConfig(transport=own)) is own  # an omnicloud transport is used as it is
    assert isinstance(anyio.run(chosen, HttpConfig(trust_env=False)), AiohttpTransport)
    assert anyio.run(chosen, HttpConfig(proxy="http://127.0.0.1:9")) is None  # httpx's own
    assert anyio.run(chosen, HttpConfig(http2=True, trust_env=False)) is None
    assert anyio.run(chosen, HttpConfig(trust_env=False), backend="trio") is None
    assert async_transport(HttpConfig(trust_env=False)) is None  # no running loop


def test_streamed_body_headers_and_gzip_round_trip_over_aiohttp(stub: StubServer) -> None:
    def handler(seen: Seen) -> Reply:
        answer = {
            "size": len(seen.body),
            "type": seen.headers.get("Content-Type"),
            "x": seen.headers.get("X-Custom"),
        }
        return Reply(
            201,
            gzip.compress(json.dumps(answer).encode()),
            {"Content-Type": "application/json", "Content-Encoding": "gzip"},
        )

    stub.handle(handler)

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(40):
            yield b"y" * 2500

    request = HttpRequest(
        "PUT",
        f"{stub.url}/upload",
        content=chunks(),
        headers={"Content-Type": "application/octet-stream", "X-Custom": "kept"},
        operation="upload",
    )
    response, used = _exchange("async-aiohttp", request)
    assert used == "AiohttpTransport"
    assert response.status == 201
    assert json.loads(response.content) == {
        "size": 100_000,
        "type": "application/octet-stream",
        "x": "kept",
    }


def test_a_post_whose_connection_drops_is_never_resent(stub: StubServer) -> None:
    stub.handle(lambda seen: Reply(reset=True))
    request = HttpRequest("POST", f"{stub.url}/create", content=b"{}", operation="create thing")

    async def go() -> None:
        http = AsyncHttp(HttpConfig(trust_env=False))
        try:
            await http.run(send_with_retries(request, http.config.retry))
        finally:
            await http.aclose()

    with pytest.raises(TransportError, match="create thing"):
        anyio.run(go)
    assert len(stub.requests) == 1


def test_connection_count_sees_pooled_connections_until_closed(stub: StubServer) -> None:
    stub.handle(lambda seen: Reply(200, {"ok": True}))
    config = HttpConfig(trust_env=False)

    async def go() -> tuple[int, int, int]:
        transport = AiohttpTransport(config)
        before = transport.connection_count()
        outgoing = prepare(
            HttpRequest("GET", f"{stub.url}/ping"), default_headers(config), Redactor(), config, 0
        )
        assert (await transport.send(outgoing)).status == 200
        pooled = transport.connection_count()
        await transport.aclose()
        return before, pooled, transport.connection_count()

    assert anyio.run(go) == (0, 1, 0)


def test_one_client_across_two_event_loops(stub: StubServer) -> None:
    """A client kept between two ``asyncio.run()`` calls opens new connections on the second."""
    stub.handle(lambda seen: Reply(200, {"ok": True}))
    http = AsyncHttp(HttpConfig(trust_env=False))
    request = HttpRequest("GET", f"{stub.url}/ping", operation="ping")

    async def once() -> int:
        response = await http.run(send_with_retries(request, http.config.retry))
        return response.status

    assert anyio.run(once) == 200
    assert anyio.run(once) == 200
    anyio.run(http.aclose)
    assert len(stub.requests) == 2


# -- the in-process transports ------------------------------------------------------------------
async def echo_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A minimal ASGI app: answers with what it received; ``/reset`` drops the connection."""
    from omnicloud.sim.cloudstack._errors import SimulatedReset

    message = await receive()
    if scope["path"] == "/reset":
        raise SimulatedReset("connection reset by the simulator")
    document = {
        "method": scope["method"],
        "path": scope["path"],
        "raw_path": scope["raw_path"].decode(),
        "query": scope["query_string"].decode(),
        "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
        "body": message["body"].decode(),
    }
    await send(
        {
            "type": "http.response.start",
            "status": 201,
            "headers": [(b"content-type", b"application/json"), (b"x-twice", b"a"),
                        (b"X-Twice", b"b")],
        }
    )  # fmt: skip
    body = json.dumps(document).encode()
    await send({"type": "http.response.body", "body": body[:10], "more_body": True})
    await send({"type": "http.response.body", "body": body[10:]})


@pytest.mark.parametrize("mode", ["sync", "asyncio", "trio"])
def test_in_process_transports_call_the_app(mode: str) -> None:
    request = HttpRequest(
        "POST", "http://sim/a b/../c?x=1", form=[("k", "v")], headers={"X-Own": "1"}
    )
    if mode == "sync":
        http = SyncHttp(HttpConfig(transport=InProcessTransport(echo_app)))
        try:
            response = http.send(request)
        finally:
            http.close()
    else:

        async def go() -> HttpResponse:
            async_http = AsyncHttp(HttpConfig(async_transport=AsyncInProcessTransport(echo_app)))
            try:
                return await async_http.send(request)
            finally:
                await async_http.aclose()

        response = anyio.run(go, backend=mode)
    assert response.status == 201
    assert response.headers["X-TWICE"] == "a, b"
    seen = response.json()
    assert (seen["method"], seen["path"], seen["raw_path"]) == ("POST", "/a b/../c", "/a%20b/../c")
    assert seen["query"] == "x=1" and seen["body"] == "k=v"
    assert seen["headers"]["host"] == "sim"
    assert seen["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert seen["headers"]["content-length"] == "3"
    assert seen["headers"]["x-own"] == "1"


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_simulated_reset_is_a_dropped_connection(mode: str) -> None:
    request = HttpRequest("POST", "http://sim/reset", operation="create")
    with pytest.raises(TransportError, match=r"^create: connection failed: connection reset"):
        if mode == "sync":
            http = SyncHttp(HttpConfig(transport=InProcessTransport(echo_app)))
            try:
                http.send(request)
            finally:
                http.close()
        else:

            async def go() -> None:
                transport = AsyncInProcessTransport(echo_app)
                async_http = AsyncHttp(HttpConfig(async_transport=transport))
                await async_http.send(request)

            anyio.run(go)


def test_the_httpx_in_process_transport_still_serves_httpx_clients() -> None:
    from omnicloud.sim.transport import SyncASGITransport

    transport = SyncASGITransport(echo_app)
    assert type(transport).__module__ == "omnicloud.sim.transport"  # recognised as in-process
    with httpx.Client(transport=transport, base_url="http://sim") as client:
        answer = client.get("/x", params={"a": "b"})
    assert answer.status_code == 201
    assert answer.json()["query"] == "a=b"
    with httpx.Client(transport=SyncASGITransport(echo_app)) as client:
        with pytest.raises(httpx.ReadError):
            client.post("http://sim/reset")


@pytest.mark.parametrize("stack", STACKS)
def test_a_header_the_library_refuses_is_not_sent(stub: StubServer, stack: str) -> None:
    stub.handle(lambda seen: Reply(200, "ok"))
    request = HttpRequest("GET", f"{stub.url}/x", headers={"X-Bad": "a\r\nX-Injected: 1"})
    with pytest.raises(RequestNotSentError, match="invalid request"):
        _exchange(stack, request)
    assert stub.requests == []


def test_a_transport_of_the_other_mode_is_refused_clearly() -> None:
    from omnicloud.errors import ValidationError

    http = SyncHttp(HttpConfig(transport=AsyncInProcessTransport(echo_app)))
    with pytest.raises(ValidationError, match="AsyncInProcessTransport cannot carry sync"):
        http.send(HttpRequest("GET", "http://sim/x"))

    async def go() -> None:
        async_http = AsyncHttp(HttpConfig(async_transport=InProcessTransport(echo_app)))
        await async_http.send(HttpRequest("GET", "http://sim/x"))

    with pytest.raises(ValidationError, match="InProcessTransport cannot carry async"):
        anyio.run(go)


@pytest.mark.parametrize("stack", STACKS)
def test_a_stream_closed_half_read_does_not_spoil_the_next_request(
    stub: StubServer, stack: str
) -> None:
    from omnicloud.http._streaming import StreamingAsyncHttp, StreamingSyncHttp

    body = bytes(range(256)) * 8192  # 2 MiB
    stub.handle(lambda seen: Reply(200, body if seen.path == "/big" else b"small"))
    config = _config(stack)
    big = HttpRequest("GET", f"{stub.url}/big", operation="get")
    small = HttpRequest("GET", f"{stub.url}/small", operation="get")
    if stack.startswith("sync"):
        http = StreamingSyncHttp(config)
        try:
            stream = http.open(big)
            assert stream.read(10) == body[:10]
            stream.close()
            assert http.send(small).content == b"small"
        finally:
            http.close()
        return

    async def go() -> None:
        async_http = StreamingAsyncHttp(config)
        try:
            stream = await async_http.open(big)
            assert body.startswith(await stream.aread(10))
            await stream.aclose()
            assert (await async_http.send(small)).content == b"small"
        finally:
            await async_http.aclose()

    anyio.run(go, backend="trio" if stack.startswith("trio") else "asyncio")


def test_in_process_transports_load_no_http_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys, anyio\n"
        "from omnicloud.http import AsyncHttp, HttpConfig, HttpRequest, SyncHttp\n"
        "from omnicloud.sim.transport import AsyncInProcessTransport, InProcessTransport\n"
        "async def echo_app(scope, receive, send):\n"
        "    await receive()\n"
        "    await send({'type': 'http.response.start', 'status': 201, 'headers': []})\n"
        "    await send({'type': 'http.response.body', 'body': b'{}'})\n"
        "request = HttpRequest('GET', 'http://sim/x')\n"
        "http = SyncHttp(HttpConfig(transport=InProcessTransport(echo_app)))\n"
        "assert http.send(request).status == 201\n"
        "http.close()\n"
        "async def go():\n"
        "    config = HttpConfig(async_transport=AsyncInProcessTransport(echo_app))\n"
        "    assert (await AsyncHttp(config).send(request)).status == 201\n"
        "anyio.run(go)\n"
        "names = ('httpx', 'httpcore', 'urllib3', 'aiohttp')\n"
        "print(sorted(name for name in names if name in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
