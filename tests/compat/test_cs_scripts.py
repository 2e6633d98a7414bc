"""A ``cs`` script ports to omnicloud by changing ``from cs import`` only.

The same script runs twice against fresh simulators on 127.0.0.1: once with the real ``cs``
package (a dev dependency), once with its import line switched to ``omnicloud.cloudstack``; both
print the same lines.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from omnicloud.sim.cloudstack import CloudStackState, SimConfig, create_app
from omnicloud.sim.server import serve_in_thread

SCRIPT = """\
import asyncio
import json

from cs import AIOCloudStack, CloudStack, CloudStackApiException, CloudStackException, read_config

config = read_config()
config["poll_interval"] = 0.05
cs = CloudStack(**config)

zones = cs.listZones(fetch_list=True)
print("zones", sorted(zone["name"] for zone in zones))
zone = [z for z in zones if z["networktype"] == "Advanced"][0]
offering = cs.listServiceOfferings(fetch_list=True)[0]
template = cs.listTemplates(templatefilter="featured", fetch_list=True)[0]

try:
    cs.listVirtualMachines(id="not-a-vm")
except CloudStackApiException as e:
    print("api error", e.error["errorcode"], e.error["cserrorcode"], e.error["errortext"][:40])
    print("status", e.response.status_code, json.loads(e.response.text).popitem()[1] == e.error)

vm = cs.deployVirtualMachine(
    zoneid=zone["id"], serviceofferingid=offering["id"], templateid=template["id"],
    fetch_result=True,
)["virtualmachine"]
print("deployed", vm["state"])

try:
    cs.rebootVirtualMachine(id=vm["id"], fetch_result=True)
except CloudStackApiException as e:
    print("job failed", e.error["errorcode"], e.error["errortext"])

try:
    cs.listZones(id="nope")
except CloudStackException as e:
    print("caught as CloudStackException", isinstance(e, CloudStackApiException))


async def main():
    async with AIOCloudStack(**config) as aio:
        vms = await aio.listVirtualMachines(fetch_list=True)
        print("async vms", [v["state"] for v in vms])
        try:
            await aio.stopVirtualMachine(id="nope", fetch_result=True)
        except CloudStackApiException as e:
            print("async api error", e.error["errorcode"])


asyncio.run(main())
cs.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)
print("left", cs.listVirtualMachines(fetch_list=True))
"""


def port(script: str) -> str:
    """Switch the cs import to omnicloud's, and nothing else."""
    ported = script.replace("from cs import ", "from omnicloud.cloudstack import ")
    changed = [a for a, b in zip(script.splitlines(), ported.splitlines(), strict=True) if a != b]
    assert len(changed) == 1 and changed[0].startswith("from cs import ")
    return ported


def run_on_simulator(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    state = CloudStackState()
    config = SimConfig(
        job_latency=0.01,
        fail_jobs={"rebootVirtualMachine"},
        accept_unencoded_tilde=True,  # cs signs with '~' left as it is
    )
    with serve_in_thread(create_app(state, config=config)) as server:
        key, secret = state.credentials("admin")
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDSTACK_")}
        env.update(
            CLOUDSTACK_ENDPOINT=f"{server.url}/client/api",
            CLOUDSTACK_KEY=key,
            CLOUDSTACK_SECRET=secret,
        )
        path = tmp_path / "script.py"
        path.write_text(script)
        return subprocess.run(
            [sys.executable, str(path)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )


@pytest.fixture(scope="module")
def with_cs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    done = run_on_simulator(SCRIPT, tmp_path_factory.mktemp("cs"))
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


def test_the_script_ported_prints_what_cs_prints(with_cs: list[str], tmp_path: Path) -> None:
    done = run_on_simulator(port(SCRIPT), tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines() == with_cs
    assert with_cs[0] == "zones ['Sandbox-Advanced', 'Sandbox-Basic']"
    assert with_cs[1].startswith("api error 431 4350 ")
    assert with_cs[2] == "status 431 True"
    assert "job failed 530 " in done.stdout
    assert "caught as CloudStackException True" in with_cs
    assert with_cs[-1] == "left []"
