"""A path with ``.``/``..`` segments goes out as written over every transport (no private API).

``stream=True`` takes the path through httpx's request building instead of the direct one.
"""

from __future__ import annotations

import anyio
import httpx
import pytest

from omnicloud.http import AsyncHttp, HttpConfig, HttpRequest, SyncHttp
from tests.support.stub_server import Reply, StubServer

PATH = "/bkt/logs/../x/./y"


def _configs() -> dict[str, HttpConfig]:
    own = HttpConfig(trust_env=False)
    sync_httpx = HttpConfig(trust_env=False)
    sync_httpx.transport = httpx.HTTPTransport()
    async_httpx = HttpConfig(trust_env=False)
    async_httpx.async_transport = httpx.AsyncHTTPTransport()
    return {"omnicloud": own, "httpx": sync_httpx, "httpx-async": async_httpx}


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("stack", ["omnicloud", "httpx"])
def test_dot_segments_reach_the_server(
    stub: StubServer, mode: str, stack: str, stream: bool
) -> None:
    stub.handle(lambda seen: Reply(200, {"ok": True}))
    request = HttpRequest("GET", f"{stub.url}{PATH}?a=1", stream=stream, operation="get")
    config = _configs()["httpx-async" if stack == "httpx" and mode == "async" else stack]

    if mode == "sync":
        http = SyncHttp(config)
        try:
            assert http.send(request).status == 200
        finally:
            http.close()
    else:

        async def go() -> None:
            http = AsyncHttp(config)
            try:
                assert (await http.send(request)).status == 200
            finally:
                await http.aclose()

        anyio.run(go)
    assert [seen.target for seen in stub.requests] == [f"{PATH}?a=1"]
