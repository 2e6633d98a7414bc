"""A real OpenSSH server on a free loopback port, started once per test session (per xdist worker).

The start is tried three times on fresh ports; if it still fails, each test that needs the
server fails with the reason (``tests/support/servers.py``).
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.servers import ServerUnavailableError, start_server

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"


@dataclass
class Sshd:
    """What tests need to log in to the test server."""

    port: int
    username: str
    client_key: Path
    host_public_key: str
    known_hosts: Path
    home: Path
    authorized_keys: Path


def free_port() -> int:
    """A free port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def keygen(path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return path.with_suffix(".pub").read_text().strip()


def start_sshd(
    directory: Path, port: int, host_key: Path, authorized: Path
) -> subprocess.Popen[bytes]:
    config = directory / f"sshd_config_{port}"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {host_key}\n"
        f"PidFile {directory / f'sshd_{port}.pid'}\nAuthorizedKeysFile {authorized}\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        "StrictModes no\nPermitRootLogin prohibit-password\nSubsystem sftp internal-sftp\n"
        "LogLevel ERROR\n"
    )
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    return subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE)


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"sshd exited: {process.stderr.read().decode() if process.stderr else ''}"
            )
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("sshd did not start listening")


@pytest.fixture(scope="session")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    if not Path(SSHD).exists():
        raise ServerUnavailableError(
            "OpenSSH server not installed: scripts/setup.sh installs Debian's openssh-server"
        )
    directory = tmp_path_factory.mktemp("sshd")
    host_public = keygen(directory / "host_ed25519")
    keygen(directory / "client_ed25519")
    authorized = directory / "authorized_keys"
    authorized.write_text((directory / "client_ed25519.pub").read_text())

    def start(attempt: int) -> tuple[int, subprocess.Popen[bytes]]:
        port = free_port()
        process = start_sshd(directory, port, directory / "host_ed25519", authorized)
        try:
            wait_for_port(port, process)
        except BaseException:
            process.kill()
            process.wait(timeout=10)
            raise
        return port, process

    port, process = start_server("sshd", start)
    known = directory / "known_hosts"
    known.write_text(f"[127.0.0.1]:{port} {host_public}\n")
    home = directory / "home"
    home.mkdir()
    yield Sshd(
        port, getpass.getuser(), directory / "client_ed25519", host_public, known, home, authorized
    )
    process.terminate()
    process.wait(timeout=10)
