"""S3-compatible test servers, started once per session (per xdist worker) on free loopback ports.

Registered once in ``tests/conftest.py``, so every test package shares one of each.

* moto: ``moto_server`` from .venv, as a subprocess (so big transfers do not share our GIL);
* ministack: ``scripts/services/ministack.sh`` (its own venv);
* Swift s3api: ``scripts/services/swift.sh`` (Debian packages).

Each start is tried three times on fresh ports (``tests/support/servers.py``); a server that still
cannot start fails each of its tests with the reason (CI never skips them).
``OMNICLOUD_TEST_SERVERS=moto`` limits the S3 servers used on a machine that cannot run the others.
With pytest-xdist every worker starts its own servers; installing a service into the shared
``SERVICES_DIR`` is done by one worker at a time.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.servers import exclusive, free_port, start_server

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


def _wait(url: str, seconds: float, process: subprocess.Popen[bytes] | None = None) -> bool:
    """Whether ``url`` answers below 500 within ``seconds`` (False at once if ``process`` exits)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code < 500:
                return True
        time.sleep(0.1)
    return False


def _wait_s3(server: S3Server, seconds: float = 30) -> None:
    """Wait until an authenticated bucket and object round trip works: every backend is up
    (Swift's object server answers only object requests) and auth is ready."""
    client: Any = server.boto3()
    deadline = time.monotonic() + seconds
    while True:
        try:
            name = f"ready-{uuid.uuid4().hex[:12]}"
            client.create_bucket(Bucket=name)
            client.put_object(Bucket=name, Key="probe", Body=b"ready")
            if client.get_object(Bucket=name, Key="probe")["Body"].read() != b"ready":
                raise RuntimeError(f"{server.name} gave back another body for the probe object")
            client.delete_object(Bucket=name, Key="probe")
            client.delete_bucket(Bucket=name)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[S3Server]:
    exe = Path(sys.executable).with_name("moto_server")

    def start(attempt: int) -> tuple[S3Server, subprocess.Popen[bytes]]:
        port = free_port()
        process = subprocess.Popen(
            [str(exe), "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not _wait(f"http://127.0.0.1:{port}/moto-api/", 20, process):
            _stop(process)
            raise TimeoutError(f"moto_server on port {port} did not answer within 20 s")
        return S3Server("moto", f"http://127.0.0.1:{port}", "AKIDMOTO", "moto-secret-key"), process

    server, process = start_server("moto", start)
    try:
        yield server
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def _run_service(
    script: str, port: int, timeout: float, installed: bool
) -> subprocess.CompletedProcess[str]:
    """``scripts/services/SCRIPT PORT``; while the service is not ``installed`` yet, one worker at
    a time (parallel workers share SERVICES_DIR and the system's package manager)."""
    env = {**os.environ, "OMNICLOUD_SERVICES_DIR": SERVICES_DIR}
    command = ["bash", str(ROOT / "scripts/services" / script), str(port)]
    lock = exclusive(Path(SERVICES_DIR, ".install.lock")) if not installed else nullcontext()
    with lock:
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)


def _stop_ministack(port: int) -> None:
    pid = Path(SERVICES_DIR, f"ministack-{port}.pid")
    with contextlib.suppress(OSError, ValueError):
        os.kill(int(pid.read_text()), 15)
    for leftover in (pid, Path(SERVICES_DIR, f"ministack-{port}.log")):
        leftover.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def ministack_server() -> Iterator[S3Server]:
    def start(attempt: int) -> S3Server:
        port = free_port()
        installed = Path(SERVICES_DIR, "ministack-venv", "bin", "ministack").exists()
        done = _run_service("ministack.sh", port, timeout=300, installed=installed)
        try:
            if done.returncode != 0:
                raise RuntimeError(f"ministack.sh failed: {done.stderr.strip()[-300:]}")
            server = S3Server("ministack", f"http://127.0.0.1:{port}", "test", "test")
            _wait_s3(server)
        except BaseException:
            _stop_ministack(port)
            raise
        return server

    server = start_server("ministack", start)
    try:
        yield server
    finally:
        _stop_ministack(int(server.endpoint.rsplit(":", 1)[1]))


def _stop_swift(port: int) -> None:
    env = {**os.environ, "OMNICLOUD_SERVICES_DIR": SERVICES_DIR}
    script = str(ROOT / "scripts/services/swift.sh")
    subprocess.run(["bash", script, str(port), "stop"], env=env, check=False, timeout=60)
    shutil.rmtree(Path(SERVICES_DIR, f"swift-{port}"), ignore_errors=True)


@pytest.fixture(scope="session")
def swift_server() -> Iterator[S3Server]:
    def start(attempt: int) -> S3Server:
        port = free_port(block=5)
        installed = all(map(shutil.which, ("swift-proxy-server", "memcached")))
        done = _run_service("swift.sh", port, timeout=600, installed=installed)
        try:
            if done.returncode != 0:
                raise RuntimeError(f"swift.sh failed: {done.stderr.strip()[-300:]}")
            server = S3Server("swift", f"http://127.0.0.1:{port}", "test:tester", "testing")
            _wait_s3(server)
        except BaseException:
            _stop_swift(port)
            raise
        return server

    server = start_server("swift", start)
    try:
        yield server
    finally:
        _stop_swift(int(server.endpoint.rsplit(":", 1)[1]))


S3_SERVERS = [name for name in ("moto", "ministack", "swift") if name in SELECTED]
