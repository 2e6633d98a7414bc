"""Deployments against a real OpenSSH server on 127.0.0.1."""

from __future__ import annotations

import threading
from pathlib import Path

import anyio
import pytest

from omnicloud.deploy import (
    FileDeployment,
    HostKeyError,
    MultiStepDeployment,
    ScriptDeployment,
    SSHAuthenticationError,
    SSHConnectError,
    SSHKeyDeployment,
    SSHTarget,
    deploy,
    deploy_sync,
)
from tests.deploy.conftest import Sshd, free_port, keygen, start_sshd, wait_for_port


def target(sshd: Sshd, **overrides: object) -> SSHTarget:
    options: dict[str, object] = {
        "host": "127.0.0.1",
        "port": sshd.port,
        "username": sshd.username,
        "private_key": sshd.client_key,
        "known_hosts": sshd.known_hosts,
        "timeout": 10,
    }
    options.update(overrides)
    return SSHTarget(**options)  # type: ignore[arg-type]


def test_script_keeps_output_and_status(sshd: Sshd) -> None:
    step = ScriptDeployment(
        '#!/bin/sh\necho hello "$1"\necho oops >&2\nexit 3\n', args=["world"], delete=True
    )
    deploy_sync(target(sshd), step)
    assert step.stdout == "hello world\n"
    assert step.stderr == "oops\n"
    assert step.exit_status == 3


def test_multi_step_with_file_and_key(sshd: Sshd, tmp_path: Path) -> None:
    source = tmp_path / "motd"
    source.write_text("welcome\n")
    remote = sshd.home / f"motd-{tmp_path.name}"
    keys = sshd.home / f"keys-{tmp_path.name}" / "authorized_keys"
    new_key = keygen(tmp_path / "extra")
    check = ScriptDeployment(f"#!/bin/sh\ncat {remote}\n")
    steps = MultiStepDeployment(
        [FileDeployment(source, str(remote)), SSHKeyDeployment(new_key, str(keys))]
    )
    steps.add(check)
    steps.add(SSHKeyDeployment(new_key, str(keys)))  # idempotent: the key is not added twice
    anyio.run(deploy, target(sshd), steps)
    assert remote.read_text() == "welcome\n"
    assert check.stdout == "welcome\n"
    assert keys.read_text().splitlines() == [new_key]


def test_pinned_host_key(sshd: Sshd) -> None:
    step = ScriptDeployment("#!/bin/sh\necho pinned\n")
    deploy_sync(target(sshd, known_hosts=None, host_key=sshd.host_public_key), step)
    assert step.stdout == "pinned\n"


def test_host_key_mismatch_is_rejected(sshd: Sshd, tmp_path: Path) -> None:
    other = keygen(tmp_path / "impostor")
    step = ScriptDeployment("#!/bin/sh\ntouch /tmp/should-not-run\n")
    with pytest.raises(HostKeyError, match="not trusted"):
        deploy_sync(target(sshd, known_hosts=None, host_key=other), step)
    assert step.exit_status is None
    wrong = tmp_path / "known_hosts"
    wrong.write_text(f"[127.0.0.1]:{sshd.port} {other}\n")
    with pytest.raises(HostKeyError):
        deploy_sync(target(sshd, known_hosts=wrong), ScriptDeployment("#!/bin/sh\ntrue\n"))


def test_unknown_host_key_needs_opt_in(sshd: Sshd, tmp_path: Path) -> None:
    with pytest.raises(HostKeyError):
        deploy_sync(
            target(sshd, known_hosts=tmp_path / "empty"), ScriptDeployment("#!/bin/sh\ntrue\n")
        )
    step = ScriptDeployment("#!/bin/sh\necho trusting\n")
    with pytest.warns(UserWarning, match="accepting any SSH host key"):
        deploy_sync(target(sshd, known_hosts=None, accept_unknown_host_key=True), step)
    assert step.stdout == "trusting\n"


def test_wrong_key_is_authentication_error(sshd: Sshd, tmp_path: Path) -> None:
    keygen(tmp_path / "stranger")
    with pytest.raises(SSHAuthenticationError, match="refused"):
        deploy_sync(
            target(sshd, private_key=tmp_path / "stranger"), ScriptDeployment("#!/bin/sh\ntrue\n")
        )


def test_retries_while_the_node_boots(sshd: Sshd, tmp_path: Path) -> None:
    port = free_port()
    host_public = keygen(tmp_path / "boot_host")
    known = tmp_path / "known"
    known.write_text(f"[127.0.0.1]:{port} {host_public}\n")
    started: list[object] = []

    def boot() -> None:
        process = start_sshd(tmp_path, port, tmp_path / "boot_host", sshd.authorized_keys)
        wait_for_port(port, process)
        started.append(process)

    timer = threading.Timer(1.0, boot)
    timer.start()
    try:
        step = ScriptDeployment("#!/bin/sh\necho booted\n")
        deploy_sync(target(sshd, port=port, known_hosts=known, retry_interval=0.2), step)
        assert step.stdout == "booted\n"
    finally:
        timer.join()
        for process in started:
            process.terminate()  # type: ignore[attr-defined]


def test_unreachable_node_times_out(tmp_path: Path, sshd: Sshd) -> None:
    with pytest.raises(SSHConnectError, match=r"within 0\.6 s"):
        deploy_sync(
            target(sshd, port=free_port(), timeout=0.6, retry_interval=0.2),
            ScriptDeployment("true"),
        )
