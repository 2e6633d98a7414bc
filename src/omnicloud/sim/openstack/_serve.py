"""``serve``: run the simulator in the foreground (``omnicloud sim serve openstack``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from ..core.registry import Option, SimulatorSpec
from ..core.serve import configure, print_line, serve_app, state_file
from ._config import SimConfig
from ._state import PASSWORD_ENV, REGION
from ._world import OpenStackState

__all__ = ["SPEC", "serve"]


def banner_lines(state: OpenStackState, url: str, state_path: str | Path | None) -> Iterator[str]:
    """How to connect: the auth URL and the admin's credentials."""
    yield f"OpenStack simulator: {url}/identity/v3"
    yield f"Auth URL:     {url}/identity/v3"
    yield f"User name:    {state.username}"
    yield f"Password:     {state.password}"
    yield f"Project:      {state.project_name}"
    yield f"Domain:       {state.domain_name}"
    yield f"Region:       {REGION}"
    yield f"State:        {state_path or 'in memory'}"


def serve(
    host: str = "127.0.0.1",
    port: int = 5000,
    state_path: str | Path | None = None,
    *,
    password: str | None = None,
    config: SimConfig | None = None,
    echo: Callable[[str], object] = print_line,
) -> None:
    """Listen on ``host:port`` (0 = a free port), print the auth URL and credentials, then serve
    until interrupted. An unusable state file or port raises
    :class:`~omnicloud.errors.ConfigurationError` before anything is printed."""
    from ._app import create_app

    serve_app(
        lambda: OpenStackState(state_path, password=password),
        lambda state: create_app(state, config=config),
        lambda state, url: banner_lines(state, url, state_path),
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
    password: str | None = None,
    latency: float | None = None,
    max_limit: int | None = None,
    rate_limit: float | None = None,
    error_rate: float = 0.0,
) -> None:
    config = SimConfig(rate_limit=rate_limit or None, error_rate=error_rate)
    if latency is not None:
        config.server_latency = config.volume_latency = config.image_latency = latency
    configure(config, max_limit=max_limit)
    serve(host, port, state_file(state), password=password, config=config)


SPEC = SimulatorSpec(
    name="openstack",
    description="Serve the OpenStack simulator (Keystone, Nova, Glance, Neutron, Cinder, Swift) at "
    "http://HOST:PORT/identity/v3.",
    default_port=5000,
    run=_run,
    options=(
        Option(
            "--password",
            "text",
            "The admin password (default: random, kept in the state file).",
            envvar=PASSWORD_ENV,
        ),
        Option(
            "--latency",
            "float",
            "Seconds servers stay BUILD/REBOOT/... and volumes creating/attaching.",
            minimum=0,
        ),
        Option("--max-limit", "int", "Largest page Nova/Neutron/Cinder return.", minimum=1),
        Option("--rate-limit", "float", "Requests/s before 429.", minimum=0),
        Option("--error-rate", "float", "Share of 503s.", default=0.0, minimum=0, maximum=1),
    ),
)
