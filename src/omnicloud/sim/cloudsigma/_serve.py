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
    """Serve the CloudSigma simulator until interrupted (state in ``state_path`` if given)."""
    import uvicorn

    from ._app import create_app

    state = CloudSigmaState(state_path, username=username, password=password)
    app = create_app(state, config=config)
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    echo(f"CloudSigma simulator: http://{shown}:{port}/api/2.0/")
    echo(f"username: {state.username}")
    echo(f"password: {state.password}")
    echo(f"state: {state_path or 'in memory (lost on exit)'}")
    uvicorn.run(app, host=host, port=port, log_level="warning")
