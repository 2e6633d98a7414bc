"""The deploy_node contract: what runs on a node once it is up, and how SSH is plugged in.

``deploy_node`` creates a node, waits until it is running, then hands it to ``deploy``:

* a plain callable ``deploy(node, ip_addresses)`` runs as is (no SSH needed);
* a :class:`Deployment` (``ScriptDeployment``, ``MultiStepDeployment`` ...) runs over SSH:
  by default through :class:`omnicloud.deploy.AsyncSSHConnector` (asyncssh; host keys checked
  against ``~/.ssh/known_hosts``); pass ``ex_ssh_connector=`` to ``deploy_node`` (for example an
  ``AsyncSSHConnector(host_key=...)``) or register one with :func:`set_ssh_connector`.
  Without SSH support installed, :class:`SSHUnavailableError` is raised inside a
  :class:`DeploymentError` that carries the created node, so the caller can use or destroy it.
  On an in-process simulator (the built-in ``local`` cloud) no SSH is tried without a connector
  of the caller's: :class:`SimulatedAddressError`, inside a :class:`DeploymentError`, at once.

Connecting and running the steps block (:func:`run_over_ssh`); an async driver runs that in a worker
thread, one per node being deployed, so concurrent async deploys overlap and the event loop is free.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from omnicloud.errors import OmnicloudError

__all__ = [
    "Deployment",
    "DeploymentError",
    "FileDeployment",
    "MultiStepDeployment",
    "SSHClient",
    "SSHConnector",
    "SSHKeyDeployment",
    "SSHTarget",
    "SSHUnavailableError",
    "ScriptDeployment",
    "SimulatedAddressError",
    "get_ssh_connector",
    "registered_ssh_connector",
    "run_over_ssh",
    "set_ssh_connector",
]


class DeploymentError(OmnicloudError):
    """Deployment failed after the node was created; ``node`` is that node."""

    def __init__(self, node: Any, original_error: BaseException | None = None) -> None:
        super().__init__(f"deployment to node {getattr(node, 'id', node)} failed: {original_error}")
        self.node = node
        self.original_error = original_error
        self.value = str(original_error)


class SSHUnavailableError(OmnicloudError, NotImplementedError):
    """No SSH connector is configured, so a Deployment cannot run."""


class SimulatedAddressError(OmnicloudError):
    """The node runs on an in-process simulator: its address cannot be reached by SSH."""


@dataclass(frozen=True, slots=True)
class SSHTarget:
    """Where and how to log in."""

    host: str
    port: int = 22
    username: str = "root"
    password: str | None = field(default=None, repr=False)
    key_files: Sequence[str] = ()
    key_password: str | None = field(default=None, repr=False)
    timeout: float = 10.0


class SSHClient(Protocol):
    """What a Deployment needs from an SSH connection."""

    def put(self, path: str, contents: str | bytes, mode: int = 0o644) -> str:
        """Write ``contents`` to remote ``path`` and return the absolute path."""
        ...

    def run(self, command: str, timeout: float | None = None) -> tuple[str, str, int]:
        """Run ``command``; return stdout, stderr and exit status."""
        ...

    def close(self) -> None:
        """Close the connection."""
        ...


SSHConnector = Callable[[SSHTarget], SSHClient]
_CONNECTOR: list[SSHConnector] = []


def set_ssh_connector(connector: SSHConnector | None) -> None:
    """Use ``connector`` for every Deployment (``None`` removes it)."""
    _CONNECTOR.clear()
    if connector is not None:
        _CONNECTOR.append(connector)


def registered_ssh_connector() -> SSHConnector | None:
    """The connector given to :func:`set_ssh_connector`, if any (not the default one)."""
    return _CONNECTOR[0] if _CONNECTOR else None


def get_ssh_connector() -> SSHConnector | None:
    """The registered connector, else omnicloud's asyncssh connector (host keys checked)."""
    if _CONNECTOR:
        return _CONNECTOR[0]
    try:
        import asyncssh  # noqa: F401 - only checks that SSH support is installed
    except ImportError:
        return None
    from omnicloud.deploy import AsyncSSHConnector

    return AsyncSSHConnector()


def run_over_ssh(
    connector: SSHConnector, target: SSHTarget, deployment: Deployment, node: Any
) -> Any:
    """Log in to ``target`` with ``connector``, run ``deployment`` on ``node``, log out.

    It blocks for the whole session: ``deploy_node`` performs it as a
    :class:`~omnicloud._flow.Call` effect, so an async driver runs it in a worker thread and its
    event loop keeps running meanwhile. Connectors and deployments therefore need to be usable
    from a thread other than the caller's (each session runs in one thread from start to end).
    """
    client = connector(target)
    try:
        return deployment.run(node, client)
    finally:
        client.close()


class Deployment:
    """A step run on a node over SSH."""

    def run(self, node: Any, client: SSHClient) -> Any:
        """Run on ``node`` through ``client`` and return the node."""
        raise NotImplementedError


class SSHKeyDeployment(Deployment):
    """Append a public key to ``~/.ssh/authorized_keys``."""

    def __init__(self, key: str) -> None:
        self.key = key

    def run(self, node: Any, client: SSHClient) -> Any:
        """Install the key."""
        line = self.key if self.key.endswith("\n") else self.key + "\n"
        client.run("mkdir -p ~/.ssh && chmod 700 ~/.ssh")
        client.put(".ssh/authorized_keys.omnicloud", line, 0o600)
        client.run("cat ~/.ssh/authorized_keys.omnicloud >> ~/.ssh/authorized_keys")
        return node


class FileDeployment(Deployment):
    """Upload local file ``source`` to remote ``target``."""

    def __init__(self, source: str, target: str) -> None:
        self.source = source
        self.target = target

    def run(self, node: Any, client: SSHClient) -> Any:
        """Upload the file with its permission bits."""
        with open(os.path.expanduser(self.source), "rb") as handle:
            client.put(self.target, handle.read(), os.stat(handle.fileno()).st_mode & 0o777)
        return node


class ScriptDeployment(Deployment):
    """Upload ``script`` and run it; ``stdout``, ``stderr``, ``exit_status`` are kept."""

    def __init__(
        self,
        script: str,
        args: Sequence[str] | None = None,
        name: str | None = None,
        delete: bool = False,
        timeout: float | None = None,
    ) -> None:
        self.script = script
        self.args = list(args or [])
        if name is None:
            import secrets

            name = f"omnicloud_deployment_{secrets.token_hex(4)}.sh"
        self.name = name
        self.delete = delete
        self.timeout = timeout
        self.stdout: str | None = None
        self.stderr: str | None = None
        self.exit_status: int | None = None

    def run(self, node: Any, client: SSHClient) -> Any:
        """Upload, run, optionally delete."""
        path = client.put(self.name, self.script, 0o755)
        command = " ".join([path, *self.args])
        self.stdout, self.stderr, self.exit_status = client.run(command, self.timeout)
        if self.delete:
            client.run(f"rm -f {path}")
        return node


class MultiStepDeployment(Deployment):
    """Run several deployments in order."""

    def __init__(self, add: Deployment | Sequence[Deployment] | None = None) -> None:
        self.steps: list[Deployment] = []
        if add is not None:
            self.add(add)

    def add(self, add: Deployment | Sequence[Deployment]) -> None:
        """Append one step or several."""
        if isinstance(add, Deployment):
            self.steps.append(add)
        else:
            self.steps.extend(add)

    def run(self, node: Any, client: SSHClient) -> Any:
        """Run every step."""
        for step in self.steps:
            node = step.run(node, client)
        return node
