"""``omnicloud sim serve cloudstack`` as users run it: banner, keys stable per state file."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from omnicloud.cli import main


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(*args: str) -> Iterator[dict[str, str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "omnicloud", "sim", "serve", "cloudstack", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        banner: dict[str, str] = {}
        deadline = time.monotonic() + 30
        assert process.stdout is not None
        while len(banner) < 3 and time.monotonic() < deadline:
            line = process.stdout.readline()
            if match := re.match(r"CloudStack simulator: (\S+)", line):
                banner["endpoint"] = match.group(1)
            elif match := re.match(r"API key:\s+(\S+)", line):
                banner["key"] = match.group(1)
            elif match := re.match(r"Secret key:\s+(\S+)", line):
                banner["secret"] = match.group(1)
        assert len(banner) == 3, "no banner"
        port = int(banner["endpoint"].split(":")[2].split("/")[0])
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield banner
    finally:
        process.terminate()
        process.wait(timeout=10)


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
    command = [sys.executable, "-m", "omnicloud", "sim", "serve", "cloudsigma"]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--state", str(state)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner: dict[str, str] = {}
        deadline = time.monotonic() + 30
        while len(banner) < 3 and time.monotonic() < deadline:
            line = process.stdout.readline()
            if match := re.match(r"CloudSigma simulator: (\S+)", line):
                banner["endpoint"] = match.group(1)
            elif match := re.match(r"(username|password): (\S+)", line):
                banner[match.group(1)] = match.group(2)
        assert len(banner) == 3, "no banner"
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        with CloudSigma(
            banner["username"], banner["password"], endpoint=banner["endpoint"]
        ) as client:
            assert float(client.get("balance")["balance"]) > 0
            assert len(client.list("libdrives")) >= 5
    finally:
        process.terminate()
        process.wait(timeout=10)
