"""``serve``: run the simulator with uvicorn, after printing how to connect."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from ..core.registry import Option, SimulatorSpec
from ..core.serve import print_line, serve_app
from ._config import SimConfig
from ._state import PASSWORD_ENV, USERNAME_ENV, CloudSigmaState

__all__ = ["SPEC", "serve"]


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    state_path: str | Path | None = None,
    *,
    username: str | None = None,
    password: str | None = None,
    config: SimConfig | None = None,
    echo: Callable[[str], object] = print_line,
) -> None:
    """Serve the CloudSigma simulator until interrupted (state in ``state_path`` if given).

    Listens on ``host:port`` (0 = a free port) before printing the endpoint and credentials; an
    unusable state file or port raises :class:`~omnicloud.errors.ConfigurationError` first.
    """
    from ._app import create_app

    def banner(state: CloudSigmaState, url: str) -> Iterator[str]:
        yield f"CloudSigma simulator: {url}/api/2.0/"
        yield f"username: {state.username}"
        yield f"password: {state.password}"
        yield f"state: {state_path or 'in memory (lost on exit)'}"

    serve_app(
        lambda: CloudSigmaState(state_path, username=username, password=password),
        lambda state: create_app(state, config=config),
        banner,
        host,
        port,
        echo=echo,
        log_level="warning",
    )


def _run(
    host: str,
    port: int,
    state: str | None,
    *,
    username: str | None = None,
    password: str | None = None,
    latency: float | None = None,
    rate_limit: float | None = None,
    error_rate: float = 0.0,
    firewall_policies: bool = False,
) -> None:
    config = SimConfig(
        rate_limit=rate_limit or None, error_rate=error_rate, firewall_policies=firewall_policies
    )
    if latency is not None:
        config.drive_latency = config.clone_latency = config.server_latency = latency
    serve(host, port, state, username=username, password=password, config=config)


SPEC = SimulatorSpec(
    name="cloudsigma",
    description="Serve the CloudSigma API 2.0 simulator at http://HOST:PORT/api/2.0/.",
    default_port=8765,
    run=_run,
    options=(
        Option("--username", "text", "Account email to accept.", envvar=USERNAME_ENV),
        Option(
            "--password",
            "text",
            "Password to accept (default: random, kept in the state file).",
            envvar=PASSWORD_ENV,
        ),
        Option(
            "--latency",
            "float",
            "Seconds drives stay creating/cloning and servers starting/stopping.",
            minimum=0,
        ),
        Option("--rate-limit", "float", "Requests/s before 429.", minimum=0),
        Option("--error-rate", "float", "Share of 503s.", default=0.0, minimum=0, maximum=1),
        Option(
            "--firewall-policies",
            "flag",
            "Serve the decommissioned /fwpolicies/ endpoint.",
            default=False,
            off_flag="--no-firewall-policies",
        ),
    ),
)
