"""Deployments over a real OpenSSH server on 127.0.0.1, through omnicloud's asyncssh connector."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Any

import pytest

from omnicloud.compute.deployment import (
    FileDeployment,
    MultiStepDeployment,
    ScriptDeployment,
    SSHKeyDeployment,
    SSHTarget,
)
from omnicloud.deploy import (
    AsyncSSHConnector,
    HostKeyError,
    SSHAuthenticationError,
    SSHConnectError,
)
from tests.deploy.conftest import Sshd, free_port, keygen, start_sshd, wait_for_port


def target(sshd: Sshd, **overrides: Any) -> SSHTarget:
    options: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": sshd.port,
        "username": sshd.username,
        "key_files": [str(sshd.client_key)],
        "timeout": 10,
    }
    options.update(overrides)
    return SSHTarget(**options)


def run(step: Any, sshd: Sshd, connector: AsyncSSHConnector | None = None, **overrides: Any) -> Any:
    session = (connector or AsyncSSHConnector(known_hosts=sshd.known_hosts))(
        target(sshd, **overrides)
    )
    try:
        return step.run("node", session)
    finally:
        session.close()


def test_script_keeps_output_and_status(sshd: Sshd) -> None:
    step = ScriptDeployment(
        '#!/bin/sh\necho hello "$1"\necho oops >&2\nexit 3\n', args=["world"], delete=True
    )
    run(step, sshd)
    assert step.stdout == "hello world\n"
    assert step.stderr == "oops\n"
    assert step.exit_status == 3


def test_multi_step_with_file_and_key(sshd: Sshd, tmp_path: Path) -> None:
    source = tmp_path / "motd"
    source.write_text("welcome\n")
    remote = sshd.home / f"motd-{tmp_path.name}"
    check = ScriptDeployment(f"#!/bin/sh\ncat {remote}\nstat -c %a {remote}\n")
    steps = MultiStepDeployment([FileDeployment(str(source), str(remote))])
    steps.add(check)
    run(steps, sshd)
    assert remote.read_text() == "welcome\n"
    assert check.stdout.splitlines()[0] == "welcome"


def test_ssh_key_deployment_appends_the_key(sshd: Sshd, tmp_path: Path) -> None:
    home = tmp_path / "fakehome"
    home.mkdir()
    new_key = keygen(tmp_path / "extra")
    step = MultiStepDeployment([SSHKeyDeployment(new_key)])
    step.add(ScriptDeployment("#!/bin/sh\ncat ~/.ssh/authorized_keys\n"))

    class HomeSession:
        """Runs every command with HOME pointed at a scratch directory."""

        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def put(self, path: str, contents: str | bytes, mode: int = 0o644) -> str:
            if not path.startswith("/"):
                path = f"{home}/{path}"
            return str(self.inner.put(path, contents, mode))

        def run(self, command: str, timeout: float | None = None) -> tuple[str, str, int]:
            return self.inner.run(f"export HOME={home}; {command}", timeout)  # type: ignore[no-any-return]

        def close(self) -> None:
            self.inner.close()

    session = HomeSession(AsyncSSHConnector(known_hosts=sshd.known_hosts)(target(sshd)))
    try:
        step.run("node", session)
    finally:
        session.close()
    assert (home / ".ssh" / "authorized_keys").read_text().strip() == new_key


def test_pinned_host_key(sshd: Sshd) -> None:
    step = ScriptDeployment("#!/bin/sh\necho pinned\n")
    run(step, sshd, AsyncSSHConnector(host_key=sshd.host_public_key))
    assert step.stdout == "pinned\n"


def test_host_key_mismatch_is_rejected(sshd: Sshd, tmp_path: Path) -> None:
    other = keygen(tmp_path / "impostor")
    step = ScriptDeployment("#!/bin/sh\ntouch /tmp/should-not-run\n")
    with pytest.raises(HostKeyError, match="not trusted"):
        run(step, sshd, AsyncSSHConnector(host_key=other))
    assert step.exit_status is None
    wrong = tmp_path / "known_hosts"
    wrong.write_text(f"[127.0.0.1]:{sshd.port} {other}\n")
    with pytest.raises(HostKeyError):
        run(ScriptDeployment("#!/bin/sh\ntrue\n"), sshd, AsyncSSHConnector(known_hosts=wrong))


def test_unknown_host_key_needs_opt_in(sshd: Sshd, tmp_path: Path) -> None:
    with pytest.raises(HostKeyError):
        run(
            ScriptDeployment("#!/bin/sh\ntrue\n"),
            sshd,
            AsyncSSHConnector(known_hosts=tmp_path / "none"),
        )
    step = ScriptDeployment("#!/bin/sh\necho trusting\n")
    with pytest.warns(UserWarning, match="accepting any SSH host key"):
        run(step, sshd, AsyncSSHConnector(accept_unknown_host_key=True))
    assert step.stdout == "trusting\n"


def test_wrong_key_is_authentication_error(sshd: Sshd, tmp_path: Path) -> None:
    keygen(tmp_path / "stranger")
    with pytest.raises(SSHAuthenticationError, match="refused"):
        run(ScriptDeployment("#!/bin/sh\ntrue\n"), sshd, key_files=[str(tmp_path / "stranger")])


def test_retries_while_the_node_boots(sshd: Sshd, tmp_path: Path) -> None:
    port = free_port()
    host_public = keygen(tmp_path / "boot_host")
    known = tmp_path / "known"
    known.write_text(f"[127.0.0.1]:{port} {host_public}\n")
    started: list[Any] = []

    def boot() -> None:
        process = start_sshd(tmp_path, port, tmp_path / "boot_host", sshd.authorized_keys)
        wait_for_port(port, process)
        started.append(process)

    timer = threading.Timer(1.0, boot)
    timer.start()
    try:
        step = ScriptDeployment("#!/bin/sh\necho booted\n")
        run(step, sshd, AsyncSSHConnector(known_hosts=known, retry_interval=0.2), port=port)
        assert step.stdout == "booted\n"
    finally:
        timer.join()
        for process in started:
            process.terminate()


def test_unreachable_node_times_out(sshd: Sshd) -> None:
    connector = AsyncSSHConnector(known_hosts=sshd.known_hosts, retry_interval=0.2)
    with pytest.raises(SSHConnectError, match=r"within 0\.6 s"):
        run(ScriptDeployment("true"), sshd, connector, port=free_port(), timeout=0.6)


def test_deploy_node_end_to_end(sshd: Sshd, tmp_path: Path) -> None:
    """deploy_node on the CloudStack simulator; sshd stands in for the new node's address."""
    from omnicloud import Provider, get_driver
    from omnicloud.sim.cloudstack import CloudStackState, SimConfig, create_app
    from omnicloud.sim.server import serve_in_thread

    state = CloudStackState()
    key, secret = state.credentials("admin")
    connector = AsyncSSHConnector(known_hosts=sshd.known_hosts)
    addresses: list[str] = []

    def to_sshd(node_target: SSHTarget) -> Any:
        addresses.append(node_target.host)
        return connector(
            dataclasses.replace(
                node_target, host="127.0.0.1", port=sshd.port, username=sshd.username
            )
        )

    with serve_in_thread(create_app(state, config=SimConfig(job_latency=0.05))) as server:
        driver = get_driver(Provider.CLOUDSTACK)(
            key, secret, url=f"{server.url}/client/api", poll_interval=0.05
        )
        size = next(s for s in driver.list_sizes() if s.ram)
        image = driver.list_images()[0]
        location = next(loc for loc in driver.list_locations() if "Basic" in loc.name)
        script = ScriptDeployment("#!/bin/sh\necho deployed on $(hostname)\n")
        node = driver.deploy_node(
            name="web-deploy",
            size=size,
            image=image,
            location=location,
            deploy=script,
            ssh_key=str(sshd.client_key),
            wait_period=0.05,
            ex_ssh_connector=to_sshd,
        )
        try:
            assert script.exit_status == 0
            assert script.stdout.startswith("deployed on ")
            assert addresses == [node.public_ips[0] if node.public_ips else node.private_ips[0]]
        finally:
            driver.destroy_node(node)


def test_deploy_node_host_key_mismatch_keeps_the_node(sshd: Sshd, tmp_path: Path) -> None:
    from omnicloud import Provider, get_driver
    from omnicloud.compute.deployment import DeploymentError
    from omnicloud.sim.cloudstack import CloudStackState, SimConfig, create_app
    from omnicloud.sim.server import serve_in_thread

    state = CloudStackState()
    key, secret = state.credentials("admin")
    impostor = keygen(tmp_path / "impostor")
    connector = AsyncSSHConnector(host_key=impostor)

    def to_sshd(node_target: SSHTarget) -> Any:
        return connector(
            dataclasses.replace(
                node_target, host="127.0.0.1", port=sshd.port, username=sshd.username
            )
        )

    with serve_in_thread(create_app(state, config=SimConfig(job_latency=0.05))) as server:
        driver = get_driver(Provider.CLOUDSTACK)(
            key, secret, url=f"{server.url}/client/api", poll_interval=0.05
        )
        size = next(s for s in driver.list_sizes() if s.ram)
        image = driver.list_images()[0]
        script = ScriptDeployment("#!/bin/sh\ntouch should-not-exist\n")
        with pytest.raises(DeploymentError) as caught:
            driver.deploy_node(
                name="web-mitm",
                size=size,
                image=image,
                deploy=script,
                ssh_key=str(sshd.client_key),
                wait_period=0.05,
                max_tries=1,
                ex_ssh_connector=to_sshd,
            )
        assert isinstance(caught.value.original_error, HostKeyError)
        assert script.exit_status is None
        driver.destroy_node(caught.value.node)
