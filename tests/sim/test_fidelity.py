"""The simulators behave like the real clouds (issue 23): listings, expunge, validation."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from omnicloud.sim.cloudsigma import CloudSigmaState
from omnicloud.sim.cloudsigma import create_app as create_sigma_app
from omnicloud.sim.cloudstack import CloudStackState
from omnicloud.sim.cloudstack._expunge import sweep
from omnicloud.sim.cloudstack._seed import seed_id
from omnicloud.sim.transport import SyncASGITransport

from .conftest import Sim


def test_cross_zone_templates_are_listed_once_without_a_zone(sim: Sim) -> None:
    every = sim.call("listTemplates", templatefilter="executable")["template"]
    ids = [t["id"] for t in every]
    assert len(ids) == len(set(ids)) == 5
    assert all(t["crossZones"] is True for t in every)
    zone = sim.zone("Sandbox-Advanced")
    in_zone = sim.call("listTemplates", templatefilter="executable", zoneid=zone["id"])
    assert in_zone["count"] == 5
    assert {t["zoneid"] for t in in_zone["template"]} == {zone["id"]}


def test_showunique_collapses_per_zone_isos(sim: Sim) -> None:
    zone = sim.zone()
    iso = sim.call(
        "registerIso",
        name="tools",
        url="http://example.invalid/t.iso",
        zoneid=zone["id"],
        bootable="false",
    )["iso"][0]
    doc = sim.state.store.get("iso", iso["id"])
    assert doc is not None
    doc["_zones"] = [zone["id"], sim.zone("Sandbox-Advanced")["id"]]
    sim.state.store.save(doc)
    assert sim.call("listIsos", isofilter="self")["count"] == 2  # one row per zone
    assert sim.call("listIsos", isofilter="self", showunique="true")["count"] == 1


def test_old_state_files_get_cross_zone_templates(tmp_path: Path) -> None:
    path = tmp_path / "cs.db"
    state = CloudStackState(path)
    doc = state.store.get("template", seed_id("template:Ubuntu 22.04"))
    assert doc is not None
    doc["crossZones"] = False
    state.store.save(doc)
    state.store._db.execute("DELETE FROM meta WHERE key = 'templates-cross-zone'")
    state.close()
    again = CloudStackState(path)
    upgraded = again.store.get("template", seed_id("template:Ubuntu 22.04"))
    assert upgraded is not None and upgraded["crossZones"] is True
    again.close()


def test_destroyed_vms_are_expunged_after_the_delay(sim: Sim) -> None:
    sim.config.expunge_delay = 3600.0
    vm = sim.deploy()
    sim.run("destroyVirtualMachine", id=vm["id"])
    listed = sim.call("listVirtualMachines", id=vm["id"])["virtualmachine"]
    assert listed[0]["state"] == "Destroyed"  # still recoverable within the delay
    assert sweep(sim.state, sim.config.expunge_delay, time.time() + 3601) == 1
    assert sim.call("listVirtualMachines", id=vm["id"]) == {}
    volumes = sim.call("listVolumes", virtualmachineid=vm["id"])
    assert volumes == {}


def test_expunge_runs_on_requests_and_spares_recovered_vms(sim: Sim) -> None:
    sim.config.expunge_delay = 0.0
    gone, kept = sim.deploy(), sim.deploy()
    sim.config.expunge_delay = None
    sim.run("destroyVirtualMachine", id=gone["id"])
    sim.run("destroyVirtualMachine", id=kept["id"])
    sim.call("recoverVirtualMachine", id=kept["id"])
    assert len(sim.call("listVirtualMachines")["virtualmachine"]) == 2
    sim.config.expunge_delay = 0.0
    left = sim.call("listVirtualMachines")["virtualmachine"]
    assert [v["id"] for v in left] == [kept["id"]]
    assert left[0]["state"] == "Stopped"


def test_builtin_simulator_default_expunge_delay_is_short() -> None:
    from omnicloud.sim.cloudstack import SimConfig

    delay = SimConfig().expunge_delay
    assert delay is not None and 0 < delay <= 2


# parameter checks (ParamProcessWorker / BaseListCmd) ---------------------------------------------


def test_string_values_over_255_characters_are_rejected(sim: Sim) -> None:
    status, body = sim.error("listVirtualMachines", name="x" * 256)
    assert status == 431
    assert body["errortext"].endswith("Value greater than max allowed length 255 for param: name")
    assert sim.call("listVirtualMachines", name="x" * 255) == {}


def test_pagesize_zero_is_accepted(sim: Sim) -> None:
    sim.deploy()
    assert sim.call("listVirtualMachines", page=1, pagesize=0) == {"count": 1}


def test_page_with_unlimited_pagesize_gets_the_real_text(sim: Sim) -> None:
    status, body = sim.error("listVirtualMachines", page=1, pagesize=-1)
    assert status == 431
    assert body["errortext"] == "Can't specify page parameter when pagesize is -1 (Unlimited)"


def test_non_integer_values_get_paramprocessworker_text(sim: Sim) -> None:
    for value in ("abc", "99999999999"):
        status, body = sim.error("listVirtualMachines", page=value, pagesize=10)
        assert status == 431
        assert body["errortext"] == (
            f"Unable to execute API command listvirtualmachines due to invalid value {value} "
            "for parameter page"
        )
    status, body = sim.error("listVirtualMachines", id="not-a-uuid")
    assert status == 431
    assert "due to incorrect long value format" in body["errortext"]


def test_port_forwarding_rules_carry_no_owner_fields(sim: Sim) -> None:
    zone = sim.zone("Sandbox-Advanced")
    network = sim.state.store.get("network", seed_id(f"network:{zone['id']}:admin-network"))
    assert network is not None
    vm = sim.deploy(zoneid=zone["id"], networkids=network["id"])
    ip = sim.run("associateIpAddress", networkid=network["id"])["ipaddress"]
    rule = sim.run(
        "createPortForwardingRule",
        ipaddressid=ip["id"],
        privateport=22,
        publicport=2222,
        protocol="tcp",
        virtualmachineid=vm["id"],
        openfirewall="false",
    )["portforwardingrule"]
    listed = sim.call("listPortForwardingRules", id=rule["id"])["portforwardingrule"][0]
    for doc in (rule, listed):
        assert not {"account", "domain", "domainid"} & set(doc)
        assert doc["virtualmachineid"] == vm["id"]


# CloudSigma -------------------------------------------------------------------------------------


def _cloudsigma() -> tuple[CloudSigmaState, httpx.Client]:
    state = CloudSigmaState()
    transport = SyncASGITransport(create_sigma_app(state))
    http = httpx.Client(
        transport=transport, base_url="http://127.0.0.1/api/2.0/", auth=state.credentials
    )
    return state, http


def test_cloudsigma_server_clone_answers_stopped() -> None:
    state, http = _cloudsigma()
    with http:
        server = http.post(
            "servers/",
            json={"objects": [{"name": "c", "cpu": 1000, "mem": 2**30, "vnc_password": "v"}]},
        ).json()["objects"][0]
        clone = http.post(f"servers/{server['uuid']}/action/", params={"do": "clone"}, json={})
        assert clone.status_code == 202
        assert clone.json()["status"] == "stopped"
        shown = http.get(f"servers/{clone.json()['uuid']}/").json()
        assert shown["status"] == "stopped"
    state.close()


def test_cloudsigma_ip_list_keeps_server_null() -> None:
    state, http = _cloudsigma()
    with http:
        answer = http.post(
            "subscriptions/",
            json={"objects": [{"amount": 1, "period": "1 month", "resource": "ip"}]},
        )
        assert answer.status_code == 201
        (ip,) = http.get("ips/").json()["objects"]
        assert "server" in ip and ip["server"] is None
        assert set(ip) == {"uuid", "owner", "resource_uri", "server"}
    state.close()
