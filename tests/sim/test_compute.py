"""Compute commands end to end: VMs, NICs, volumes, snapshots, templates, key pairs, security
groups, tags, catalogue."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from .conftest import Sim


def test_catalogue(sim: Sim) -> None:
    zones = {z["name"]: z for z in sim.call("listZones")["zone"]}
    assert zones["Sandbox-Basic"]["networktype"] == "Basic"
    assert zones["Sandbox-Basic"]["securitygroupsenabled"] is True
    assert zones["Sandbox-Advanced"]["networktype"] == "Advanced"
    offerings = sim.call("listServiceOfferings")["serviceoffering"]
    assert any(o["iscustomized"] for o in offerings)
    disks = sim.call("listDiskOfferings")["diskoffering"]
    assert {d["name"] for d in disks} >= {"Small", "Custom"}
    assert sim.call("listOsTypes")["count"] >= 5
    featured = sim.call(
        "listTemplates", templatefilter="featured", zoneid=zones["Sandbox-Basic"]["id"]
    )
    assert featured["count"] == 4
    assert all(t["zoneid"] == zones["Sandbox-Basic"]["id"] for t in featured["template"])
    every = sim.call("listTemplates", templatefilter="executable")
    assert every["count"] == 5  # cross-zone templates: one row each without a zoneid
    assert sim.call("listTemplates", templatefilter="self", who="alice") == {}
    status, _ = sim.error("listTemplates", templatefilter="bogus")
    assert status == 431
    assert any(t["passwordenabled"] for t in every["template"])


def test_deploy_with_everything(sim: Sim) -> None:
    key = sim.call("createSSHKeyPair", "alice", name="k1")["keypair"]
    userdata = base64.b64encode(b"#cloud-config\n" + b"x" * 20000).decode()
    medium = sim.call("listDiskOfferings", name="Medium")["diskoffering"][0]
    vm = sim.run(
        "deployVirtualMachine",
        "alice",
        post=True,
        zoneid=sim.zone()["id"],
        templateid=sim.template("Ubuntu 22.04")["id"],
        serviceofferingid=sim.offering("Medium Instance")["id"],
        name="web-1",
        displayname="Web One",
        keypair=key["name"],
        userdata=userdata,
        ipaddress="198.18.7.7",
        rootdisksize=30,
        diskofferingid=medium["id"],
        securitygroupnames="default",
        startvm="true",
    )["virtualmachine"]
    assert vm["name"] == "web-1" and vm["displayname"] == "Web One"
    assert vm["state"] == "Running" and vm["keypair"] == "k1"
    assert vm["nic"][0]["ipaddress"] == "198.18.7.7" and vm["nic"][0]["isdefault"] is True
    assert vm["securitygroup"][0]["name"] == "default"
    assert len(vm["password"]) >= 8
    listed = sim.call("listVirtualMachines", "alice", id=vm["id"])["virtualmachine"][0]
    assert "password" not in listed and "userdata" not in listed
    volumes = sim.call("listVolumes", "alice", virtualmachineid=vm["id"])["volume"]
    assert {v["type"]: v["size"] for v in volumes} == {
        "ROOT": 30 * 1024**3,
        "DATADISK": 20 * 1024**3,
    }


def test_userdata_over_get_limit_needs_post(sim: Sim) -> None:
    big = base64.b64encode(b"y" * 6000).decode()
    status, body = sim.error(
        "deployVirtualMachine",
        zoneid=sim.zone()["id"],
        templateid=sim.template()["id"],
        serviceofferingid=sim.offering()["id"],
        userdata=big,
    )
    assert status == 431 and "too long" in body["errortext"]


def test_deploy_advanced_zone_custom_offering_stopped(sim: Sim) -> None:
    zone = sim.zone("Sandbox-Advanced")
    vm = sim.deploy(
        zoneid=zone["id"],
        serviceofferingid=sim.offering("Custom")["id"],
        startvm="false",
        **{"details[0].cpuNumber": "4", "details[0].memory": "2048"},
    )
    assert vm["state"] == "Stopped" and vm["cpunumber"] == 4 and vm["memory"] == 2048
    assert vm["nic"][0]["ipaddress"].startswith("10.1.") and vm["nic"][0]["type"] == "Isolated"
    assert vm["securitygroup"] == []
    status, body = sim.error(
        "deployVirtualMachine",
        zoneid=zone["id"],
        templateid=sim.template()["id"],
        serviceofferingid=sim.offering("Custom")["id"],
    )
    assert status == 431 and "custom" in body["errortext"]


def test_deploy_validation(sim: Sim) -> None:
    base = {
        "zoneid": sim.zone()["id"],
        "templateid": sim.template()["id"],
        "serviceofferingid": sim.offering()["id"],
    }
    assert sim.error("deployVirtualMachine", name="9bad", **base)[0] == 431
    assert sim.error("deployVirtualMachine", keypair="nope", **base)[0] == 431
    assert sim.error("deployVirtualMachine", securitygroupnames="nope", **base)[0] == 431
    assert sim.error("deployVirtualMachine", rootdisksize=1, **base)[0] == 431
    sim.deploy(name="twin")
    assert sim.error("deployVirtualMachine", name="twin", **base)[0] == 431


def test_power_cycle_and_destroy(sim: Sim) -> None:
    vm = sim.deploy(name="cycle")
    assert sim.run("stopVirtualMachine", id=vm["id"])["virtualmachine"]["state"] == "Stopped"
    assert sim.run("startVirtualMachine", id=vm["id"])["virtualmachine"]["state"] == "Running"
    assert sim.run("rebootVirtualMachine", id=vm["id"])["virtualmachine"]["state"] == "Running"
    destroyed = sim.run("destroyVirtualMachine", id=vm["id"])["virtualmachine"]
    assert destroyed["state"] == "Destroyed"
    assert sim.call("listVirtualMachines", state="Destroyed")["count"] == 1
    recovered = sim.call("recoverVirtualMachine", id=vm["id"])["virtualmachine"]
    assert recovered["state"] == "Stopped"
    gone = sim.run("destroyVirtualMachine", id=vm["id"], expunge="true")["virtualmachine"]
    assert gone["state"] == "Expunging"
    assert sim.call("listVirtualMachines", id=vm["id"]) == {}
    assert sim.call("listVolumes", virtualmachineid=vm["id"]) == {}


def test_users_cannot_expunge(sim: Sim) -> None:
    vm = sim.deploy("alice")
    status, _ = sim.error("destroyVirtualMachine", "alice", id=vm["id"], expunge="true")
    assert status == 531
    sim.run("destroyVirtualMachine", "alice", id=vm["id"])
    assert sim.call("listVirtualMachines", "alice") == {}  # users don't see Destroyed VMs


def test_restore_scale_change_service_reset_password_update(sim: Sim) -> None:
    vm = sim.deploy(name="shape")
    ubuntu = sim.template("Ubuntu 22.04")
    restored = sim.run("restoreVirtualMachine", virtualmachineid=vm["id"], templateid=ubuntu["id"])
    assert restored["virtualmachine"]["templateid"] == ubuntu["id"]
    assert "password" in restored["virtualmachine"]
    large = sim.offering("Large Instance")
    scaled = sim.run("scaleVirtualMachine", id=vm["id"], serviceofferingid=large["id"])
    assert scaled["virtualmachine"]["cpunumber"] == 2
    medium = sim.offering("Medium Instance")
    status, _ = sim.error(
        "changeServiceForVirtualMachine", id=vm["id"], serviceofferingid=medium["id"]
    )
    assert status == 431  # must be stopped
    sim.run("stopVirtualMachine", id=vm["id"])
    changed = sim.call(
        "changeServiceForVirtualMachine", id=vm["id"], serviceofferingid=medium["id"]
    )
    assert changed["virtualmachine"]["serviceofferingname"] == "Medium Instance"
    reset = sim.run("resetPasswordForVirtualMachine", id=vm["id"])["virtualmachine"]
    assert reset["password"] and reset["password"] != restored["virtualmachine"]["password"]
    updated = sim.call("updateVirtualMachine", id=vm["id"], displayname="Renamed", name="shape2")
    assert updated["virtualmachine"]["displayname"] == "Renamed"
    assert updated["virtualmachine"]["name"] == "shape2"


def test_list_filters(sim: Sim) -> None:
    a = sim.deploy(name="alpha-one")
    b = sim.deploy(name="beta-two", zoneid=sim.zone("Sandbox-Advanced")["id"])
    sim.run("stopVirtualMachine", id=b["id"])

    def names(**kw: str) -> list[str]:
        listed = sim.call("listVirtualMachines", **kw).get("virtualmachine", [])
        return sorted(v["name"] for v in listed)

    assert names(name="alpha") == ["alpha-one"]
    assert names(keyword="two") == ["beta-two"]
    assert names(state="Stopped") == ["beta-two"]
    assert names(zoneid=sim.zone()["id"]) == ["alpha-one"]
    assert names(ids=f"{a['id']},{b['id']}") == ["alpha-one", "beta-two"]
    sim.run(
        "createTags",
        resourceids=a["id"],
        resourcetype="UserVm",
        **{"tags[0].key": "env", "tags[0].value": "prod"},
    )
    assert names(**{"tags[0].key": "env", "tags[0].value": "prod"}) == ["alpha-one"]
    listed = sim.call("listVirtualMachines", id=a["id"])["virtualmachine"][0]
    assert listed["tags"][0]["key"] == "env" and listed["tags"][0]["resourcetype"] == "UserVm"
    tags = sim.call("listTags", resourcetype="UserVm")["tag"]
    assert [(t["key"], t["value"], t["resourceid"]) for t in tags] == [("env", "prod", a["id"])]
    sim.run("deleteTags", resourceids=a["id"], resourcetype="UserVm", **{"tags[0].key": "env"})
    assert sim.call("listTags") == {}


def test_nics(sim: Sim) -> None:
    advanced = sim.zone("Sandbox-Advanced")
    vm = sim.deploy(zoneid=advanced["id"])
    network = sim.call("listNetworks", zoneid=advanced["id"])["network"][0]
    status, _ = sim.error(
        "addNicToVirtualMachine", virtualmachineid=vm["id"], networkid=network["id"]
    )
    assert status == 431  # already on that network
    nics = sim.call("listNics", virtualmachineid=vm["id"])
    assert nics["count"] == 1 and nics["nic"][0]["networkid"] == network["id"]
    status, _ = sim.error(
        "removeNicFromVirtualMachine", virtualmachineid=vm["id"], nicid=nics["nic"][0]["id"]
    )
    assert status == 431  # the default NIC stays


def test_volumes_and_snapshots_and_templates(sim: Sim) -> None:
    vm = sim.deploy("alice", name="disky")
    custom = sim.call("listDiskOfferings", name="Custom")["diskoffering"][0]
    volume = sim.run(
        "createVolume",
        "alice",
        name="data1",
        diskofferingid=custom["id"],
        size=15,
        zoneid=sim.zone()["id"],
    )["volume"]
    assert volume["state"] == "Allocated" and volume["size"] == 15 * 1024**3
    attached = sim.run("attachVolume", "alice", id=volume["id"], virtualmachineid=vm["id"])[
        "volume"
    ]
    assert attached["virtualmachineid"] == vm["id"] and attached["deviceid"] == 1
    status, _ = sim.error("deleteVolume", "alice", id=volume["id"])
    assert status == 431
    resized = sim.run("resizeVolume", "alice", id=volume["id"], size=25)["volume"]
    assert resized["size"] == 25 * 1024**3
    assert sim.error("resizeVolume", "alice", id=volume["id"], size=5)[0] == 431
    snapshot = sim.run("createSnapshot", "alice", volumeid=volume["id"])["snapshot"]
    assert snapshot["state"] == "BackedUp" and snapshot["volumeid"] == volume["id"]
    assert sim.call("listSnapshots", "alice")["count"] == 1
    ostype = sim.call("listOsTypes")["ostype"][0]
    template = sim.run(
        "createTemplate", "alice", name="golden", snapshotid=snapshot["id"], ostypeid=ostype["id"]
    )["template"]
    assert template["isready"] is True
    mine = sim.call("listTemplates", "alice", templatefilter="self")["template"]
    assert [t["name"] for t in mine] == ["golden"]
    assert sim.call("listTemplates", "bob", templatefilter="self") == {}
    sim.run("deleteTemplate", "alice", id=template["id"])
    sim.run("deleteSnapshot", "alice", id=snapshot["id"])
    detached = sim.run("detachVolume", "alice", id=volume["id"])["volume"]
    assert "virtualmachineid" not in detached
    assert sim.call("deleteVolume", "alice", id=volume["id"]) == {"success": "true"}
    assert [v["type"] for v in sim.call("listVolumes", "alice")["volume"]] == ["ROOT"]


def test_iso_register_and_list(sim: Sim) -> None:
    ostype = sim.call("listOsTypes")["ostype"][0]
    isos = sim.call(
        "registerIso",
        "alice",
        name="tools",
        url="http://example.com/tools.iso",
        zoneid=sim.zone()["id"],
        ostypeid=ostype["id"],
    )
    assert isos["count"] == 1 and isos["iso"][0]["name"] == "tools"
    assert sim.call("listIsos", "alice", isofilter="self")["iso"][0]["bootable"] is True
    assert sim.call("listIsos", "bob", isofilter="self") == {}


def _md5_fingerprint(openssh: str) -> str:
    digest = hashlib.md5(base64.b64decode(openssh.split()[1])).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, 32, 2))


def test_key_pairs(sim: Sim) -> None:
    created = sim.call("createSSHKeyPair", "alice", name="made")["keypair"]
    private = serialization.load_pem_private_key(created["privatekey"].encode(), password=None)
    public = (
        private.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )
    assert created["fingerprint"] == _md5_fingerprint(public)
    own = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )
    registered = sim.call("registerSSHKeyPair", "alice", name="mine", publickey=own + " me@host")[
        "keypair"
    ]
    assert registered["fingerprint"] == _md5_fingerprint(own)
    assert (
        sim.error("registerSSHKeyPair", "alice", name="bad", publickey="ssh-rsa AAAAnope")[0] == 431
    )
    assert sim.error("createSSHKeyPair", "alice", name="made")[0] == 431
    listed = sim.call("listSSHKeyPairs", "alice")
    assert listed["count"] == 2 and "privatekey" not in listed["sshkeypair"][0]
    assert sim.call("listSSHKeyPairs", "alice", name="mine")["sshkeypair"][0]["name"] == "mine"
    assert sim.call("listSSHKeyPairs", "bob") == {}
    assert sim.call("deleteSSHKeyPair", "alice", name="mine") == {"success": "true"}
    assert sim.error("deleteSSHKeyPair", "alice", name="mine")[0] == 431


def test_security_groups(sim: Sim) -> None:
    group = sim.call("createSecurityGroup", "alice", name="web", description="web tier")[
        "securitygroup"
    ]
    assert group["ingressrule"] == [] and group["account"] == "alice"
    assert sim.error("createSecurityGroup", "alice", name="web")[0] == 431
    tcp = sim.run(
        "authorizeSecurityGroupIngress",
        "alice",
        securitygroupname="web",
        protocol="TCP",
        startport=22,
        endport=22,
        cidrlist="0.0.0.0/0,10.0.0.0/8",
    )["securitygroup"]
    assert [(r["protocol"], r["startport"], r["cidr"]) for r in tcp["ingressrule"]] == [
        ("tcp", 22, "0.0.0.0/0"),
        ("tcp", 22, "10.0.0.0/8"),
    ]
    icmp = sim.run(
        "authorizeSecurityGroupIngress",
        "alice",
        securitygroupid=group["id"],
        protocol="icmp",
        icmptype=8,
        icmpcode=0,
    )["securitygroup"]["ingressrule"][-1]
    assert (icmp["icmptype"], icmp["icmpcode"]) == (8, 0)
    udp = sim.run(
        "authorizeSecurityGroupEgress",
        "alice",
        securitygroupid=group["id"],
        protocol="udp",
        startport=53,
        endport=53,
        cidrlist="8.8.8.8/32",
    )["securitygroup"]["egressrule"]
    assert udp[0]["protocol"] == "udp"
    status, body = sim.error(
        "authorizeSecurityGroupIngress",
        "alice",
        securitygroupid=group["id"],
        protocol="tcp",
        startport=22,
        endport=22,
        cidrlist="0.0.0.0/0",
    )
    assert status == 537 and "already exists" in body["errortext"]
    status = sim.request(
        "authorizeSecurityGroupIngress",
        "alice",
        securitygroupid=group["id"],
        protocol="tcp",
        startport=80,
        endport=70,
    ).status_code
    assert status == 431
    assert sim.run("revokeSecurityGroupIngress", "alice", id=icmp["ruleid"]) == {"success": True}
    assert sim.run("revokeSecurityGroupEgress", "alice", id=udp[0]["ruleid"]) == {"success": True}
    listed = sim.call("listSecurityGroups", "alice", securitygroupname="web")["securitygroup"][0]
    assert all(r["protocol"] == "tcp" for r in listed["ingressrule"]) and listed["egressrule"] == []
    vm = sim.deploy("alice", securitygroupids=group["id"])
    assert sim.error("deleteSecurityGroup", "alice", name="web")[0] == 536
    by_vm = sim.call("listSecurityGroups", "alice", virtualmachineid=vm["id"])["securitygroup"]
    assert [g["name"] for g in by_vm] == ["web"]
    assert sim.error("deleteSecurityGroup", "alice", name="default")[0] == 431
    sim.run("destroyVirtualMachine", id=vm["id"], expunge="true")
    assert sim.call("deleteSecurityGroup", "alice", name="web") == {"success": "true"}


def _project(sim: Sim, who: str, name: str) -> dict[str, Any]:
    submitted = sim.call("createProject", who, name=name, displaytext=name)
    project: dict[str, Any] = sim.wait(submitted["jobid"], who)["jobresult"]["project"]
    return project


def test_deploy_in_a_project_and_project_scoping_of_the_list(sim: Sim) -> None:
    project = _project(sim, "alice", "webapps")
    in_project = sim.deploy("alice", name="proj-vm", projectid=project["id"])
    assert in_project["projectid"] == project["id"] and in_project["project"] == "webapps"
    assert in_project["account"] == "alice"  # the project's owner owns its VMs
    outside = sim.deploy("alice", name="plain-vm")
    assert "projectid" not in outside

    def ids(**params: Any) -> set[str]:
        listed = sim.call("listVirtualMachines", "alice", **params).get("virtualmachine", [])
        return {vm["id"] for vm in listed}

    # as on the server: without projectid a list leaves project resources out ...
    assert ids() == {outside["id"]}
    assert sim.call("listVirtualMachines", "alice")["count"] == 1
    # ... projectid shows that project's, -1 every project's ...
    assert ids(projectid=project["id"]) == {in_project["id"]}
    assert ids(projectid="-1") == {in_project["id"]}
    # ... and a VM asked for by its id is found either way
    assert ids(id=in_project["id"]) == {in_project["id"]}
    assert ids(id=outside["id"], projectid=project["id"]) == set()
    other = _project(sim, "alice", "empty")
    assert ids(projectid=other["id"]) == set()
    listed = sim.call("listProjects", "alice", id=project["id"])["project"][0]
    assert listed["vmtotal"] == 1

    # another account may not deploy into the project
    status, body = sim.error(
        "deployVirtualMachine",
        "bob",
        zoneid=sim.zone()["id"],
        templateid=sim.template()["id"],
        serviceofferingid=sim.offering()["id"],
        projectid=project["id"],
    )
    assert status == 531 and body["errorcode"] == 531
    # nor into a suspended project
    sim.run("suspendProject", "alice", id=project["id"])
    status, _ = sim.error(
        "deployVirtualMachine",
        "alice",
        zoneid=sim.zone()["id"],
        templateid=sim.template()["id"],
        serviceofferingid=sim.offering()["id"],
        projectid=project["id"],
    )
    assert status == 431


def test_deploy_with_affinity_group_ids(sim: Sim) -> None:
    group = sim.run("createAffinityGroup", "alice", name="spread", type="host anti-affinity")[
        "affinitygroup"
    ]
    vm = sim.deploy("alice", name="aff-1", affinitygroupids=group["id"])
    assert [(g["id"], g["name"], g["type"]) for g in vm["affinitygroup"]] == [
        (group["id"], "spread", "host anti-affinity")
    ]
    second = sim.deploy("alice", name="aff-2", affinitygroupids=group["id"])
    (listed,) = sim.call("listAffinityGroups", "alice", id=group["id"])["affinitygroup"]
    assert set(listed["virtualmachineIds"]) == {vm["id"], second["id"]}
    shown = sim.call("listVirtualMachines", "alice", id=vm["id"])["virtualmachine"][0]
    assert shown["affinitygroup"][0]["id"] == group["id"]
    # a group in use by a VM cannot be deleted; another account cannot use it
    status, _ = sim.error(
        "deployVirtualMachine",
        "bob",
        zoneid=sim.zone()["id"],
        templateid=sim.template()["id"],
        serviceofferingid=sim.offering()["id"],
        affinitygroupids=group["id"],
    )
    assert status == 531
    status, _ = sim.error(
        "deployVirtualMachine",
        "alice",
        zoneid=sim.zone()["id"],
        templateid=sim.template()["id"],
        serviceofferingid=sim.offering()["id"],
        affinitygroupids="00000000-0000-0000-0000-000000000000",
    )
    assert status == 431


def test_nic_add_and_remove(sim: Sim) -> None:
    advanced = sim.zone("Sandbox-Advanced")
    vm = sim.deploy("alice", zoneid=advanced["id"], name="two-nics")
    offering = sim.call(
        "listNetworkOfferings", name="DefaultIsolatedNetworkOfferingWithSourceNatService"
    )["networkoffering"][0]
    extra = sim.call(
        "createNetwork",
        "alice",
        name="second",
        displaytext="second network",
        networkofferingid=offering["id"],
        zoneid=advanced["id"],
    )["network"]
    result = sim.run(
        "addNicToVirtualMachine", "alice", virtualmachineid=vm["id"], networkid=extra["id"]
    )["virtualmachine"]
    added = [nic for nic in result["nic"] if nic["networkid"] == extra["id"]]
    assert len(result["nic"]) == 2 and len(added) == 1
    nic = added[0]
    assert nic["isdefault"] is False and nic["ipaddress"] and nic["macaddress"]
    assert ipaddress.ip_address(nic["ipaddress"]) in ipaddress.ip_network(extra["cidr"])
    assert nic["macaddress"] != result["nic"][0]["macaddress"]
    listed = sim.call("listNics", "alice", virtualmachineid=vm["id"])
    assert listed["count"] == 2
    only = sim.call("listNics", "alice", virtualmachineid=vm["id"], networkid=extra["id"])
    assert [n["id"] for n in only["nic"]] == [nic["id"]]
    on_network = sim.call("listVirtualMachines", "alice", networkid=extra["id"])
    assert [v["id"] for v in on_network["virtualmachine"]] == [vm["id"]]

    removed = sim.run(
        "removeNicFromVirtualMachine", "alice", virtualmachineid=vm["id"], nicid=nic["id"]
    )["virtualmachine"]
    assert [n["id"] for n in removed["nic"]] == [result["nic"][0]["id"]]
    assert sim.call("listNics", "alice", virtualmachineid=vm["id"])["count"] == 1
    assert sim.call("listVirtualMachines", "alice", networkid=extra["id"]) == {}
    status, _ = sim.error(
        "removeNicFromVirtualMachine", "alice", virtualmachineid=vm["id"], nicid=nic["id"]
    )
    assert status == 431  # already gone
