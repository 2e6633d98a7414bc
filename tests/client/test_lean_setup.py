"""What a client loads before its first request: no httpx CLI, no TLS context for plain HTTP,
one shared TLS context per setting."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
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


def _python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_httpx_cli_is_not_loaded_with_httpx() -> None:
    # httpx would import its CLI (click, rich, pygments) because they are installed here
    for name in ("click", "rich", "pygments"):
        assert importlib.util.find_spec(name) is not None, f"{name} should be installed"
    loaded = _python(
        "import sys, omnicloud, httpx; "
        "print(sorted(m for m in ('click', 'rich', 'pygments') if m in sys.modules), "
        "hasattr(sys.modules['httpx._main'], '__file__'))"
    )
    assert loaded == "[] False"


def test_httpx_cli_still_runs_when_called() -> None:
    out = _python(
        "import sys, omnicloud, httpx\n"
        "sys.argv = ['httpx', '--help']\n"
        "try:\n    httpx.main()\nexcept SystemExit as exit:\n    print('exit', exit.code)\n"
    )
    assert "Usage: httpx" in out and out.endswith("exit 0")


def test_httpx_imported_first_is_left_alone() -> None:
    out = _python("import sys, httpx, omnicloud; print(sys.modules['httpx._main'].__file__)")
    assert out.endswith(os.path.join("httpx", "_main.py"))


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
