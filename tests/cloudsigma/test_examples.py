"""Every example script runs (each starts its own simulator) and prints what it should."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "compute" / "cloudsigma"
EXPECTED = {
    "connect_to_api_1_0.py": "retired API 1.0",
    "connect_to_api_2_0.py": "CloudSigmaBalance",
    "list_sizes_images_drives.py": "FreeBSD 8.2",
    "create_server_custom_size.py": "5000 MHz",
    "create_server_with_vlan.py": "test node with vlan",
    "create_vlan_subscription.py": "resource='vlan'",
    "create_server_using_installation_cd.py": "VNC URL: vnc://",
    "create_server_with_metadata.py": "test node with metadata",
    "tag_server.py": "database-server",
    "open_vnc_tunnel.py": "URL: vnc://",
    "attach_firewall_policy.py": "decommissioned",
    "create_node_ex_avoid.py": "test node avoid mode",
    "check_avail_groups.py": "[",
    "get_account_balance.py": "Account balance: ",
}


def test_every_example_is_listed() -> None:
    assert {p.name for p in EXAMPLES.glob("[a-z]*.py")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs(name: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDSIGMA_")}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        cwd=EXAMPLES,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert EXPECTED[name] in done.stdout
