"""Servers for the benchmarks, each in a process of its own on a free 127.0.0.1 port.

* the CloudStack simulator (``python -m bench._servers cloudstack``), wrapped in a small ASGI
  middleware that counts API requests per command (``GET /bench/stats``, ``POST /bench/reset``);
* the S3 servers the storage tests use, started and stopped exactly as tests/support/s3servers.py
  does: moto (``.venv/bin/moto_server``), ministack and Swift s3api (``scripts/services/*.sh``),
  ready once an authenticated bucket create/delete works;
* a null server (``python -m bench._servers null``) that answers every request at once with the
  same tiny body: what an HTTP client costs when the server costs nothing.

The benchmark parent never imports a client library: readiness checks run in a child.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
SERVICES_DIR = os.environ.get("OMNICLOUD_SERVICES_DIR") or str(
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "omnicloud-services"
)


def free_port(block: int = 1) -> int:
    """A port P such that P..P+block-1 are free on 127.0.0.1."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = int(probe.getsockname()[1])
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


def wait_port(port: int, timeout: float = 60.0) -> None:
    """Wait until something accepts TCP connections on 127.0.0.1:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def _wait_http(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status < 500:
                    return True
        except urllib.error.HTTPError as error:
            if error.code < 500:
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


# ---------------------------------------------------------------------------------- S3 servers
@dataclass(frozen=True)
class S3Server:
    """A running S3-compatible server."""

    name: str
    endpoint: str
    key: str
    secret: str
    region: str = "us-east-1"

    def args(self) -> list[str]:
        """Command-line form for child processes."""
        return [self.endpoint, self.key, self.secret, self.region]


_READY = """
import sys, time, uuid
import boto3
from botocore.config import Config
endpoint, key, secret, region = sys.argv[1:5]
client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=key,
                      aws_secret_access_key=secret, region_name=region,
                      config=Config(s3={"addressing_style": "path"}))
deadline = time.monotonic() + float(sys.argv[5])
while True:
    try:
        name = "ready-" + uuid.uuid4().hex[:12]
        client.create_bucket(Bucket=name)
        client.delete_bucket(Bucket=name)
        break
    except Exception:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.2)
"""


def wait_s3(server: S3Server, seconds: float = 60) -> None:
    """Wait until an authenticated bucket create/delete works (backends up, auth ready)."""
    subprocess.run(
        [sys.executable, "-c", _READY, *server.args(), str(seconds)],
        check=True,
        timeout=seconds + 60,
        capture_output=True,
    )


@contextlib.contextmanager
def moto() -> Iterator[S3Server]:
    port = free_port()
    exe = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(
        [str(exe), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        if not _wait_http(f"http://127.0.0.1:{port}/moto-api/", 30):
            raise RuntimeError("moto_server did not start")
        server = S3Server("moto", f"http://127.0.0.1:{port}", "AKIDMOTO", "moto-secret-key")
        wait_s3(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@contextlib.contextmanager
def ministack() -> Iterator[S3Server]:
    port = free_port()
    env = {**os.environ, "OMNICLOUD_SERVICES_DIR": SERVICES_DIR}
    done = subprocess.run(
        ["bash", str(ROOT / "scripts/services/ministack.sh"), str(port)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    pid = Path(SERVICES_DIR, f"ministack-{port}.pid")
    try:
        if done.returncode != 0:
            raise RuntimeError(f"ministack could not start: {done.stderr.strip()[-300:]}")
        server = S3Server("ministack", f"http://127.0.0.1:{port}", "test", "test")
        wait_s3(server)
        yield server
    finally:
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(pid.read_text()), 15)
        for leftover in (pid, Path(SERVICES_DIR, f"ministack-{port}.log")):
            leftover.unlink(missing_ok=True)


@contextlib.contextmanager
def swift() -> Iterator[S3Server]:
    port = free_port(block=5)
    env = {**os.environ, "OMNICLOUD_SERVICES_DIR": SERVICES_DIR}
    script = str(ROOT / "scripts/services/swift.sh")
    try:
        done = subprocess.run(
            ["bash", script, str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"Swift could not start: {done.stderr.strip()[-300:]}")
        server = S3Server("swift", f"http://127.0.0.1:{port}", "test:tester", "testing")
        wait_s3(server)
        yield server
    finally:
        subprocess.run(["bash", script, str(port), "stop"], env=env, check=False, timeout=60)
        shutil.rmtree(Path(SERVICES_DIR, f"swift-{port}"), ignore_errors=True)


S3_SERVERS = {"moto": moto, "ministack": ministack, "swift": swift}


# ---------------------------------------------------------------------------------- CloudStack
class CountingApp:
    """ASGI middleware: counts CloudStack API requests by command and notes, per command, when
    the first one arrived and the last answer was sent. ``GET /bench/stats`` reports
    ``{"counts": {...}, "spans": {command: [first start, last end]}}`` (seconds);
    ``/bench/reset`` reports and starts afresh."""

    _COMMAND = re.compile(rb"(?:^|&)command=([^&]*)")

    def __init__(self, app: Any) -> None:
        self.app = app
        self.counts: dict[str, int] = {}
        self.spans: dict[str, list[float]] = {}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if path.startswith("/bench/"):
            body = json.dumps({"counts": self.counts, "spans": self.spans}).encode()
            if path == "/bench/reset":
                self.counts, self.spans = {}, {}
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        found = self._COMMAND.search(scope.get("query_string", b""))
        command = found.group(1).decode() if found else scope.get("method", "?")
        self.counts[command] = self.counts.get(command, 0) + 1
        now = time.monotonic()
        span = self.spans.setdefault(command, [now, now])

        async def timed(message: dict[str, Any]) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                span[1] = max(span[1], time.monotonic())

        await self.app(scope, receive, timed)


def _serve_cloudstack(latency: float, vms: int, jobs: int = 0) -> None:
    from omnicloud.sim.cloudstack import CloudStackState, SimConfig, create_app
    from omnicloud.sim.cloudstack._jobs import seed_history
    from omnicloud.sim.server import serve_in_thread

    state = CloudStackState()
    if vms:
        state.bulk_create_vms(vms)
    if jobs:  # the admin account's finished jobs, created over the last ten minutes
        seed_history(state, jobs, oldest=600.0, newest=0.0)
    config = SimConfig(job_latency=latency, accept_unencoded_tilde=True)
    app = CountingApp(create_app(state, config=config))
    with serve_in_thread(app) as server:
        key, secret = state.credentials("admin")
        url = f"{server.url}/client/api"
        print(json.dumps({"url": url, "key": key, "secret": secret}), flush=True)
        sys.stdin.read()  # until the parent closes our stdin (or dies)


@dataclass
class CloudStackSim:
    """A CloudStack simulator process."""

    url: str
    key: str
    secret: str
    process: subprocess.Popen[str]

    def args(self) -> list[str]:
        return [self.url, self.key, self.secret]

    def stats(self, reset: bool = False) -> dict[str, Any]:
        """``{"counts": requests by command, "spans": {command: [first start, last end]}}``."""
        base = self.url.rsplit("/client/api", 1)[0]
        path = "/bench/reset" if reset else "/bench/stats"
        with urllib.request.urlopen(base + path, timeout=30) as answer:
            stats: dict[str, Any] = json.loads(answer.read())
        return stats


@contextlib.contextmanager
def cloudstack(latency: float = 0.01, vms: int = 0, jobs: int = 0) -> Iterator[CloudStackSim]:
    """The CloudStack simulator (``vms`` extra running VMs, async jobs taking ``latency`` s,
    ``jobs`` finished jobs of the account from the last ten minutes)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench._servers", "cloudstack", str(latency), str(vms), str(jobs)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("the CloudStack simulator did not start")
        info = json.loads(line)
        yield CloudStackSim(info["url"], info["key"], info["secret"], process)
    finally:
        if process.stdin:
            with contextlib.suppress(OSError):
                process.stdin.close()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


# ---------------------------------------------------------------------------------- null server
_NULL_ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


class _NullProtocol(asyncio.Protocol):
    """Answers each request head at once with the same two-byte JSON body and does nothing else
    (requests must have no body): the floor of what any HTTP client pays per request."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self.pending = b""

    def data_received(self, data: bytes) -> None:
        heads = (self.pending + data).split(b"\r\n\r\n")
        self.pending = heads.pop()
        if heads:
            self.transport.write(_NULL_ANSWER * len(heads))


def _serve_null() -> None:
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(
        loop.create_server(_NullProtocol, "127.0.0.1", 0, backlog=1024)
    )
    port = server.sockets[0].getsockname()[1]
    threading.Thread(target=loop.run_forever, daemon=True).start()
    print(json.dumps({"url": f"http://127.0.0.1:{port}/client/api"}), flush=True)
    sys.stdin.read()  # until the parent closes our stdin (or dies)


@contextlib.contextmanager
def null_server() -> Iterator[str]:
    """A process answering every request at once (see ``_NullProtocol``); yields its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench._servers", "null"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("the null server did not start")
        yield str(json.loads(line)["url"])
    finally:
        if process.stdin:
            with contextlib.suppress(OSError):
                process.stdin.close()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


if __name__ == "__main__":
    if sys.argv[1] == "cloudstack":
        _serve_cloudstack(float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    elif sys.argv[1] == "null":
        _serve_null()
