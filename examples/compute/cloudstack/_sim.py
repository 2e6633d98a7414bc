"""Where the examples connect: a real cloud from environment variables, else an in-process
CloudStack simulator on 127.0.0.1 (so every example runs offline).

Real clouds: ``CLOUDSTACK_API_URL``/``CLOUDSTACK_API_KEY``/``CLOUDSTACK_SECRET_KEY``, or
``EXOSCALE_API_KEY``/``EXOSCALE_SECRET_KEY``, or ``IKOULA_API_KEY``/``IKOULA_SECRET_KEY`` (the
seed's names; ``EXOSCALE_API_SECRET``, which earlier versions of these examples read, is still
accepted).
"""

from __future__ import annotations

import atexit
import os
from typing import Any

_SERVER: list[Any] = []


def simulator() -> tuple[str, str, str]:
    """Start (once) a simulator and return its ``(url, key, secret)``."""
    if not _SERVER:
        from omnicloud.sim.cloudstack import CloudStackState, SimConfig, create_app
        from omnicloud.sim.server import serve_in_thread

        state = CloudStackState()
        server = serve_in_thread(create_app(state, config=SimConfig(job_latency=0.05)))
        atexit.register(server.stop)
        _SERVER.append((server, state.credentials("admin")))
    server, (key, secret) = _SERVER[0]
    return f"{server.url}/client/api", key, secret


LEGACY_SECRET_NAMES = ("API_SECRET",)


def credentials(prefix: str) -> dict[str, Any]:
    """Keyword arguments for a driver: real credentials if set, else the simulator's.

    ``{prefix}_API_KEY`` and ``{prefix}_SECRET_KEY`` (or the older ``{prefix}_API_SECRET``);
    with the simulator, ``url`` overrides the preset endpoint of Exoscale/Ikoula drivers.
    """
    key = os.environ.get(f"{prefix}_API_KEY")
    names = ("SECRET_KEY", *LEGACY_SECRET_NAMES)
    secret = next(
        (os.environ[f"{prefix}_{name}"] for name in names if os.environ.get(f"{prefix}_{name}")),
        None,
    )
    if key and secret:
        options: dict[str, Any] = {"key": key, "secret": secret}
        if os.environ.get(f"{prefix}_API_URL"):
            options["url"] = os.environ[f"{prefix}_API_URL"]
        return options
    url, key, secret = simulator()
    return {"key": key, "secret": secret, "url": url, "poll_interval": 0.1}


class PrintingSSH:
    """Stands in for SSH when the node is simulated: prints what would run."""

    def __init__(self, target: Any) -> None:
        self.target = target

    def put(self, path: str, contents: str | bytes, mode: int = 0o644) -> str:
        print(f"[simulated ssh {self.target.username}@{self.target.host}] upload {path}")
        return f"/root/{path}"

    def run(self, command: str, timeout: float | None = None) -> tuple[str, str, int]:
        print(f"[simulated ssh {self.target.username}@{self.target.host}] run {command}")
        return "Thu Jan  1 00:00:00 UTC 2026\n", "", 0

    def close(self) -> None:
        pass
