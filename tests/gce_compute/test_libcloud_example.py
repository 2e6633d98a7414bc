"""A Libcloud GCE script runs on omnicloud with only the imports changed.

The script is written the way Libcloud's GCE documentation uses its driver (``get_driver(
Provider.GCE)``, the service account's e-mail and key file, ``project=``, ``datacenter=``, then
``create_node(name, size_name, image_family)``, ``list_nodes``, ``ex_stop_node`` and
``destroy_node``); the names it leaves to the reader are given in its scope, the endpoint being
the simulator's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omnicloud.compute import NodeState
from omnicloud.compute.drivers.gce import GCENodeDriver

from .conftest import GceSim

EXAMPLE = """\
from libcloud.compute.types import Provider
from libcloud.compute.providers import get_driver

ComputeEngine = get_driver(Provider.GCE)
driver = ComputeEngine(service_account_email, key_file_path, project=project_id,
                       datacenter="us-central1-a", endpoint=endpoint)

node = driver.create_node("libcloud-demo", "e2-micro", "debian-12")
names = [n.name for n in driver.list_nodes()]
driver.ex_stop_node(node)
stopped = driver.ex_get_node("libcloud-demo")
driver.destroy_node(node)
left = [n.name for n in driver.list_nodes()]
"""


def test_the_example_runs_with_only_the_imports_changed(gce_sim: GceSim, tmp_path: Path) -> None:
    key_file = gce_sim.state.write_key_file(tmp_path / "key.json", f"{gce_sim.server.url}/token")
    scope: dict[str, Any] = {
        "service_account_email": gce_sim.state.client_email,
        "key_file_path": str(key_file),
        "project_id": gce_sim.state.project,
        "endpoint": gce_sim.server.url,
    }
    text = EXAMPLE.replace("from libcloud.", "from omnicloud.")
    assert text.count("omnicloud") == 2 and "libcloud." not in text
    exec(compile(text, "<libcloud example>", "exec"), scope)
    driver = scope["driver"]
    try:
        assert type(driver) is GCENodeDriver
        assert "libcloud-demo" in scope["names"]
        assert scope["stopped"].state is NodeState.STOPPED
        assert "libcloud-demo" not in scope["left"]
    finally:
        driver.close()
