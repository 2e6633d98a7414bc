"""``serve``: run the simulator in the foreground over HTTPS (``omnicloud sim serve azure``)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from ..core.registry import Option, SimulatorSpec
from ..core.serve import configure, print_line, serve_app, state_file
from ._config import SimConfig
from ._state import AzureState
from ._tls import ensure_certificate

__all__ = ["SPEC", "banner_lines", "serve"]


def banner_lines(
    state: AzureState, url: str, cert: Path, state_path: str | Path | None
) -> Iterator[str]:
    """How to connect: endpoint, authority, the application's credentials, the CA file."""
    yield f"Azure endpoint: {url}"
    yield f"Authority: {url}"
    yield f"Tenant: {state.tenant_id}"
    yield f"Client id: {state.client_id}"
    yield f"Client secret: {state.client_secret}"
    yield f"Subscription: {state.subscription_id}"
    yield f"Resource group: {state.resource_group}"
    yield f"Location: {state.location}"
    yield f"CA file: {cert}"
    yield f"State: {state_path or 'in memory'}"


def serve(
    host: str = "127.0.0.1",
    port: int = 8443,
    state_path: str | Path | None = None,
    *,
    config: SimConfig | None = None,
    echo: Callable[[str], object] = print_line,
) -> None:
    """Listen on ``host:port`` (0 = a free port) with TLS, print the endpoint, credentials and
    CA file, then serve until interrupted. The certificate goes next to the state file, or in a
    temporary directory (removed afterwards) for an in-memory state. An unusable state file or
    port raises :class:`~omnicloud.errors.ConfigurationError` before anything is printed."""
    from ._app import create_app

    with tempfile.TemporaryDirectory(prefix="omnicloud-azure-") as scratch:
        directory = Path(state_path).resolve().parent if state_path else Path(scratch)
        holder: list[Path] = []

        def open_state() -> AzureState:
            state = AzureState(state_path)
            try:
                holder[:] = list(ensure_certificate(directory))
            except BaseException:
                state.close()
                raise
            return state

        serve_app(
            open_state,
            lambda state: create_app(state, config=config),
            lambda state, url: banner_lines(state, url, holder[0], state_path),
            host,
            port,
            echo=echo,
            log_level="warning",
            ssl_certfile=_Lazy(holder, 0),
            ssl_keyfile=_Lazy(holder, 1),
        )


class _Lazy(os.PathLike[str]):
    """A path known only once the state is open (the certificate sits next to it)."""

    def __init__(self, holder: list[Path], index: int) -> None:
        self._holder = holder
        self._index = index

    def __fspath__(self) -> str:
        return os.fspath(self._holder[self._index])


def _run(
    host: str,
    port: int,
    state: str | None,
    *,
    latency: float | None = None,
    page_size: int | None = None,
    core_quota: int | None = None,
    rate_limit: float | None = None,
    error_rate: float = 0.0,
) -> None:
    config = SimConfig(rate_limit=rate_limit or None, error_rate=error_rate)
    configure(config, operation_latency=latency, page_size=page_size, core_quota=core_quota)
    serve(host, port, state_file(state), config=config)


SPEC = SimulatorSpec(
    name="azure",
    description="Serve the Azure Resource Manager simulator (Entra ID tokens, compute, network) "
    "over HTTPS at https://HOST:PORT, with a self-signed certificate (the CA file it prints).",
    default_port=8443,
    run=_run,
    options=(
        Option(
            "--latency", "float", "Seconds a long-running operation stays InProgress.", minimum=0
        ),
        Option("--page-size", "int", "Items per page before a nextLink.", minimum=1),
        Option("--core-quota", "int", "Total regional vCPU quota per location.", minimum=0),
        Option("--rate-limit", "float", "Requests/s before 429.", minimum=0),
        Option("--error-rate", "float", "Share of 500s.", default=0.0, minimum=0, maximum=1),
    ),
)
