"""Every example in examples/compute/cloudstack runs against its in-process simulator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "compute" / "cloudstack"
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("[a-z]*.py"))
EXPECT = {
    "create_cloudstack_node_keypair_secgroup.py": "security groups: ['example-web', 'example-ssh']",
    "create_node_advanced_zone.py": "['10.",
    "deploy_node_with_keypair_security_group.py": "-> Thu Jan",
    "security_groups_management.py": "test-security-group tcp 22 22 0.0.0.0/0",
    "ssh_keypairs_management_exoscale.py": "True\n",
    "instantiate_driver_url.py": "plain HTTP 5 sizes",
    "port_forwarding_management.py": "pf-example ['203.0.113.5']\n[('203.0.113.5', 22, 22)]",
}


CREDENTIAL_SUFFIXES = ("_API_KEY", "_SECRET_KEY", "_API_SECRET", "_API_URL")


@pytest.fixture(scope="module")
def runs() -> dict[str, subprocess.CompletedProcess[str]]:
    """Start every example at once (each with its own simulator), then collect them."""
    env = {k: v for k, v in os.environ.items() if not k.endswith(CREDENTIAL_SUFFIXES)}
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
    result = runs[script]
    assert result.returncode == 0, result.stderr[-2000:]
    assert EXPECT.get(script, "") in result.stdout


@pytest.fixture
def examples_sim(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    import _sim

    return _sim


@pytest.mark.parametrize(
    ("variables", "secret"),
    [
        ({"EXOSCALE_SECRET_KEY": "seed-name"}, "seed-name"),
        ({"EXOSCALE_API_SECRET": "old-name"}, "old-name"),
        ({"EXOSCALE_SECRET_KEY": "seed-name", "EXOSCALE_API_SECRET": "old-name"}, "seed-name"),
    ],
)
def test_examples_read_the_seed_variable_names(
    examples_sim: Any, monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], secret: str
) -> None:
    """EXOSCALE_API_KEY + EXOSCALE_SECRET_KEY as the seed names them; the old
    EXOSCALE_API_SECRET still works, the seed's name wins."""
    monkeypatch.setenv("EXOSCALE_API_KEY", "k")
    monkeypatch.setenv("EXOSCALE_API_URL", "https://api.example/compute")
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert examples_sim.credentials("EXOSCALE") == {
        "key": "k",
        "secret": secret,
        "url": "https://api.example/compute",
    }


def run_keypairs_example(sim: Any, secret: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith(CREDENTIAL_SUFFIXES)}
    env |= {
        "EXOSCALE_API_KEY": sim.key,
        "EXOSCALE_SECRET_KEY": secret,
        "EXOSCALE_API_URL": sim.endpoint,
    }
    return subprocess.run(
        [sys.executable, "ssh_keypairs_management_exoscale.py"],
        cwd=EXAMPLES,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_exoscale_example_uses_real_credentials_from_the_environment(sim: Any) -> None:
    """With EXOSCALE_API_KEY/EXOSCALE_SECRET_KEY (and a URL) set, the example talks to that
    cloud (here the test session's simulator) instead of starting its own: a wrong secret is
    refused there, the right one works."""
    refused = run_keypairs_example(sim, "not-the-secret")
    assert refused.returncode != 0
    assert "unable to verify user credentials" in refused.stderr
    result = run_keypairs_example(sim, sim.secret)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("test-keypair ") and result.stdout.endswith("True\n")
