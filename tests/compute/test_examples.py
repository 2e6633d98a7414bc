"""Every example in examples/compute/cloudstack runs against its in-process simulator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from omnicloud.sim.cloudstack._registry import COMMANDS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "compute" / "cloudstack"
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("[a-z]*.py"))
NEEDS = {"port_forwarding_management.py": {"associateIpAddress", "createPortForwardingRule"}}
EXPECT = {
    "create_cloudstack_node_keypair_secgroup.py": "security groups: ['example-web', 'example-ssh']",
    "create_node_advanced_zone.py": "['10.",
    "deploy_node_with_keypair_security_group.py": "-> Thu Jan",
    "security_groups_management.py": "test-security-group tcp 22 22 0.0.0.0/0",
    "ssh_keypairs_management_exoscale.py": "True\n",
    "instantiate_driver_url.py": "plain HTTP 5 sizes",
}


@pytest.fixture(scope="module")
def runs() -> dict[str, subprocess.CompletedProcess[str]]:
    """Start every example at once (each with its own simulator), then collect them."""
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_SECRET_KEY"))}
    procs = {
        name: subprocess.Popen(
            [sys.executable, name],
            cwd=EXAMPLES,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in SCRIPTS
    }
    done = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        done[name] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return done


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_runs(script: str, runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    missing = NEEDS.get(script, set()) - set(COMMANDS)
    if missing:
        pytest.xfail(f"simulator lacks {sorted(missing)}")
    result = runs[script]
    assert result.returncode == 0, result.stderr[-2000:]
    assert EXPECT.get(script, "") in result.stdout
