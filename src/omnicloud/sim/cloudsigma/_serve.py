"""``serve``: run the simulator with uvicorn, after printing how to connect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._config import SimConfig
from ._state import CloudSigmaState

__all__ = ["serve"]


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    state_path: str | Path | None = None,
    *,
    username: str | None = None,
    password: str | None = None,
    config: SimConfig | None = None,
    echo: Any = print,
) -> None:
    """Serve the CloudSigma simulator until interrupted (state in ``state_path`` if given).

    Listens on ``host:port`` (0 = a free port) before printing the endpoint and credentials; an
    unusable state file or port raises :class:`~omnicloud.errors.ConfigurationError` first.
    """
    from .. import server
    from ._app import create_app

    state = CloudSigmaState(state_path, username=username, password=password)
    try:
        sock = server.bind(host, port)
    except BaseException:
        state.close()
        raise
    try:
        app = create_app(state, config=config)
        actual = int(sock.getsockname()[1])
        echo(f"CloudSigma simulator: {server.display_url(host, actual)}/api/2.0/")
        echo(f"username: {state.username}")
        echo(f"password: {state.password}")
        echo(f"state: {state_path or 'in memory (lost on exit)'}")
        server.run(app, host, actual, log_level="warning", sock=sock)
    finally:
        sock.close()
        state.close()
