"""Deployment steps, with Libcloud's names: script, SSH key, file, and several in order."""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    import asyncssh

__all__ = [
    "Deployment",
    "FileDeployment",
    "MultiStepDeployment",
    "SSHKeyDeployment",
    "ScriptDeployment",
]


class Deployment:
    """A step run on a node over an open SSH connection."""

    async def run(self, connection: asyncssh.SSHClientConnection) -> None:
        """Carry out the step."""
        raise NotImplementedError


@dataclass(eq=False)
class ScriptDeployment(Deployment):
    """Upload ``script`` and run it; ``stdout``, ``stderr`` and ``exit_status`` are kept.

    A non-zero exit status is recorded, not raised, so a multi-step deployment can inspect it;
    pass ``check=True`` to raise :class:`~omnicloud.deploy.DeploymentError` instead.
    """

    script: str
    args: list[str] | None = None
    name: str | None = None
    delete: bool = False
    timeout: float | None = None
    check: bool = False
    stdout: str = field(default="", init=False)
    stderr: str = field(default="", init=False)
    exit_status: int | None = field(default=None, init=False)

    async def run(self, connection: asyncssh.SSHClientConnection) -> None:
        from omnicloud.deploy._errors import DeploymentError

        path = self.name or f"/tmp/omnicloud-deploy-{id(self):x}.sh"
        async with connection.start_sftp_client() as sftp:
            async with sftp.open(path, "w") as remote:
                await remote.write(self.script)
            await sftp.chmod(path, 0o700)
        command = " ".join(shlex.quote(part) for part in [path, *(self.args or [])])
        if self.delete:
            command += f"; status=$?; rm -f {shlex.quote(path)}; exit $status"
        result = await connection.run(command, check=False, timeout=self.timeout)
        self.stdout = _text(result.stdout)
        self.stderr = _text(result.stderr)
        self.exit_status = result.exit_status
        if self.check and self.exit_status != 0:
            raise DeploymentError(f"script {path} exited with status {self.exit_status}")


@dataclass(eq=False)
class SSHKeyDeployment(Deployment):
    """Append a public ``key`` to the remote user's authorized keys."""

    key: str
    authorized_keys: str = "~/.ssh/authorized_keys"

    async def run(self, connection: asyncssh.SSHClientConnection) -> None:
        from omnicloud.deploy._errors import DeploymentError

        target = self.authorized_keys
        quoted = (
            shlex.quote(target)
            if not target.startswith("~/")
            else '"$HOME"/' + shlex.quote(target[2:])
        )
        line = shlex.quote(self.key.strip())
        command = (
            f'umask 077; mkdir -p "$(dirname {quoted})" && '
            f"(grep -qxF {line} {quoted} 2>/dev/null || echo {line} >> {quoted})"
        )
        result = await connection.run(command, check=False)
        if result.exit_status != 0:
            raise DeploymentError(f"could not add the SSH key: {_text(result.stderr).strip()}")


@dataclass(eq=False)
class FileDeployment(Deployment):
    """Copy the local file ``source`` to ``target`` on the node."""

    source: str | Path
    target: str

    async def run(self, connection: asyncssh.SSHClientConnection) -> None:
        from omnicloud.deploy._errors import DeploymentError

        if not Path(self.source).is_file():
            raise DeploymentError(f"no such local file: {self.source}")
        async with connection.start_sftp_client() as sftp:
            await sftp.put(str(self.source), self.target)


class MultiStepDeployment(Deployment):
    """Several steps, run in order; the first failure stops the rest."""

    def __init__(self, add: Deployment | Iterable[Deployment] | None = None) -> None:
        self.steps: list[Deployment] = []
        if add is not None:
            self.add(add)

    def add(self, step: Deployment | Iterable[Deployment]) -> None:
        """Append one step or several."""
        if isinstance(step, Deployment):
            self.steps.append(step)
        else:
            self.steps.extend(step)

    async def run(self, connection: asyncssh.SSHClientConnection) -> None:
        for step in self.steps:
            await step.run(connection)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)
