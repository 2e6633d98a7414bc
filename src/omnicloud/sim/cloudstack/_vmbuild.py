"""Building virtual machine, NIC and volume documents (shared by deploy and bulk seeding)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._docs import new_id, owner_fields, timestamp
from ._hosts import host_fields
from ._store import Doc

if TYPE_CHECKING:
    from ._world import World

__all__ = ["VmSpec", "build_nic", "build_vm", "root_volume", "sg_summary"]

GB = 1024**3


@dataclass(slots=True)
class VmSpec:
    """Everything a new VM document is made of."""

    account: Doc
    user_id: str
    username: str
    zone: Doc
    template: Doc
    offering: Doc
    networks: list[Doc]
    security_groups: list[Doc] = field(default_factory=list)
    name: str | None = None
    displayname: str | None = None
    keypair: str | None = None
    state: str = "Starting"
    cpunumber: int | None = None
    cpuspeed: int | None = None
    memory: int | None = None
    rootdisksize: int | None = None
    details: dict[str, str] = field(default_factory=dict)
    project: Doc | None = None
    affinity_groups: list[Doc] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def sg_summary(group: Doc) -> Doc:
    """How a security group appears inside a VM."""
    return {"id": group["id"], "name": group["name"], "description": group.get("description", "")}


def build_nic(network: Doc, ip: str, mac: str, device: int, vm_id: str) -> Doc:
    """A NIC of ``vm_id`` on ``network``."""
    return {
        "id": new_id(),
        "networkid": network["id"],
        "networkname": network["name"],
        "netmask": network["netmask"],
        "gateway": network["gateway"],
        "ipaddress": ip,
        "isolationuri": "ec2://untagged" if network["type"] == "Shared" else "vlan://1001",
        "broadcasturi": "vlan://untagged" if network["type"] == "Shared" else "vlan://1001",
        "traffictype": "Guest",
        "type": network["type"],
        "isdefault": device == 0,
        "macaddress": mac,
        "deviceid": str(device),
        "virtualmachineid": vm_id,
        "secondaryip": [],
        "extradhcpoption": [],
    }


def build_vm(
    state: World, spec: VmSpec, number: int, ips: list[str], macs: list[str], now: float
) -> Doc:
    """A VM document (not stored); ``number`` is its internal id, ``ips``/``macs`` one per NIC."""
    vm_id = new_id()
    account = spec.account
    offering = spec.offering
    template = spec.template
    name = spec.name or f"VM-{vm_id}"
    doc: Doc = {
        "id": vm_id,
        "name": name,
        "displayname": spec.displayname or name,
        **owner_fields(account),
        "userid": spec.user_id,
        "username": spec.username,
        "created": timestamp(now),
        "state": spec.state,
        "haenable": bool(offering.get("offerha", False)),
        "zoneid": spec.zone["id"],
        "zonename": spec.zone["name"],
        **host_fields(spec.zone, number),
        "templateid": template["id"],
        "templatename": template["name"],
        "templatedisplaytext": template["displaytext"],
        "passwordenabled": bool(template.get("passwordenabled")),
        "serviceofferingid": offering["id"],
        "serviceofferingname": offering["name"],
        "cpunumber": spec.cpunumber or offering.get("cpunumber") or 1,
        "cpuspeed": spec.cpuspeed or offering.get("cpuspeed") or 1000,
        "memory": spec.memory or offering.get("memory") or 512,
        "cpuused": "0%",
        "networkkbsread": 0,
        "networkkbswrite": 0,
        "diskkbsread": 0,
        "diskkbswrite": 0,
        "diskioread": 0,
        "diskiowrite": 0,
        "guestosid": template["ostypeid"],
        "ostypeid": template["ostypeid"],
        "osdisplayname": template["ostypename"],
        "rootdeviceid": 0,
        "rootdevicetype": "ROOT",
        "securitygroup": [sg_summary(group) for group in spec.security_groups],
        "affinitygroup": [
            {
                "id": g["id"],
                "name": g["name"],
                "type": g.get("type", ""),
                "description": g.get("description", ""),
            }
            for g in spec.affinity_groups
        ],
        "nic": [
            build_nic(network, ips[i], macs[i], i, vm_id) for i, network in enumerate(spec.networks)
        ],
        "hypervisor": template.get("hypervisor", "KVM"),
        "instancename": f"i-{account['accounttype'] + 2}-{number}-VM",
        "details": dict(spec.details),
        "displayvm": True,
        "isdynamicallyscalable": bool(template.get("isdynamicallyscalable")),
        "_number": number,
    }
    if spec.keypair:
        doc["keypair"] = spec.keypair
        doc["keypairs"] = spec.keypair
    if spec.project is not None:
        doc["projectid"] = spec.project["id"]
        doc["project"] = spec.project["name"]
    doc.update(spec.extra)
    return doc


def root_volume(vm: Doc, template: Doc, size: int | None, now: float) -> Doc:
    """The ROOT volume of ``vm``; ``size`` in GB overrides the template's size."""
    number = vm["_number"]
    return {
        "id": new_id(),
        "name": f"ROOT-{number}",
        "zoneid": vm["zoneid"],
        "zonename": vm["zonename"],
        "type": "ROOT",
        "deviceid": 0,
        "virtualmachineid": vm["id"],
        "vmname": vm["name"],
        "vmdisplayname": vm["displayname"],
        "size": (size * GB) if size else int(template.get("size") or 10 * GB),
        "created": timestamp(now),
        "attached": timestamp(now),
        "state": "Ready",
        "account": vm["account"],
        "domainid": vm["domainid"],
        "domain": vm["domain"],
        "_owner": vm["_owner"],
        "_ref": vm["id"],
        "storagetype": "shared",
        "provisioningtype": "thin",
        "hypervisor": vm["hypervisor"],
        "storage": "SimPrimaryStorage",
        "destroyed": False,
        "isextractable": False,
        "serviceofferingid": vm["serviceofferingid"],
        "serviceofferingname": vm["serviceofferingname"],
        "templateid": template["id"],
        "templatename": template["name"],
        "templatedisplaytext": template["displaytext"],
        "displayvolume": True,
        "quiescevm": False,
        "chaininfo": "",
    }
