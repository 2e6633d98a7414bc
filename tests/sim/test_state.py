"""State: persistence to a file, stable and settable keys, seeding helper, speed."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from omnicloud.sim.cloudstack import CloudStackState, SimConfig, create_app
from omnicloud.sim.transport import SyncASGITransport

from .conftest import Sim, _keys


def _sim(state: CloudStackState, http: httpx.Client) -> Sim:
    return Sim(state, SimConfig(job_latency=0), http, "http://sim/client/api", _keys(state))


def test_state_file_persists_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "cloud.db"
    state = CloudStackState(path)
    keys = state.credentials("admin")
    with httpx.Client(
        transport=SyncASGITransport(create_app(state)), base_url="http://sim"
    ) as http:
        sim = _sim(state, http)
        vm = sim.deploy(name="persist-me")
        sim.call("createSSHKeyPair", name="kept")
    state.close()

    again = CloudStackState(path)
    assert again.credentials("admin") == keys
    with httpx.Client(
        transport=SyncASGITransport(create_app(again)), base_url="http://sim"
    ) as http:
        sim = _sim(again, http)
        listed = sim.call("listVirtualMachines", id=vm["id"])["virtualmachine"][0]
        assert listed["name"] == "persist-me" and listed["state"] == "Running"
        assert sim.call("listSSHKeyPairs")["sshkeypair"][0]["name"] == "kept"
        assert sim.call("listZones")["count"] == 2  # not seeded twice
    again.close()


def test_pending_jobs_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "cloud.db"
    state = CloudStackState(path)
    config = SimConfig(job_latency=0.05)
    with httpx.Client(
        transport=SyncASGITransport(create_app(state, config=config)), base_url="http://sim"
    ) as http:
        sim = Sim(state, config, http, "http://sim/client/api", _keys(state))
        body = sim.call(
            "deployVirtualMachine",
            zoneid=sim.zone()["id"],
            templateid=sim.template()["id"],
            serviceofferingid=sim.offering()["id"],
        )
    state.close()
    time.sleep(0.06)
    again = CloudStackState(path)
    with httpx.Client(
        transport=SyncASGITransport(create_app(again)), base_url="http://sim"
    ) as http:
        job = _sim(again, http).wait(body["jobid"])
    assert job["jobstatus"] == 1
    again.close()


def test_admin_keys_from_arguments_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert CloudStackState(api_key="k1", secret="s1").credentials() == ("k1", "s1")
    monkeypatch.setenv("OMNICLOUD_SIM_API_KEY", "envkey")
    monkeypatch.setenv("OMNICLOUD_SIM_SECRET_KEY", "envsecret")
    path = tmp_path / "env.db"
    assert CloudStackState(path).credentials() == ("envkey", "envsecret")
    monkeypatch.delenv("OMNICLOUD_SIM_API_KEY")
    monkeypatch.delenv("OMNICLOUD_SIM_SECRET_KEY")
    assert CloudStackState(path).credentials() == ("envkey", "envsecret")
    assert CloudStackState(path, api_key="new", secret="newer").credentials() == ("new", "newer")


def test_users_have_distinct_keys() -> None:
    state = CloudStackState()
    assert state.accounts == ["admin", "alice", "bob"]
    keys = {state.credentials(name) for name in state.accounts}
    assert len(keys) == 3
    with pytest.raises(KeyError):
        state.credentials("nobody")


def test_listing_ten_thousand_vms_is_fast(sim: Sim) -> None:
    started = time.perf_counter()
    sim.state.bulk_create_vms(10_000)
    assert time.perf_counter() - started < 10
    sim.call("listVirtualMachines", page=1, pagesize=500)
    timings = []
    for page in (1, 10, 20):
        started = time.perf_counter()
        body = sim.call("listVirtualMachines", page=page, pagesize=500)
        timings.append(time.perf_counter() - started)
        assert body["count"] == 10_000 and len(body["virtualmachine"]) == 500
    assert min(timings) < 0.25  # generous for CI; bench/bench_sim.py measures the real figure
