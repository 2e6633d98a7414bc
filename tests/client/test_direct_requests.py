"""Requests the runners send without httpx's client (urllib3 in sync code, aiohttp under asyncio):
the same bytes on the wire as httpx's request building, decoded answers, mapped failures,
redacted traces. Every test runs both ways."""

from __future__ import annotations

import gzip
import logging
import zlib
from collections.abc import Callable

import anyio
import pytest

from omnicloud.errors import RequestNotSentError, TransportError
from omnicloud.http import AsyncHttp, HttpConfig, HttpRequest, HttpResponse, SyncHttp
from omnicloud.http._direct import direct_body, direct_url
from tests.support.stub_server import Reply, Seen, StubServer

ODD = "a b+c/d?e&f=g~h*i'j(k)l!m,n;o:p@q$r%s\u00e9\u4e2d"


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _exchange(
    request: HttpRequest, *, direct: bool, mode: str, config: HttpConfig | None = None
) -> tuple[HttpResponse, bool]:
    """Send ``request`` once; ``direct=False`` forces httpx's request building."""
    config = config or HttpConfig(trust_env=False)
    if mode == "sync":
        http = SyncHttp(config)
        try:
            http.client  # noqa: B018 - creates the client and picks the transport
            used = http._direct is not None
            if not direct:
                http._direct = None
            return http.send(request), used
        finally:
            http.close()

    async def go() -> tuple[HttpResponse, bool]:
        http = AsyncHttp(config)
        try:
            http.client  # noqa: B018 - creates the client and picks the transport
            used = http._direct is not None
            if not direct:
                http._direct = None
            return await http.send(request), used
        finally:
            await http.aclose()

    return anyio.run(go)


def _wire(seen: Seen) -> tuple[str, str, dict[str, str], bytes]:
    headers = {k.lower(): v for k, v in seen.headers.items() if k.lower() != "connection"}
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
    "delete without body": lambda url: HttpRequest("DELETE", f"{url}/bucket/key"),
}


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_direct_request_is_what_httpx_would_send(stub: StubServer, name: str, mode: str) -> None:
    stub.handle(lambda seen: Reply(200, "ok"))
    config = HttpConfig(trust_env=False, headers={"X-Configured": "yes"})
    request = REQUESTS[name](stub.url)
    direct, used = _exchange(request, direct=True, mode=mode, config=config)
    assert used, "urllib3 (sync) or aiohttp (asyncio) carries requests"
    via_httpx, _ = _exchange(request, direct=False, mode=mode, config=config)
    assert direct.status == via_httpx.status == 200
    assert direct.content == via_httpx.content == b"ok"
    first, second = stub.requests[-2:]
    assert _wire(first) == _wire(second)
    assert _wire(first)[2]["x-configured"] == "yes"


def test_request_headers_replace_defaults_by_name(stub: StubServer, mode: str) -> None:
    stub.handle(lambda seen: Reply(200, "ok"))
    _exchange(REQUESTS["put bytes with headers"](stub.url), direct=True, mode=mode)
    seen = {k.lower(): v for k, v in stub.requests[-1].headers.items()}
    assert seen["user-agent"] == "mine/1.0"
    assert seen["content-type"] == "text/plain"
    assert seen["content-length"] == "700"
    assert seen["accept-encoding"] == "gzip, deflate"


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
    stub: StubServer, coding: str, encode: Callable[[bytes], bytes], mode: str
) -> None:
    body = b'{"listzonesresponse": {}}' * 50
    stub.handle(lambda seen: Reply(200, encode(body), {"Content-Encoding": coding}))
    response, _ = _exchange(HttpRequest("GET", f"{stub.url}/x"), direct=True, mode=mode)
    assert response.content == body
    assert response.headers["content-encoding"] == coding  # a case-insensitive mapping


def test_empty_encoded_answer_is_empty(stub: StubServer, mode: str) -> None:
    stub.handle(lambda seen: Reply(204, b"", {"Content-Encoding": "deflate"}))
    response, _ = _exchange(HttpRequest("DELETE", f"{stub.url}/x"), direct=True, mode=mode)
    assert (response.status, response.content) == (204, b"")


def test_undecodable_answer_is_a_transport_error(stub: StubServer, mode: str) -> None:
    stub.handle(lambda seen: Reply(200, b"not gzip at all", {"Content-Encoding": "gzip"}))
    with pytest.raises(TransportError, match="does not decode"):
        _exchange(HttpRequest("GET", f"{stub.url}/x", operation="fetch"), direct=True, mode=mode)


def test_urls_needing_normalising_are_left_to_httpx(stub: StubServer, mode: str) -> None:
    assert direct_url(HttpRequest("GET", f"{stub.url}/a b")) is None
    assert direct_url(HttpRequest("GET", "http://bücher.example/x")) is None
    assert direct_url(HttpRequest("GET", "http://[::1]:80/x")) is None
    assert direct_url(HttpRequest("GET", "http://example.com")) is None  # no path
    assert direct_url(HttpRequest("GET", f"{stub.url}/a%20b?c=d")) == f"{stub.url}/a%20b?c=d"
    assert direct_body(HttpRequest("PUT", stub.url, content=iter([b"x"]))) is None
    stub.handle(lambda seen: Reply(200, seen.target))
    response, _ = _exchange(HttpRequest("GET", f"{stub.url}/a b"), direct=True, mode=mode)
    assert response.content == b"/a%20b"  # httpx percent-encoded the space


def test_refused_connection_is_not_sent(mode: str) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = HttpRequest("GET", f"http://127.0.0.1:{port}/x", operation="probe")
    with pytest.raises(RequestNotSentError, match="probe: could not connect"):
        _exchange(request, direct=True, mode=mode)


def test_direct_trace_redacts_secrets(
    stub: StubServer, caplog: pytest.LogCaptureFixture, mode: str
) -> None:
    stub.handle(lambda seen: Reply(200, "ok"))
    request = HttpRequest(
        "GET",
        f"{stub.url}/client/api",
        params=[("command", "listZones"), ("signature", "SIGNATURE-VALUE")],
        headers={"Authorization": "Basic c2VjcmV0LXZhbHVl"},
    )
    with caplog.at_level(logging.DEBUG, logger="omnicloud.http"):
        _exchange(request, direct=True, mode=mode)
    text = caplog.text
    assert "> GET" in text and "listZones" in text
    assert "SIGNATURE-VALUE" not in text
    assert "c2VjcmV0LXZhbHVl" not in text
