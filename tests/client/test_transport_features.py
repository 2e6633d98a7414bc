"""Transport features against a real server: proxies from the environment, gzip, debug env var."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pytest

from omnicloud.cloudstack import CloudStack
from omnicloud.http import HttpRequest, SyncHttp, send_with_retries
from tests.support.fake_cloudstack import KEY, SECRET, FakeCloudStack, ok
from tests.support.stub_server import Reply, Seen, StubServer


def test_proxy_from_environment(stub: StubServer, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", stub.url)
    stub.handle(FakeCloudStack(listZones=lambda s: ok("listZones", {"count": 0})))
    with CloudStack("http://cloud.invalid/client/api", KEY, SECRET) as client:
        assert client.listZones() == {"count": 0}
    (seen,) = stub.requests
    assert seen.headers.get("Host") == "cloud.invalid"


def test_gzip_responses_are_decoded(stub: StubServer) -> None:
    body = gzip.compress(
        json.dumps({"listzonesresponse": {"count": 1, "zone": [{"id": "z"}]}}).encode()
    )

    def handler(seen: Seen) -> Reply:
        assert "gzip" in seen.headers.get("Accept-Encoding", "")
        return Reply(200, body, {"Content-Type": "application/json", "Content-Encoding": "gzip"})

    stub.handle(FakeCloudStack(listZones=handler))
    with CloudStack(f"{stub.url}/client/api", KEY, SECRET) as client:
        assert client.listZones()["zone"] == [{"id": "z"}]


def test_streaming_request_body(stub: StubServer) -> None:
    stub.handle(lambda seen: Reply(200, {"size": len(seen.body)}))
    chunks = (b"x" * 1000 for _ in range(50))
    http = SyncHttp()
    try:
        request = HttpRequest("PUT", f"{stub.url}/upload", content=chunks, operation="upload")
        response = http.run(send_with_retries(request, http.config.retry))
    finally:
        http.close()
    assert response.json() == {"size": 50_000}


def test_omnicloud_debug_env_traces(stub: StubServer) -> None:
    stub.handle(FakeCloudStack(listZones=lambda s: ok("listZones", {})))
    env = {
        "OMNICLOUD_DEBUG": "1",
        "CLOUDSTACK_ENDPOINT": f"{stub.url}/client/api",
        "CLOUDSTACK_KEY": KEY,
        "CLOUDSTACK_SECRET": SECRET,
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-m", "omnicloud", "cs", "listZones"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "> GET" in result.stderr and "< HTTP 200" in result.stderr
    assert KEY not in result.stderr and SECRET not in result.stderr
    assert stub.requests[0].params["signature"] not in result.stderr


def test_streamed_reads_over_urllib3_come_in_exact_sizes(stub: StubServer) -> None:
    """A streamed body (downloads) is read in pieces of exactly the size asked for, the last
    one shorter; the same client then streams the next response as well."""
    from omnicloud.http._streaming import StreamingSyncHttp

    body = bytes(range(256)) * 4000 + b"tail"  # 1,024,004 bytes
    stub.handle(lambda seen: Reply(200, body, {"Content-Type": "application/octet-stream"}))
    http = StreamingSyncHttp()
    try:
        for _ in range(2):
            stream = http.open(HttpRequest("GET", f"{stub.url}/object", operation="get"))
            sizes, got = [], bytearray()
            while piece := stream.read(300_000):
                sizes.append(len(piece))
                got += piece
            stream.close()
            assert bytes(got) == body
            assert sizes == [300_000, 300_000, 300_000, 124_004]
    finally:
        http.close()
    assert len(stub.requests) == 2
