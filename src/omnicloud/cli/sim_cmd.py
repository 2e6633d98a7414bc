"""``omnicloud sim serve cloudstack``: run a simulator in the foreground."""

from __future__ import annotations

import os

import click

from omnicloud.cli._lazy import LazyGroup

__all__ = ["sim"]


@click.group()
def sim() -> None:
    """Run the offline cloud simulators."""


@sim.group(
    cls=LazyGroup,
    lazy_commands={
        "cloudsigma": (
            "omnicloud.cli.sim_cloudsigma",
            "cloudsigma",
            "Serve the CloudSigma API 2.0 simulator.",
        )
    },
)
def serve() -> None:
    """Serve a simulator over HTTP until interrupted."""


@serve.command("cloudstack")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--state",
    type=click.Path(),  # checked by the simulator: one clear line for any bad path
    default=None,
    help="SQLite file keeping the simulator's state across restarts (default: in memory).",
)
@click.option("--api-key", envvar="OMNICLOUD_SIM_API_KEY", default=None, help="Admin API key.")
@click.option(
    "--secret-key", envvar="OMNICLOUD_SIM_SECRET_KEY", default=None, help="Admin secret key."
)
@click.option(
    "--job-latency",
    type=click.FloatRange(0),
    default=None,
    help="Seconds before asynchronous jobs complete.",
)
@click.option(
    "--max-page-size",
    type=click.IntRange(1),
    default=None,
    help="Largest page size the server accepts (default 500).",
)
def serve_cloudstack(
    host: str,
    port: int,
    state: str | None,
    api_key: str | None,
    secret_key: str | None,
    job_latency: float | None,
    max_page_size: int | None,
) -> None:
    """Serve the CloudStack simulator at http://HOST:PORT/client/api."""
    from omnicloud.sim.cloudstack import SimConfig
    from omnicloud.sim.cloudstack import serve as run_server

    config = SimConfig()
    if job_latency is not None:
        config.job_latency = job_latency
    if max_page_size is not None:
        config.max_page_size = max_page_size
    if state:
        state = os.path.abspath(state)
    run_server(host, port, state, api_key=api_key, secret=secret_key, config=config)
