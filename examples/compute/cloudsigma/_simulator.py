"""Where the CloudSigma examples connect: a real account, or (by default) the local simulator.

Set ``CLOUDSIGMA_USERNAME`` and ``CLOUDSIGMA_PASSWORD`` (and optionally ``CLOUDSIGMA_ENDPOINT``)
to run an example against that account; otherwise an in-memory simulator is started for it.
"""

from __future__ import annotations

import atexit
import os
from typing import Any

import omnicloud
from omnicloud import Provider

__all__ = ["credentials"]


def _register() -> None:
    """Register the driver if this omnicloud build's registry does not list it yet."""
    try:
        omnicloud.get_driver(Provider.CLOUDSIGMA)
    except LookupError:
        omnicloud.set_driver(
            Provider.CLOUDSIGMA,
            "omnicloud.compute.drivers.cloudsigma",
            "CloudSigmaNodeDriver",
            async_class="AsyncCloudSigmaNodeDriver",
        )


def credentials(servers: int = 0) -> tuple[str, str, dict[str, Any]]:
    """(username, password, extra driver options); the simulator gets ``servers`` servers."""
    _register()
    options: dict[str, Any] = {"poll_interval": 0.1}
    username = os.environ.get("CLOUDSIGMA_USERNAME")
    password = os.environ.get("CLOUDSIGMA_PASSWORD")
    if username and password:
        endpoint = os.environ.get("CLOUDSIGMA_ENDPOINT")
        return username, password, {**options, "endpoint": endpoint} if endpoint else options
    from omnicloud.sim.cloudsigma import CloudSigmaState, SimConfig, create_app
    from omnicloud.sim.server import serve_in_thread

    state = CloudSigmaState()
    if servers:
        state.seed_servers(servers, prefix="example")
    # A quick simulator: drives and servers change state within milliseconds.
    config = SimConfig(drive_latency=0.01, clone_latency=0.02, server_latency=0.0)
    server = serve_in_thread(create_app(state, config=config))
    atexit.register(server.stop)
    return state.username, state.password, {**options, "endpoint": f"{server.url}/api/2.0/"}
