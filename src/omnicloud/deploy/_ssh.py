"""Connecting to a node over SSH with host-key checking, retrying while it boots."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from omnicloud.deploy._errors import (
    HostKeyError,
    SSHAuthenticationError,
    SSHConnectError,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    import asyncssh

    from omnicloud.deploy._steps import Deployment

__all__ = ["SSHTarget", "deploy", "deploy_sync"]


@dataclass(slots=True)
class SSHTarget:
    """Where and how to log in.

    Host keys are checked against ``known_hosts`` (default ``~/.ssh/known_hosts``) or the pinned
    ``host_key`` (an OpenSSH public key line). An unknown key is accepted only with
    ``accept_unknown_host_key=True``, and that warns.
    """

    host: str
    port: int = 22
    username: str = "root"
    private_key: str | Path | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    known_hosts: str | Path | None = None
    host_key: str | None = None
    accept_unknown_host_key: bool = False
    timeout: float = 300.0
    retry_interval: float = 2.0

    def _options(self) -> dict[str, object]:
        import asyncssh

        options: dict[str, object] = {
            "username": self.username,
            "connect_timeout": min(30.0, self.timeout),
        }
        if self.private_key is not None:
            key = str(self.private_key)
            options["client_keys"] = [
                asyncssh.import_private_key(key) if "PRIVATE KEY" in key else key
            ]
        else:
            options["client_keys"] = None
        if self.password is not None:
            options["password"] = self.password
        if self.host_key is not None:
            options["known_hosts"] = ([asyncssh.import_public_key(self.host_key)], [], [])
        elif self.accept_unknown_host_key:
            warnings.warn(
                f"accepting any SSH host key from {self.host}:{self.port}; "
                "the connection is not protected against impersonation",
                stacklevel=4,
            )
            options["known_hosts"] = None
        else:
            path = Path(self.known_hosts or Path.home() / ".ssh" / "known_hosts").expanduser()
            options["known_hosts"] = str(path) if path.is_file() else ([], [], [])
        return options


async def _connect(target: SSHTarget) -> asyncssh.SSHClientConnection:
    import anyio
    import asyncssh

    options = target._options()
    deadline = time.monotonic() + target.timeout
    last_error: Exception | None = None
    while True:
        try:
            return await asyncssh.connect(target.host, target.port, **options)
        except asyncssh.HostKeyNotVerifiable as exc:
            raise HostKeyError(
                f"host key of {target.host}:{target.port} not trusted ({exc.reason}); pin it with "
                "host_key=, add it to known_hosts, or pass accept_unknown_host_key=True"
            ) from None
        except asyncssh.PermissionDenied:
            raise SSHAuthenticationError(
                f"{target.username}@{target.host}:{target.port} refused our credentials"
            ) from None
        except (OSError, asyncssh.DisconnectError, TimeoutError) as exc:
            last_error = exc
        if time.monotonic() + target.retry_interval > deadline:
            raise SSHConnectError(
                f"could not reach SSH on {target.host}:{target.port} within "
                f"{target.timeout:g} s: {last_error}"
            )
        await anyio.sleep(target.retry_interval)


async def deploy(target: SSHTarget, deployment: Deployment) -> Deployment:
    """Connect (retrying while the node boots) and run ``deployment``; returns it with results."""
    connection = await _connect(target)
    async with connection:
        await deployment.run(connection)
    return deployment


def deploy_sync(target: SSHTarget, deployment: Deployment) -> Deployment:
    """:func:`deploy` for synchronous callers."""
    import anyio

    return anyio.run(deploy, target, deployment)
