"""The async runner's aiohttp transport: when it is used, and what it sends and receives."""

from __future__ import annotations

import gzip
import json

import anyio
import httpx
import pytest

from omnicloud.errors import TransportError
from omnicloud.http import AsyncHttp, HttpConfig, HttpRequest, send_with_retries
from omnicloud.http._aiohttp import AiohttpTransport, async_transport
from tests.support.stub_server import Reply, Seen, StubServer


def test_aiohttp_under_asyncio_and_httpx_for_proxies_and_http2() -> None:
    async def chosen(config: HttpConfig) -> object:
        transport = async_transport(config)
        if isinstance(transport, AiohttpTransport):
            await transport.aclose()
        return transport

    assert isinstance(anyio.run(chosen, HttpConfig(trust_env=False)), AiohttpTransport)
    assert anyio.run(chosen, HttpConfig(proxy="http://127.0.0.1:9")) is None
    assert anyio.run(chosen, HttpConfig(http2=True, trust_env=False)) is None
    assert async_transport(HttpConfig(trust_env=False)) is None  # no running loop


def _send(stub: StubServer, request: HttpRequest) -> tuple[int, bytes, str]:
    async def go() -> tuple[int, bytes, str]:
        http = AsyncHttp(HttpConfig(trust_env=False))
        try:
            response = await http.run(send_with_retries(request, http.config.retry))
            kind = type(http.client._transport).__name__  # what actually carried it
        finally:
            await http.aclose()
        return response.status, response.content, kind

    return anyio.run(go)


def test_streamed_body_headers_and_gzip_round_trip(stub: StubServer) -> None:
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
    status, content, kind = _send(stub, request)
    assert kind == "AiohttpTransport"
    assert status == 201
    assert json.loads(content) == {
        "size": 100_000,
        "type": "application/octet-stream",
        "x": "kept",
    }


def test_dropped_connection_is_a_transport_error(stub: StubServer) -> None:
    stub.handle(lambda seen: Reply(reset=True))
    request = HttpRequest("POST", f"{stub.url}/create", content=b"{}", operation="create thing")
    with pytest.raises(TransportError, match="create thing"):
        _send(stub, request)
    assert len(stub.requests) == 1  # a POST is never resent


def test_dropped_get_is_not_resent_by_aiohttp(stub: StubServer) -> None:
    # aiohttp resends an idempotent request whose connection drops; retries are ours to decide
    stub.handle(lambda seen: Reply(reset=True))
    url = f"{stub.url}/client/api?command=deployVirtualMachine"
    request = HttpRequest("GET", url, operation="deploy", idempotent=False)
    with pytest.raises(TransportError, match="deploy: connection failed"):
        _send(stub, request)
    assert len(stub.requests) == 1


def test_connection_count_sees_pooled_connections_until_closed(stub: StubServer) -> None:
    stub.handle(lambda seen: Reply(200, {"ok": True}))

    async def go() -> tuple[int, int, int]:
        transport = AiohttpTransport(HttpConfig(trust_env=False))
        before = transport.connection_count()
        fetched = await transport.fetch("GET", f"{stub.url}/ping", [], None, httpx.Timeout(5))
        assert fetched.status == 200
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
