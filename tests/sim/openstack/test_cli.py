"""The ``openstack`` CLI (python-openstackclient) against the simulator, and ``omnicloud sim
serve openstack`` as users run it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import openstack

from tests.support.sim_serve import sim_serving

from .conftest import OsSim

OPENSTACK = str(Path(sys.executable).with_name("openstack"))


def _cli(os_sim: OsSim, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("OS_")}
    command = [
        OPENSTACK,
        "--os-auth-url",
        os_sim.auth_url,
        "--os-username",
        "admin",
        "--os-password",
        os_sim.state.password,
        "--os-project-name",
        "demo",
        "--os-user-domain-name",
        "Default",
        "--os-project-domain-name",
        "Default",
        "--os-region-name",
        "RegionOne",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def _json(done: subprocess.CompletedProcess[str]) -> Any:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_openstack_cli_flavors_and_server_lifecycle(os_sim: OsSim) -> None:
    flavors = _json(_cli(os_sim, "flavor", "list", "-f", "json"))
    assert {f["Name"] for f in flavors} >= {"m1.tiny", "m1.small"}
    created = _json(
        _cli(
            os_sim,
            "server",
            "create",
            "--flavor",
            "m1.tiny",
            "--image",
            "cirros-0.6.2-x86_64-disk",
            "--network",
            "private",
            "--wait",
            "-f",
            "json",
            "cli-vm",
        )
    )
    assert created["status"] == "ACTIVE" and created["name"] == "cli-vm"
    listed = _json(_cli(os_sim, "server", "list", "-f", "json"))
    row = next(r for r in listed if r["Name"] == "cli-vm")
    assert row["Status"] == "ACTIVE"
    assert row["Flavor"] == "m1.tiny" and row["Image"] == "cirros-0.6.2-x86_64-disk"
    assert "private" in json.dumps(row["Networks"])
    deleted = _cli(os_sim, "server", "delete", "--wait", "cli-vm")
    assert deleted.returncode == 0, deleted.stderr
    assert all(r["Name"] != "cli-vm" for r in _json(_cli(os_sim, "server", "list", "-f", "json")))
    missing = _cli(os_sim, "server", "show", "cli-vm")
    assert missing.returncode != 0 and "No Server found for cli-vm" in missing.stderr


def test_openstack_cli_rejects_a_bad_password(os_sim: OsSim) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("OS_")}
    done = subprocess.run(
        [
            OPENSTACK,
            "--os-auth-url",
            os_sim.auth_url,
            "--os-username",
            "admin",
            "--os-password",
            "wrong",
            "--os-project-name",
            "demo",
            "--os-user-domain-name",
            "Default",
            "--os-project-domain-name",
            "Default",
            "flavor",
            "list",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode != 0
    assert "401" in done.stderr or "requires authentication" in done.stderr


def serving(*args: str) -> AbstractContextManager[dict[str, str]]:
    return sim_serving(
        "openstack", *args, keys=("Auth URL", "User name", "Password", "Project", "Domain")
    )


def test_sim_serve_openstack_prints_working_credentials(tmp_path: Path) -> None:
    state = tmp_path / "openstack.db"
    with serving("--host", "127.0.0.1", "--port", "0", "--state", str(state)) as first:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/identity/v3", first["Auth URL"])
        assert first["Auth URL"].split(":")[2].split("/")[0] != "0"
        assert (first["User name"], first["Project"], first["Domain"]) == (
            "admin",
            "demo",
            "Default",
        )
        conn = openstack.connect(
            auth_url=first["Auth URL"],
            username=first["User name"],
            password=first["Password"],
            project_name=first["Project"],
            user_domain_name=first["Domain"],
            project_domain_name=first["Domain"],
            region_name="RegionOne",
        )
        assert "m1.small" in {f.name for f in conn.compute.flavors()}
        conn.close()
    with serving("--port", "0", "--state", str(state)) as second:
        assert second["Password"] == first["Password"]
