"""The third-party ``cs`` package and its CLI against the simulator over real HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import cs
import pytest

from .conftest import Sim

CS_BIN = Path(sys.executable).with_name("cs")


def _client(live: Sim, who: str = "admin", **kw: object) -> cs.CloudStack:
    key, secret = live.keys[who]
    return cs.CloudStack(endpoint=live.endpoint, key=key, secret=secret, poll_interval=0.02, **kw)


def test_cs_deploy_list_stop_destroy(live: Sim) -> None:
    api = _client(live, "alice")
    zone = api.listZones(name="Sandbox-Basic")["zone"][0]
    template = api.listTemplates(templatefilter="executable", zoneid=zone["id"])["template"][0]
    offering = api.listServiceOfferings()["serviceoffering"][0]
    vm = api.deployVirtualMachine(
        zoneid=zone["id"],
        templateid=template["id"],
        serviceofferingid=offering["id"],
        name="cs-vm",
        tags=[{"key": "owner", "value": "cs"}],
        fetch_result=True,
    )["virtualmachine"]
    assert vm["state"] == "Running"
    listed = api.listVirtualMachines(name="cs-vm", fetch_list=True)
    assert [v["id"] for v in listed] == [vm["id"]]
    stopped = api.stopVirtualMachine(id=vm["id"], fetch_result=True)["virtualmachine"]
    assert stopped["state"] == "Stopped"
    destroyed = api.destroyVirtualMachine(id=vm["id"], fetch_result=True)["virtualmachine"]
    assert destroyed["state"] == "Destroyed"
    assert api.listVirtualMachines(id=vm["id"]) == {}


def test_cs_fetch_list_over_a_thousand_vms(live: Sim) -> None:
    live.state.bulk_create_vms(1234, account="admin", name_prefix="many")
    api = _client(live, "admin")
    vms = api.listVirtualMachines(fetch_list=True)
    assert len(vms) >= 1234
    assert len({vm["id"] for vm in vms}) == len(vms)
    assert api.listVirtualMachines()["count"] == len(vms)
    assert len(api.listVirtualMachines()["virtualmachine"]) == 500


def test_cs_post_with_special_values(live: Sim) -> None:
    api = _client(live, "alice", method="post")
    for value in ("star*name", "with spaces", "ünïcødé ☁"):
        assert api.listVirtualMachines(keyword=value) == {}
    group = api.createSecurityGroup(name="grp*1", description="spaces and ünïcødé")["securitygroup"]
    assert group["description"] == "spaces and ünïcødé"
    api.deleteSecurityGroup(id=group["id"])


def test_cs_tilde_is_rejected_unless_lenient(live: Sim) -> None:
    api = _client(live, "alice")
    with pytest.raises(cs.CloudStackApiException) as caught:
        api.listVirtualMachines(keyword="a~b")
    assert caught.value.response.status_code == 401
    live.config.accept_unencoded_tilde = True
    assert api.listVirtualMachines(keyword="a~b") == {}


def test_cs_rejections_are_401(live: Sim) -> None:
    key, secret = live.keys["alice"]
    wrong = cs.CloudStack(endpoint=live.endpoint, key=key, secret="not-the-secret")
    with pytest.raises(cs.CloudStackApiException) as caught:
        wrong.listZones()
    assert caught.value.response.status_code == 401
    assert caught.value.error["errortext"].startswith("unable to verify user credentials")
    expired = cs.CloudStack(endpoint=live.endpoint, key=key, secret=secret, expiration=timedelta(0))
    with pytest.raises(cs.CloudStackApiException) as caught:
        expired.listZones()
    assert caught.value.response.status_code == 401


def test_cs_tampered_request_is_401(live: Sim) -> None:
    key, secret = live.keys["alice"]
    api = cs.CloudStack(endpoint=live.endpoint, key=key, secret=secret)
    original_sign = api._sign

    def sign_then_tamper(params: dict[str, str]) -> None:
        original_sign(params)
        params["name"] = "tampered"

    api._sign = sign_then_tamper
    with pytest.raises(cs.CloudStackApiException) as caught:
        api.listVirtualMachines(name="honest")
    assert caught.value.response.status_code == 401


def test_cs_job_failure_surfaces(live: Sim) -> None:
    api = _client(live, "alice")
    live.config.fail_jobs = {"deployVirtualMachine"}
    zone = api.listZones(name="Sandbox-Basic")["zone"][0]
    template = api.listTemplates(templatefilter="featured", zoneid=zone["id"])["template"][0]
    offering = api.listServiceOfferings()["serviceoffering"][0]
    with pytest.raises(cs.CloudStackApiException) as caught:
        api.deployVirtualMachine(
            zoneid=zone["id"],
            templateid=template["id"],
            serviceofferingid=offering["id"],
            fetch_result=True,
        )
    assert caught.value.error["errorcode"] == 533


def _cli(live: Sim, *args: str, who: str = "alice") -> subprocess.CompletedProcess[str]:
    key, secret = live.keys[who]
    env = {
        **os.environ,
        "CLOUDSTACK_ENDPOINT": live.endpoint,
        "CLOUDSTACK_KEY": key,
        "CLOUDSTACK_SECRET": secret,
        "CLOUDSTACK_POLL_INTERVAL": "0.05",
    }
    return subprocess.run([str(CS_BIN), *args], env=env, capture_output=True, text=True, timeout=60)


def test_cs_cli_deploy_list_stop_destroy(live: Sim) -> None:
    zone = live.zone()
    template = live.template()
    offering = live.offering()
    done = _cli(
        live,
        "deployVirtualMachine",
        f"zoneid={zone['id']}",
        f"templateid={template['id']}",
        f"serviceofferingid={offering['id']}",
        "name=cli-vm",
    )
    assert done.returncode == 0, done.stderr
    vm = json.loads(done.stdout)["virtualmachine"]
    assert vm["name"] == "cli-vm" and vm["state"] == "Running"
    listed = _cli(live, "listVirtualMachines", "name=cli-vm")
    assert json.loads(listed.stdout)["virtualmachine"][0]["id"] == vm["id"]
    stopped = _cli(live, "stopVirtualMachine", f"id={vm['id']}")
    assert json.loads(stopped.stdout)["virtualmachine"]["state"] == "Stopped"
    destroyed = _cli(live, "destroyVirtualMachine", f"id={vm['id']}")
    assert json.loads(destroyed.stdout)["virtualmachine"]["state"] == "Destroyed"


def test_cs_cli_wrong_secret_exits_1(live: Sim) -> None:
    key, _ = live.keys["alice"]
    env = {
        **os.environ,
        "CLOUDSTACK_ENDPOINT": live.endpoint,
        "CLOUDSTACK_KEY": key,
        "CLOUDSTACK_SECRET": "x",
    }
    done = subprocess.run(
        [str(CS_BIN), "listZones"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert json.loads(done.stdout)["listzonesresponse"]["errorcode"] == 401


def test_cs_cli_fetch_list_over_a_thousand_vms(live: Sim) -> None:
    prefix = f"clibulk{uuid.uuid4().hex[:6]}"
    # the admin's: 1,234 more VMs would put a user account over its VM limit for later tests
    ids = set(live.state.bulk_create_vms(1234, account="admin", name_prefix=prefix))
    done = _cli(live, "listVirtualMachines", "fetch_list=true", f"keyword={prefix}", who="admin")
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert isinstance(listed, list)  # fetch_list prints the items, not one page's envelope
    assert len(listed) == 1234
    assert {vm["id"] for vm in listed} == ids
    assert all(vm["name"].startswith(prefix) for vm in listed)
    # without fetch_list the same CLI gets one page of 500 and the total
    page = json.loads(_cli(live, "listVirtualMachines", f"keyword={prefix}", who="admin").stdout)
    assert page["count"] == 1234 and len(page["virtualmachine"]) == 500
