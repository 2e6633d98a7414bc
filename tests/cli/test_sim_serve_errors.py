"""``omnicloud sim serve``: bad state paths and busy ports are one line and exit 2; the banner
shows the port actually bound and keys only once it is bound; state files are private."""

from __future__ import annotations

import hashlib
import os
import re
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from omnicloud.cli import main

SIMULATORS = ["cloudstack", "cloudsigma"]
SECRET_LINE = re.compile(r"(API key|Secret key|username|password):")


@pytest.fixture
def place(tmp_path: Path) -> Path:
    path = tmp_path / "place"
    path.mkdir()
    return path


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("Error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("simulator", SIMULATORS)
def test_state_that_is_not_a_database_is_exit_2_and_untouched(
    place: Path, simulator: str, capsys: pytest.CaptureFixture[str]
) -> None:
    passwd = place / "passwd"
    passwd.write_bytes(b"root:x:0:0:root:/root:/bin/bash\n")
    before = hashlib.sha256(passwd.read_bytes()).hexdigest()
    code = main(["sim", "serve", simulator, "--port", "0", "--state", str(passwd)])
    captured = capsys.readouterr()
    assert code == 2
    line = _one_error_line(captured.err)
    assert "not a SQLite database" in line and str(passwd) in line
    assert not SECRET_LINE.search(captured.out)
    assert hashlib.sha256(passwd.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in place.iterdir()) == ["passwd"]


@pytest.mark.parametrize("simulator", SIMULATORS)
@pytest.mark.parametrize(
    ("where", "words"),
    [
        ("nonexistent/x.db", "No such file or directory"),
        (".", "is a directory"),
        ("/sys/omnicloud-x.db", "cannot create"),
        (os.devnull, "not a regular file"),
    ],
)
def test_unusable_state_path_is_exit_2(
    place: Path, simulator: str, where: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = where if where.startswith("/") else str(place / where)
    code = main(["sim", "serve", simulator, "--port", "0", "--state", path])
    captured = capsys.readouterr()
    assert code == 2
    assert words in _one_error_line(captured.err)
    assert not SECRET_LINE.search(captured.out)


@pytest.mark.parametrize("simulator", SIMULATORS)
def test_busy_port_is_exit_2_before_any_key_is_printed(
    simulator: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        code = main(["sim", "serve", simulator, "--port", str(port)])
    captured = capsys.readouterr()
    assert code == 2
    line = _one_error_line(captured.err)
    assert f"127.0.0.1:{port}" in line and "in use" in line
    assert not SECRET_LINE.search(captured.out)


@contextmanager
def serving(simulator: str, *args: str) -> Iterator[tuple[dict[str, str], str]]:
    """Run ``sim serve SIMULATOR --port 0 ARGS`` until the banner is out; (banner, endpoint)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "omnicloud", "sim", "serve", simulator, "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner: dict[str, str] = {}
        deadline = time.monotonic() + 30
        while len(banner) < 4 and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            name, _, value = line.partition(":")
            banner[name.strip().lower()] = value.strip()
        endpoint = next(v for k, v in banner.items() if k.endswith("simulator"))
        yield banner, endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


def _port(endpoint: str) -> int:
    match = re.match(r"http://127\.0\.0\.1:(\d+)/", endpoint)
    assert match, endpoint
    return int(match.group(1))


def _wait_health(port: int) -> httpx.Response:
    deadline = time.monotonic() + 20
    while True:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/sim/health", timeout=5)
        except httpx.TransportError:
            assert time.monotonic() < deadline, "the server never answered"
            time.sleep(0.05)


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("simulator", SIMULATORS)
def test_port_0_banner_shows_the_bound_port_and_state_is_private(
    place: Path, simulator: str
) -> None:
    state = place / "state.db"
    with serving(simulator, "--state", str(state)) as (_, endpoint):
        port = _port(endpoint)
        assert port != 0
        assert _wait_health(port).json()["status"] == "ok"
        assert _mode(state) == 0o600
        for suffix in ("-wal", "-shm", "-journal"):
            side = Path(f"{state}{suffix}")
            if side.exists():
                assert _mode(side) == 0o600, side
