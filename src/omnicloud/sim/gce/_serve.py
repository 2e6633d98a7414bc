"""``serve``: run the simulator in the foreground (``omnicloud sim serve gce``)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from ..core.registry import Option, SimulatorSpec
from ..core.serve import configure, print_line, serve_app, state_file
from ._config import SimConfig
from ._state import GceState

__all__ = ["SPEC", "banner_lines", "key_file_for", "serve"]


def key_file_for(state_path: str | Path | None) -> Path:
    """Where the service-account key file goes: beside the state file, else a private temp dir."""
    if state_path is not None:
        where = Path(state_path)
        return where.with_name(where.name + ".key.json")
    return Path(tempfile.mkdtemp(prefix="omnicloud-gce-")) / "gce-key.json"


def banner_lines(
    state: GceState, url: str, state_path: str | Path | None, key_file: Path
) -> Iterator[str]:
    """How to connect: the endpoint, project, zone and the key file (written now)."""
    state.write_key_file(key_file, f"{url}/token")
    yield f"GCE endpoint: {url}"
    yield f"Project: {state.project}"
    yield f"Zone: {state.zone}"
    yield f"Key file: {key_file}"
    yield f"State: {state_path or 'in memory'}"


def serve(
    host: str = "127.0.0.1",
    port: int = 8085,
    state_path: str | Path | None = None,
    *,
    project: str | None = None,
    zone: str | None = None,
    config: SimConfig | None = None,
    echo: Callable[[str], object] = print_line,
) -> None:
    """Listen on ``host:port`` (0 = a free port), write the key file, print the banner, then
    serve until interrupted (an in-memory state's key file is then removed). An unusable
    state file or port raises :class:`~omnicloud.errors.ConfigurationError` before anything is
    printed."""
    from ._app import create_app

    key_file = key_file_for(state_path)
    try:
        serve_app(
            lambda: GceState(state_path, project=project, zone=zone),
            lambda state: create_app(state, config=config),
            lambda state, url: banner_lines(state, url, state_path, key_file),
            host,
            port,
            echo=echo,
            log_level="warning",
        )
    finally:
        if state_path is None:  # the private temp dir holding the key of an in-memory state
            shutil.rmtree(key_file.parent, ignore_errors=True)


def _run(
    host: str,
    port: int,
    state: str | None,
    *,
    project: str | None = None,
    zone: str | None = None,
    latency: float | None = None,
    max_results: int | None = None,
    cpu_quota: int | None = None,
    rate_limit: float | None = None,
    error_rate: float = 0.0,
) -> None:
    config = SimConfig(rate_limit=rate_limit or None, error_rate=error_rate)
    configure(config, operation_latency=latency, max_results=max_results, cpu_quota=cpu_quota)
    serve(host, port, state_file(state), project=project, zone=zone, config=config)


SPEC = SimulatorSpec(
    name="gce",
    description="Serve the Google Compute Engine simulator at http://HOST:PORT/compute/v1 "
    "(token endpoint http://HOST:PORT/token; a service-account key file is written).",
    default_port=8085,
    run=_run,
    options=(
        Option("--project", "text", "The project of a new state (default omnicloud-sim)."),
        Option("--zone", "text", "The default zone printed (default us-central1-a)."),
        Option("--latency", "float", "Seconds operations stay RUNNING.", minimum=0),
        Option("--max-results", "int", "Largest page a list returns.", minimum=1),
        Option("--cpu-quota", "int", "CPUS quota of every region.", minimum=0),
        Option("--rate-limit", "float", "Requests/s before 429.", minimum=0),
        Option("--error-rate", "float", "Share of 503s.", default=0.0, minimum=0, maximum=1),
    ),
)
