"""``omnicloud sim serve cloudstack`` as users run it: banner, keys stable per state file."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from omnicloud.cli import main
from tests.support.sim_serve import sim_serving


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)


@contextmanager
def serving(*args: str) -> Iterator[dict[str, str]]:
    keys = ("CloudStack simulator", "API key", "Secret key")
    with sim_serving("cloudstack", *args, keys=keys) as banner:
        endpoint, key, secret = (banner[name] for name in keys)
        wait_for_port(int(endpoint.split(":")[2].split("/")[0]))
        yield {"endpoint": endpoint, "key": key, "secret": secret}


def test_serve_and_call_with_printed_keys(tmp_path: Path) -> None:
    state = tmp_path / "sim.db"
    port = str(free_port())
    with serving("--port", port, "--state", str(state)) as first:
        env = {
            **os.environ,
            "CLOUDSTACK_ENDPOINT": first["endpoint"],
            "CLOUDSTACK_KEY": first["key"],
            "CLOUDSTACK_SECRET": first["secret"],
        }
        result = subprocess.run(
            [sys.executable, "-m", "omnicloud", "cs", "listZones"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert "Sandbox-Basic" in result.stdout
    with serving("--port", str(free_port()), "--state", str(state)) as second:
        assert (second["key"], second["secret"]) == (first["key"], first["secret"])


def test_bad_port_is_a_usage_error() -> None:
    assert main(["sim", "serve", "cloudstack", "--port", "70000"]) == 2


def test_serve_cloudsigma_and_call_it_with_the_printed_password(tmp_path: Path) -> None:
    from omnicloud.cloudsigma import CloudSigma

    port = free_port()
    state = tmp_path / "sigma.db"
    keys = ("CloudSigma simulator", "username", "password")
    with sim_serving("cloudsigma", "--port", str(port), "--state", str(state), keys=keys) as banner:
        wait_for_port(port)
        with CloudSigma(
            banner["username"], banner["password"], endpoint=banner["CloudSigma simulator"]
        ) as client:
            assert float(client.get("balance")["balance"]) > 0
            assert len(client.list("libdrives")) >= 5
