"""A path with ``.``/``..`` segments goes out as written over every transport (no private API):
omnicloud builds the request target once, urllib3, aiohttp and the in-process transports send it
as built, and httpx gets it in its public ``target`` request extension."""

from __future__ import annotations

import anyio
import httpx
import pytest

from omnicloud.http import AsyncHttp, HttpConfig, HttpRequest, SyncHttp
from omnicloud.http._streaming import StreamingAsyncHttp, StreamingSyncHttp
from tests.support.stub_server import Reply, StubServer

PATH = "/bkt/logs/../x/./y"


def _config(stack: str) -> HttpConfig:
    config = HttpConfig(trust_env=False)
    if stack == "httpx":
        config.transport = httpx.HTTPTransport()
        config.async_transport = httpx.AsyncHTTPTransport()
    return config


@pytest.mark.parametrize("opened", [False, True], ids=["send", "open"])
@pytest.mark.parametrize("mode", ["sync", "asyncio", "trio"])
@pytest.mark.parametrize("stack", ["default", "httpx"])
def test_dot_segments_reach_the_server(
    stub: StubServer, mode: str, stack: str, opened: bool
) -> None:
    stub.handle(lambda seen: Reply(200, {"ok": True}))
    request = HttpRequest("GET", f"{stub.url}{PATH}?a=1", operation="get")
    config = _config(stack)

    if mode == "sync":
        http = StreamingSyncHttp(config) if opened else SyncHttp(config)
        try:
            if isinstance(http, StreamingSyncHttp):
                stream = http.open(request)
                stream.close()
                assert stream.status == 200
            else:
                assert http.send(request).status == 200
        finally:
            http.close()
    else:

        async def go() -> None:
            http = StreamingAsyncHttp(config) if opened else AsyncHttp(config)
            try:
                if isinstance(http, StreamingAsyncHttp):
                    stream = await http.open(request)
                    await stream.aclose()
                    assert stream.status == 200
                else:
                    assert (await http.send(request)).status == 200
            finally:
                await http.aclose()

        anyio.run(go, backend=mode)
    assert [seen.target for seen in stub.requests] == [f"{PATH}?a=1"]
