"""The driver over HTTPS: the simulator's self-signed certificate trusted through ``verify=``,
and refused without it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from omnicloud.compute.drivers.azure_arm import AzureNodeDriver
from omnicloud.errors import TransportError
from omnicloud.http import HttpConfig, RetryPolicy

from .conftest import AzSim


@pytest.fixture(scope="module")
def tls_sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AzSim, Path]]:
    from omnicloud.sim import azure as sim
    from omnicloud.sim.server import serve_in_thread

    cert, key = sim.ensure_certificate(tmp_path_factory.mktemp("tls"))
    state = sim.AzureState()
    config = sim.SimConfig(operation_latency=0.02, retry_after=0)
    app = sim.create_app(state, config=config)
    with serve_in_thread(app, ssl_certfile=cert, ssl_keyfile=key) as server:
        assert server.url.startswith("https://")
        yield AzSim(server, state, config), cert
    state.close()


def test_https_with_the_simulators_ca(tls_sim: tuple[AzSim, Path]) -> None:
    sim, cert = tls_sim
    with AzureNodeDriver(**sim.options(verify=str(cert))) as driver:
        assert driver.list_nodes() == []
        assert driver.ex_list_resource_groups()


def test_https_refuses_an_unknown_certificate(tls_sim: tuple[AzSim, Path]) -> None:
    sim, _cert = tls_sim
    once = HttpConfig(retry=RetryPolicy(max_attempts=1))
    with AzureNodeDriver(**sim.options(http=once)) as driver, pytest.raises(TransportError):
        driver.list_nodes()
