"""``serve``: run the simulator in the foreground (``omnicloud sim serve cloudstack``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from ._config import SimConfig
from ._state import CloudStackState

__all__ = ["serve"]


def serve(
    host: str = "127.0.0.1",
    port: int = 8080,
    state_path: str | Path | None = None,
    api_key: str | None = None,
    secret: str | None = None,
    config: SimConfig | None = None,
    *,
    out: TextIO | None = None,
) -> None:
    """Listen on ``host:port`` (0 = a free port), print the endpoint and admin keys, then serve
    until interrupted.

    An unusable state file or a port that cannot be listened on raises
    :class:`~omnicloud.errors.ConfigurationError` before anything is printed.
    """
    from .. import server
    from ._app import create_app

    state = CloudStackState(state_path, api_key=api_key, secret=secret)
    try:
        sock = server.bind(host, port)
    except BaseException:
        state.close()
        raise
    try:
        app = create_app(state, config=config)
        key, secret_key = state.credentials("admin")
        stream = out or sys.stdout
        url = server.display_url(host, int(sock.getsockname()[1]))
        print(f"CloudStack simulator: {url}/client/api", file=stream)
        print(f"API key:    {key}", file=stream)
        print(f"Secret key: {secret_key}", file=stream)
        print(f"State:      {state_path or 'in memory'}", file=stream, flush=True)
        server.run(app, host, int(sock.getsockname()[1]), sock=sock)
    finally:
        sock.close()
        state.close()
