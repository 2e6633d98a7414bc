"""``serve``: run the simulator in the foreground (``omnicloud sim serve cloudstack``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from ..core.registry import Option, SimulatorSpec
from ..core.serve import configure, serve_app, state_file
from ._config import SimConfig
from ._state import API_KEY_ENV, SECRET_ENV, CloudStackState

__all__ = ["SPEC", "serve"]


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
    from ._app import create_app

    def banner(state: CloudStackState, url: str) -> Iterator[str]:
        key, secret_key = state.credentials("admin")
        yield f"CloudStack simulator: {url}/client/api"
        yield f"API key:    {key}"
        yield f"Secret key: {secret_key}"
        yield f"State:      {state_path or 'in memory'}"

    def echo(line: str) -> None:
        print(line, file=out or sys.stdout, flush=True)

    serve_app(
        lambda: CloudStackState(state_path, api_key=api_key, secret=secret),
        lambda state: create_app(state, config=config),
        banner,
        host,
        port,
        echo=echo,
    )


def _run(
    host: str,
    port: int,
    state: str | None,
    *,
    api_key: str | None = None,
    secret_key: str | None = None,
    job_latency: float | None = None,
    max_page_size: int | None = None,
) -> None:
    config = SimConfig()
    configure(config, job_latency=job_latency, max_page_size=max_page_size)
    serve(host, port, state_file(state), api_key=api_key, secret=secret_key, config=config)


SPEC = SimulatorSpec(
    name="cloudstack",
    description="Serve the CloudStack simulator at http://HOST:PORT/client/api.",
    default_port=8080,
    run=_run,
    options=(
        Option("--api-key", "text", "Admin API key.", envvar=API_KEY_ENV),
        Option("--secret-key", "text", "Admin secret key.", envvar=SECRET_ENV),
        Option("--job-latency", "float", "Seconds before asynchronous jobs complete.", minimum=0),
        Option(
            "--max-page-size",
            "int",
            "Largest page size the server accepts (default 500).",
            minimum=1,
        ),
    ),
)
