"""Storage test servers, started once per session on free loopback ports.

* moto: ``moto_server`` from .venv, as a subprocess (so big transfers do not share our GIL);
* ministack: ``scripts/services/ministack.sh`` (its own venv);
* Swift s3api: ``scripts/services/swift.sh`` (Debian packages).

A server that cannot start fails its tests (CI never skips them); ``OMNICLOUD_TEST_SERVERS=moto``
limits the S3 servers used on a machine that cannot run the others.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES_DIR = os.environ.get("OMNICLOUD_SERVICES_DIR") or str(
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "omnicloud-services"
)
SELECTED = {
    name.strip()
    for name in os.environ.get("OMNICLOUD_TEST_SERVERS", "moto,ministack,swift").split(",")
}


@dataclass(frozen=True)
class S3Server:
    """A running S3-compatible server."""

    name: str
    endpoint: str
    key: str
    secret: str
    region: str = "us-east-1"

    def driver_kwargs(self) -> dict[str, object]:
        return {"endpoint": self.endpoint, "region": self.region}

    def boto3(self) -> object:
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.key,
            aws_secret_access_key=self.secret,
            region_name=self.region,
            config=Config(s3={"addressing_style": "path"}),
        )


def free_port(block: int = 1) -> int:
    """A port P such that P..P+block-1 are free on 127.0.0.1."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + block >= 65000:
            continue
        if all(_is_free(base + offset) for offset in range(1, block)):
            return base
    raise RuntimeError("no free port block")


def _is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code < 500:
                return True
        time.sleep(0.1)
    return False


def _wait_s3(server: S3Server, seconds: float = 30) -> None:
    """Wait until an authenticated bucket create/delete works (backends up, auth ready)."""
    client: Any = server.boto3()
    deadline = time.monotonic() + seconds
    while True:
        try:
            name = unique("ready")
            client.create_bucket(Bucket=name)
            client.delete_bucket(Bucket=name)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[S3Server]:
    port = free_port()
    exe = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(
        [str(exe), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        if not _wait(f"http://127.0.0.1:{port}/moto-api/", 20):
            pytest.fail("moto_server did not start")
        yield S3Server("moto", f"http://127.0.0.1:{port}", "AKIDMOTO", "moto-secret-key")
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="session")
def ministack_server() -> Iterator[S3Server]:
    port = free_port()
    env = {**os.environ, "OMNICLOUD_SERVICES_DIR": SERVICES_DIR}
    done = subprocess.run(
        ["bash", str(ROOT / "scripts/services/ministack.sh"), str(port)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        pytest.fail(f"ministack could not start: {done.stderr.strip()[-300:]}")
    server = S3Server("ministack", f"http://127.0.0.1:{port}", "test", "test")
    _wait_s3(server)
    try:
        yield server
    finally:
        pid = Path(SERVICES_DIR, f"ministack-{port}.pid")
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(pid.read_text()), 15)
        for leftover in (pid, Path(SERVICES_DIR, f"ministack-{port}.log")):
            leftover.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def swift_server() -> Iterator[S3Server]:
    port = free_port(block=5)
    env = {**os.environ, "OMNICLOUD_SERVICES_DIR": SERVICES_DIR}
    script = str(ROOT / "scripts/services/swift.sh")
    done = subprocess.run(
        ["bash", script, str(port)], env=env, capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        pytest.fail(f"Swift could not start: {done.stderr.strip()[-300:]}")
    server = S3Server("swift", f"http://127.0.0.1:{port}", "test:tester", "testing")
    _wait_s3(server)
    try:
        yield server
    finally:
        subprocess.run(["bash", script, str(port), "stop"], env=env, check=False, timeout=60)
        import shutil

        shutil.rmtree(Path(SERVICES_DIR, f"swift-{port}"), ignore_errors=True)


S3_SERVERS = [name for name in ("moto", "ministack", "swift") if name in SELECTED]


@pytest.fixture(params=S3_SERVERS)
def s3_server(request: pytest.FixtureRequest) -> S3Server:
    server: S3Server = request.getfixturevalue(f"{request.param}_server")
    return server


def unique(prefix: str = "oc") -> str:
    """A fresh, DNS-safe container name."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"
