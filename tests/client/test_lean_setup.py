"""What a client loads before its first request: no TLS context for plain HTTP, one shared TLS
context per setting."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
import trustme

from omnicloud.cloudstack import AsyncCloudStack, CloudStack
from omnicloud.http import HttpConfig
from omnicloud.http import _config as config_module
from tests.support.fake_cloudstack import KEY, SECRET, FakeCloudStack, ok
from tests.support.stub_server import StubServer


@pytest.fixture
def fresh_contexts() -> Iterator[None]:
    config_module._context.cache_clear()
    yield
    config_module._context.cache_clear()


@pytest.mark.usefixtures("fresh_contexts")
def test_plain_http_builds_no_tls_context(stub: StubServer) -> None:
    stub.handle(FakeCloudStack(listZones=lambda s: ok("listZones", {"count": 0})))
    endpoint = f"{stub.url}/client/api"
    with CloudStack(endpoint, KEY, SECRET) as client:
        assert client.listZones() == {"count": 0}

    async def go() -> None:
        async with AsyncCloudStack(endpoint, KEY, SECRET) as client:
            assert await client.listZones() == {"count": 0}

    anyio.run(go)
    assert config_module._context.cache_info().misses == 0


@pytest.mark.usefixtures("fresh_contexts")
def test_tls_context_is_shared_and_reloaded_when_the_bundle_changes(tmp_path: Path) -> None:
    default = HttpConfig().ssl_context()
    assert HttpConfig(read_timeout=5).ssl_context() is default
    bundle = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(bundle))
    custom = HttpConfig(verify=str(bundle)).ssl_context()
    assert custom is not default and HttpConfig(verify=str(bundle)).ssl_context() is custom
    assert len(custom.get_ca_certs()) == 1
    trustme.CA().cert_pem.write_to_path(str(bundle))
    stat = bundle.stat()
    os.utime(bundle, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    reloaded = HttpConfig(verify=str(bundle)).ssl_context()
    assert reloaded is not custom
    assert reloaded.get_ca_certs() != custom.get_ca_certs()


def test_default_transports_never_import_httpx(stub: StubServer) -> None:
    """urllib3 (sync) and aiohttp (asyncio) carry requests with no httpx underneath."""
    import subprocess
    import sys

    stub.handle(FakeCloudStack(listZones=lambda s: ok("listZones", {"count": 0})))
    code = (
        "import sys, anyio\n"
        "from omnicloud.cloudstack import AsyncCloudStack, CloudStack\n"
        f"url, key, secret = {f'{stub.url}/client/api'!r}, {KEY!r}, {SECRET!r}\n"
        "with CloudStack(url, key, secret) as client:\n"
        "    assert client.listZones() == {'count': 0}\n"
        "async def go():\n"
        "    async with AsyncCloudStack(url, key, secret) as client:\n"
        "        assert await client.listZones() == {'count': 0}\n"
        "anyio.run(go)\n"
        "names = ('httpx', 'httpcore', 'urllib3', 'aiohttp')\n"
        "print(sorted(name for name in names if name in sys.modules))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "NO_PROXY": "*"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['aiohttp', 'urllib3']"
