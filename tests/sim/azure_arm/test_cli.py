"""``omnicloud sim serve azure`` as users run it: the banner, then the SDKs with what it printed;
and the TLS options of the shared server helpers."""

from __future__ import annotations

import re
import signal
import ssl
import subprocess
import sys
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest

from omnicloud.errors import ConfigurationError
from omnicloud.sim.azure import AzureState, create_app, ensure_certificate
from omnicloud.sim.server import display_url, serve_in_thread
from tests.support.sim_serve import sim_serving

KEYS = (
    "Azure endpoint",
    "Authority",
    "Tenant",
    "Client id",
    "Client secret",
    "Subscription",
    "Resource group",
    "Location",
    "CA file",
    "State",
)


def serving(*args: str, stop: int = signal.SIGTERM) -> AbstractContextManager[dict[str, str]]:
    return sim_serving("azure", *args, keys=KEYS, stop=stop)


def test_sim_serve_azure_prints_working_credentials(tmp_path: Path) -> None:
    from azure.identity import ClientSecretCredential
    from azure.mgmt.compute import ComputeManagementClient

    state = tmp_path / "azure.db"
    with serving("--port", "0", "--state", str(state), "--latency", "0") as first:
        url = first["Azure endpoint"]
        assert re.fullmatch(r"https://127\.0\.0\.1:\d+", url) and not url.endswith(":0")
        assert first["Authority"] == url
        assert Path(first["CA file"]).parent == tmp_path
        assert first["Resource group"] == "omnicloud-rg" and first["Location"] == "eastus"
        credential = ClientSecretCredential(
            first["Tenant"],
            first["Client id"],
            first["Client secret"],
            authority=url,
            disable_instance_discovery=True,
            connection_verify=first["CA file"],
        )
        with ComputeManagementClient(
            credential, first["Subscription"], base_url=url, connection_verify=first["CA file"]
        ) as compute:
            sizes = {s.name for s in compute.virtual_machine_sizes.list(first["Location"])}
        assert "Standard_B1s" in sizes
    with serving("--port", "0", "--state", str(state)) as second:
        assert second["Client secret"] == first["Client secret"]
        assert second["CA file"] == first["CA file"]


def _trusting(cert: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cert))


def test_in_memory_banner_uses_a_temporary_certificate() -> None:
    with serving("--port", "0", stop=signal.SIGINT) as banner:
        assert banner["State"] == "in memory"
        cert = Path(banner["CA file"])
        assert cert.exists()
        health = httpx.get(f"{banner['Azure endpoint']}/sim/health", verify=_trusting(cert))
        assert health.json()["subscription"] == banner["Subscription"]
    assert not cert.exists()  # Ctrl+C: the temporary directory went with the server


def test_ensure_certificate_reuses_a_valid_pair(tmp_path: Path) -> None:
    cert, key = ensure_certificate(tmp_path)
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    before = cert.read_bytes()
    assert ensure_certificate(tmp_path) == (cert, key)
    assert cert.read_bytes() == before
    key.write_text("garbage")
    ensure_certificate(tmp_path)
    assert cert.read_bytes() != before  # an unusable pair is replaced


def test_serve_in_thread_with_tls(tmp_path: Path) -> None:
    cert, key = ensure_certificate(tmp_path)
    state = AzureState()
    try:
        with serve_in_thread(create_app(state), ssl_certfile=cert, ssl_keyfile=key) as server:
            assert server.url == f"https://127.0.0.1:{server.port}"
            with httpx.Client(verify=_trusting(cert)) as client:
                assert client.get(f"{server.url}/sim/health").json()["status"] == "ok"
            with httpx.Client(verify=True) as strict, pytest.raises(httpx.ConnectError):
                strict.get(f"{server.url}/sim/health")  # self-signed: untrusted by default
            localhost = f"https://localhost:{server.port}/sim/health"
            assert httpx.get(localhost, verify=_trusting(cert)).status_code == 200
        with pytest.raises(ValueError):
            serve_in_thread(create_app(state), ssl_certfile=cert)
    finally:
        state.close()
    assert display_url("0.0.0.0", 8443, scheme="https") == "https://127.0.0.1:8443"
    assert display_url("127.0.0.1", 80) == "http://127.0.0.1:80"


def test_unusable_places_are_configuration_errors(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(ConfigurationError, match="cannot write the TLS certificate"):
        ensure_certificate(blocker)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "omnicloud",
            "sim",
            "serve",
            "azure",
            "--port",
            "0",
            "--state",
            "/etc/passwd",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("Error:") and "Client secret" not in done.stdout
