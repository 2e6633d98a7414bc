"""``omnicloud sim serve cloudsigma``: run the CloudSigma simulator in the foreground."""

from __future__ import annotations

import click

__all__ = ["cloudsigma"]


@click.command("cloudsigma")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--state",
    type=click.Path(),  # checked by the simulator: one clear line for any bad path
    default=None,
    help="SQLite file keeping the simulator's state across restarts (default: in memory).",
)
@click.option(
    "--username",
    envvar="OMNICLOUD_SIM_CLOUDSIGMA_USERNAME",
    default=None,
    help="Account email to accept.",
)
@click.option(
    "--password",
    envvar="OMNICLOUD_SIM_CLOUDSIGMA_PASSWORD",
    default=None,
    help="Password to accept (default: random, kept in the state file).",
)
@click.option(
    "--latency",
    type=click.FloatRange(0),
    default=None,
    help="Seconds drives stay creating/cloning and servers starting/stopping.",
)
@click.option("--rate-limit", type=click.FloatRange(0), default=None, help="Requests/s before 429.")
@click.option("--error-rate", type=click.FloatRange(0, 1), default=0.0, help="Share of 503s.")
@click.option(
    "--firewall-policies/--no-firewall-policies",
    default=False,
    help="Serve the decommissioned /fwpolicies/ endpoint.",
)
def cloudsigma(
    host: str,
    port: int,
    state: str | None,
    username: str | None,
    password: str | None,
    latency: float | None,
    rate_limit: float | None,
    error_rate: float,
    firewall_policies: bool,
) -> None:
    """Serve the CloudSigma API 2.0 simulator at http://HOST:PORT/api/2.0/."""
    from omnicloud.sim.cloudsigma import SimConfig, serve

    config = SimConfig(
        rate_limit=rate_limit or None, error_rate=error_rate, firewall_policies=firewall_policies
    )
    if latency is not None:
        config.drive_latency = config.clone_latency = config.server_latency = latency
    serve(
        host,
        port,
        state,
        username=username,
        password=password,
        config=config,
        echo=click.echo,
    )
