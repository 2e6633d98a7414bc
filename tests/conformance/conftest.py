"""Servers the conformance suites run against, started once per session on 127.0.0.1.

The CloudStack and CloudSigma simulators run in-process (their own state, so other test
packages' seeds and faults never leak in); S3 uses the session's moto server
(``tests/support/s3servers.py``, registered once in ``tests/conftest.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omnicloud.sim.server import RunningServer, serve_in_thread

__all__ = ["cloudsigma_sim", "cloudstack_sim", "portal"]


@pytest.fixture(scope="session")
def portal() -> Iterator[Any]:
    """An anyio portal: async drivers run on its event loop thread."""
    from anyio.from_thread import start_blocking_portal

    with start_blocking_portal() as running:
        yield running


@pytest.fixture(scope="session")
def cloudstack_sim() -> Iterator[tuple[RunningServer, Any]]:
    """``(server, state)``: a CloudStack simulator with quick jobs."""
    from omnicloud.sim.cloudstack import CloudStackState, SimConfig, create_app

    state = CloudStackState()
    with serve_in_thread(create_app(state, config=SimConfig(job_latency=0.01))) as server:
        yield server, state


@pytest.fixture(scope="session")
def cloudsigma_sim() -> Iterator[tuple[RunningServer, Any]]:
    """``(server, state)``: a CloudSigma simulator with short drive/server transitions."""
    from omnicloud.sim.cloudsigma import CloudSigmaState, SimConfig, create_app

    state = CloudSigmaState()
    config = SimConfig(drive_latency=0.02, clone_latency=0.05, server_latency=0.02)
    with serve_in_thread(create_app(state, config=config)) as server:
        yield server, state
