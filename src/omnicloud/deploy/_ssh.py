"""An SSH client for deployments, on asyncssh: host keys checked, retried while the node boots.

:class:`AsyncSSHConnector` is what ``deploy_node`` uses by default: called with an
:class:`~omnicloud.compute.deployment.SSHTarget`, it returns a connected client with the
``put``/``run``/``close`` methods the deployment steps use. asyncssh runs on a private event loop
in a background thread, so the client works from sync code and from inside async drivers alike.
"""

from __future__ import annotations

import posixpath
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from omnicloud.deploy._errors import HostKeyError, SSHAuthenticationError, SSHConnectError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    import asyncssh
    from anyio.from_thread import BlockingPortal

    from omnicloud.compute.deployment import SSHTarget

__all__ = ["AsyncSSHConnector", "SSHSession"]


@dataclass(slots=True)
class AsyncSSHConnector:
    """Opens SSH sessions with a host-key policy.

    Host keys are checked against ``known_hosts`` (default ``~/.ssh/known_hosts``) or the pinned
    ``host_key`` (an OpenSSH public key line). An unknown key is accepted only with
    ``accept_unknown_host_key=True``, and that warns. Connection attempts are repeated every
    ``retry_interval`` seconds until ``boot_timeout`` (default: the target's ``timeout``), as the
    node may still be booting;
    authentication and host-key failures are not retried.
    """

    known_hosts: str | Path | None = None
    host_key: str | None = None
    accept_unknown_host_key: bool = False
    boot_timeout: float | None = None
    retry_interval: float = 2.0
    connect_timeout: float = 10.0
    _portal_cm: Any = field(default=None, repr=False)

    def __call__(self, target: SSHTarget) -> SSHSession:
        from anyio.from_thread import start_blocking_portal

        manager = start_blocking_portal()
        portal = manager.__enter__()
        try:
            connection = portal.call(self._connect, target)
        except BaseException:
            manager.__exit__(None, None, None)
            raise
        return SSHSession(connection, portal, manager)

    def _options(self, target: SSHTarget) -> dict[str, object]:
        import asyncssh

        options: dict[str, object] = {
            "username": target.username,
            "connect_timeout": min(self.connect_timeout, self._budget(target)),
        }
        keys = []
        for key in target.key_files:
            text = str(key)
            if "PRIVATE KEY" in text:
                keys.append(asyncssh.import_private_key(text, target.key_password))
            else:
                keys.append(asyncssh.read_private_key(Path(text).expanduser(), target.key_password))
        options["client_keys"] = keys or None
        if target.password is not None:
            options["password"] = target.password
        if self.host_key is not None:
            options["known_hosts"] = ([asyncssh.import_public_key(self.host_key)], [], [])
        elif self.accept_unknown_host_key:
            warnings.warn(
                f"accepting any SSH host key from {target.host}:{target.port}; "
                "the connection is not protected against impersonation",
                stacklevel=5,
            )
            options["known_hosts"] = None
        else:
            path = Path(self.known_hosts or Path.home() / ".ssh" / "known_hosts").expanduser()
            options["known_hosts"] = str(path) if path.is_file() else ([], [], [])
        return options

    def _budget(self, target: SSHTarget) -> float:
        return self.boot_timeout if self.boot_timeout is not None else float(target.timeout)

    async def _connect(self, target: SSHTarget) -> asyncssh.SSHClientConnection:
        import anyio
        import asyncssh

        options = self._options(target)
        budget = self._budget(target)
        deadline = time.monotonic() + budget
        last_error: Exception | None = None
        while True:
            try:
                return await asyncssh.connect(target.host, target.port, **options)
            except asyncssh.HostKeyNotVerifiable as exc:
                raise HostKeyError(
                    f"host key of {target.host}:{target.port} not trusted ({exc.reason}); pin "
                    "it with host_key=, add it to known_hosts, or pass accept_unknown_host_key=True"
                ) from None
            except asyncssh.PermissionDenied:
                raise SSHAuthenticationError(
                    f"{target.username}@{target.host}:{target.port} refused our credentials"
                ) from None
            except (OSError, asyncssh.Error, TimeoutError) as exc:
                last_error = exc
            if time.monotonic() + self.retry_interval > deadline:
                raise SSHConnectError(
                    f"could not reach SSH on {target.host}:{target.port} within "
                    f"{budget:g} s: {last_error}"
                )
            await anyio.sleep(self.retry_interval)


class SSHSession:
    """A connected session: ``put`` files, ``run`` commands, ``close``."""

    def __init__(
        self, connection: asyncssh.SSHClientConnection, portal: BlockingPortal, manager: Any
    ) -> None:
        self._connection = connection
        self._portal = portal
        self._manager = manager
        self._home: str | None = None

    def put(self, path: str, contents: str | bytes, mode: int = 0o644) -> str:
        """Write ``contents`` to ``path`` (relative paths are under the login's home)."""
        return self._portal.call(self._put, path, contents, mode)

    async def _put(self, path: str, contents: str | bytes, mode: int) -> str:
        data = contents.encode() if isinstance(contents, str) else contents
        async with self._connection.start_sftp_client() as sftp:
            if not posixpath.isabs(path):
                if self._home is None:
                    self._home = await sftp.realpath(".")
                path = posixpath.join(self._home, path)
            async with sftp.open(path, "wb") as remote:
                await remote.write(data)
            await sftp.chmod(path, mode)
        return path

    def run(self, command: str, timeout: float | None = None) -> tuple[str, str, int]:
        """Run ``command``; return its stdout, stderr and exit status."""
        return self._portal.call(self._run, command, timeout)

    async def _run(self, command: str, timeout: float | None) -> tuple[str, str, int]:
        result = await self._connection.run(command, check=False, timeout=timeout)
        return _text(result.stdout), _text(result.stderr), int(result.exit_status or 0)

    def close(self) -> None:
        """Close the connection and its event loop thread."""
        try:
            self._connection.close()
            self._portal.call(self._connection.wait_closed)
        finally:
            self._manager.__exit__(None, None, None)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)
