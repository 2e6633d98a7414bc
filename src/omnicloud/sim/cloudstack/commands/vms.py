"""Virtual machines: deploy, list, start/stop/reboot, destroy/expunge/recover, restore, scale,
change offering, reset password, update."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
import secrets

from .. import _errors as err
from .._call import Call, Listing, Pending
from .._docs import allocate_ips, mac_addresses, render, render_many, timestamp
from .._expunge import mark_destroyed, remove_vm
from .._ids import seed_id
from .._registry import LIST_OWNER_PARAMS, Command, Declaration, Param, command
from .._store import Doc
from .._vmbuild import VmSpec, build_vm, root_volume, sg_summary
from ._common import async_success, by_name, check_limit, tag_filters
from ._netdocs import owner_and_project, project_where
from .volumes import new_volume

_HOSTNAME = re.compile(r"^(?![0-9])(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_GB = 1024**3
HOST_MAX_CPUS = 32
HOST_MAX_MEMORY = 131072
GET_USERDATA_MAX = 4096

_VM_ID = Param(
    "id", "uuid", required=True, entity="vm", description="The ID of the virtual machine"
)


def vm_view(call: Call, doc: Doc) -> Doc:
    """A VM as the API shows it (with tags)."""
    return render(call.state, doc)


def _load(call: Call, vm_id: str) -> Doc:
    doc = call.state.store.get("vm", vm_id)
    if doc is None:
        raise err.param_error(f"Unable to find a virtual machine with specified vmId {vm_id}")
    return doc


def _set_state(call: Call, vm_id: str, state: str) -> Doc:
    doc = _load(call, vm_id)
    doc["state"] = state
    call.state.store.save(doc)
    return doc


def _restore_state(call: Call, payload: Doc) -> None:
    if payload.get("previous"):
        _set_state(call, payload["vm"], payload["previous"])


# deploy ---------------------------------------------------------------------------------------


def _custom_sizes(call: Call, offering: Doc) -> tuple[int | None, int | None, int | None]:
    details = {k.lower(): v for entry in call.maps("details") for k, v in entry.items()}
    if not offering.get("iscustomized"):
        return None, None, None
    try:
        cpus = int(details["cpunumber"])
        memory = int(details["memory"])
        speed = int(details.get("cpuspeed", "1000"))
    except (KeyError, ValueError):
        raise err.param_error(
            "Need to specify custom parameter values cpu, cpu speed and memory when using "
            "custom offering"
        ) from None
    limits = offering.get("serviceofferingdetails", {})
    low_cpu, high_cpu = int(limits.get("mincpunumber", 1)), int(limits.get("maxcpunumber", 64))
    low_mem, high_mem = int(limits.get("minmemory", 32)), int(limits.get("maxmemory", 262144))
    if not low_cpu <= cpus <= high_cpu:
        raise err.param_error(f"The cpu number should be between {low_cpu} and {high_cpu}")
    if not low_mem <= memory <= high_mem:
        raise err.param_error(f"The memory should be between {low_mem} and {high_mem} MB")
    return cpus, speed, memory


def _check_userdata(call: Call) -> str | None:
    userdata = call.text("userdata")
    if userdata is None:
        return None
    limit = GET_USERDATA_MAX if call.method == "GET" else call.config.max_userdata_length
    if len(userdata) > limit:
        raise err.param_error(f"User data is too long for an http {call.method} request")
    try:
        base64.b64decode(userdata, validate=True)
    except (binascii.Error, ValueError):
        raise err.param_error("User data is not base64 encoded") from None
    return userdata


def _security_groups(call: Call, account: Doc, zone: Doc) -> list[Doc]:
    groups = list(call.ref_list("securitygroupids"))
    for name in call.items("securitygroupnames"):
        group = by_name(call, "securitygroup", name, account)
        if group is None:
            raise err.param_error(f"Unable to find group by name {name}")
        groups.append(group)
    if groups and not zone.get("securitygroupsenabled"):
        raise err.param_error(
            "Can't create vm with security groups; security group feature is not enabled per zone"
        )
    if not groups and zone.get("securitygroupsenabled"):
        default = by_name(call, "securitygroup", "default", account)
        groups = [default] if default else []
    return groups


def _networks(call: Call, account: Doc, zone: Doc) -> list[Doc]:
    networks = call.ref_list("networkids")
    for network in networks:
        if network["zoneid"] != zone["id"]:
            raise err.param_error(f"Network {network['id']} doesn't belong to zone {zone['id']}")
    if networks:
        return networks
    if zone["networktype"] == "Basic":
        shared = call.state.store.get(
            "network", seed_id(f"network:{zone['id']}:defaultGuestNetwork")
        )
        return [shared] if shared else []
    _, own = call.state.store.find(
        "network", owners=[account["id"]], fields={"zoneid": zone["id"]}, limit=1
    )
    if not own:
        raise err.param_error("Can't deploy VM in advanced zone without specifying a network")
    return own


def _addresses(call: Call, networks: list[Doc]) -> list[str]:
    ips = [allocate_ips(call.state, network)[0] for network in networks]
    wanted = call.text("ipaddress")
    if wanted:
        try:
            inside = ipaddress.ip_address(wanted) in ipaddress.ip_network(
                networks[0]["cidr"], strict=False
            )
        except ValueError:
            inside = False
        if not inside:
            raise err.param_error(f"Invalid ip address {wanted}: not in the network's CIDR")
        ips[0] = wanted
    return ips


deploy = command(
    "deployVirtualMachine",
    is_async=True,
    params=(
        Param(
            "serviceofferingid",
            "uuid",
            required=True,
            entity="serviceoffering",
            description="the ID of the service offering",
        ),
        Param(
            "templateid",
            "uuid",
            required=True,
            entity="template",
            shared=True,
            description="the ID of the template",
        ),
        Param("zoneid", "uuid", required=True, entity="zone", description="availability zone"),
        Param("name", "string", description="host name for the virtual machine"),
        Param("displayname", "string", description="an optional user generated name"),
        Param("networkids", "list", entity="network", description="list of network ids"),
        Param("securitygroupids", "list", entity="securitygroup", description="security group ids"),
        Param("securitygroupnames", "list", description="security group names"),
        Param("keypair", "string", description="name of the ssh key pair"),
        Param("keypairs", "list", description="names of the ssh key pairs"),
        Param(
            "userdata",
            "string",
            description="base64 user data (GET up to 4 KB, POST up to vm.userdata.max.length)",
            length=1048576,
        ),
        Param("ipaddress", "string", description="the ip address for the default network"),
        Param("rootdisksize", "long", description="root disk size in GB"),
        Param("affinitygroupids", "list", entity="affinitygroup", description="affinity group ids"),
        Param("affinitygroupnames", "list", description="affinity group names"),
        Param(
            "diskofferingid",
            "uuid",
            entity="diskoffering",
            description="the ID of the disk offering for a data disk",
        ),
        Param("size", "long", description="the size of a custom data disk in GB"),
        Param("startvm", "boolean", description="start the VM after creation (default true)"),
        Param(
            "details", "map", description="details, e.g. details[0].cpuNumber, details[0].memory"
        ),
        Param("projectid", "uuid", entity="project", description="deploy the VM in this project"),
        Param("account", "string", description="an optional account for the virtual machine"),
        Param("domainid", "uuid", description="an optional domain"),
        Param("group", "string", description="an optional group for the virtual machine"),
        Param("hypervisor", "string", description="the hypervisor"),
        Param("hostid", "uuid", exists="host", description="destination host (admin)"),
        Param("displayvm", "boolean", description="whether to display the vm to the end user"),
        Param("keyboard", "string", description="keyboard layout"),
    ),
)


@deploy
def _deploy(call: Call) -> Pending:
    """Creates and automatically starts a virtual machine based on a service offering, disk
    offering, and template."""
    account, project = owner_and_project(call)
    zone = call.need_ref("zoneid")
    template = call.need_ref("templateid")
    offering = call.need_ref("serviceofferingid")
    if zone["id"] not in template.get("_zones", []):
        raise err.param_error(f"Template {template['id']} is not available in zone {zone['id']}")
    name = call.text("name")
    if name is not None:
        if not _HOSTNAME.match(name):
            raise err.param_error(
                "Invalid name. Vm name can contain ASCII letters 'a' through 'z', the digits '0' "
                "through '9', and the hyphen ('-'), must be between 1 and 63 characters long, and "
                "can't start or end with \"-\" and can't start with digit"
            )
        _, clash = call.state.store.find(
            "vm",
            owners=[account["id"]],
            name=name,
            where=[("json_extract(data, '$.state') NOT IN ('Destroyed', 'Expunging')", ())],
            limit=1,
            with_total=False,
        )
        if clash:
            raise err.param_error(
                f"The vm with hostName {name} already exists in the network domain"
            )
    cpus, speed, memory = _custom_sizes(call, offering)
    userdata = _check_userdata(call)
    keypair_names = call.items("keypairs") or (
        [call.text("keypair") or ""] if call.text("keypair") else []
    )
    for key_name in keypair_names:
        if by_name(call, "sshkeypair", key_name, account) is None:
            raise err.param_error(
                f"A key pair with name '{key_name}' was not found for account {account['name']}"
            )
    groups = _security_groups(call, account, zone)
    networks = _networks(call, account, zone)
    template_gb = int(template.get("size") or 0) // _GB
    root_gb = call.number("rootdisksize")
    if root_gb is not None and root_gb < template_gb:
        raise err.param_error(
            f"rootdisksize override ({root_gb} GB) is smaller than template size ({template_gb} GB)"
        )
    disk_offering = call.ref("diskofferingid")
    data_gb = 0
    if disk_offering is not None:
        data_gb = int(disk_offering.get("disksize") or 0)
        if disk_offering.get("iscustomized"):
            data_gb = call.number("size") or 0
            if data_gb <= 0:
                raise err.param_error("Disk offering is customized: the size parameter is required")
    affinity = list(call.ref_list("affinitygroupids"))
    for group_name in call.items("affinitygroupnames"):
        group = by_name(call, "affinitygroup", group_name, account)
        if group is None:
            raise err.param_error(f"Unable to find affinity group by name {group_name}")
        affinity.append(group)

    vm_cpus = cpus or int(offering.get("cpunumber") or 1)
    vm_memory = memory or int(offering.get("memory") or 512)
    check_limit(call, account, 0)
    check_limit(call, account, 8, vm_cpus)
    check_limit(call, account, 9, vm_memory)
    check_limit(call, account, 2, 2 if disk_offering else 1)
    check_limit(call, account, 10, (root_gb or template_gb) + data_gb)

    user_id, username = call.caller.user_id, call.caller.username
    if account["id"] != call.caller.account_id:
        user_id, username, _, _ = call.state.store.users_of(account["id"])[0]
    start = call.flag("startvm", True)
    details = {k: v for entry in call.maps("details") for k, v in entry.items()}
    spec = VmSpec(
        account=account,
        user_id=user_id,
        username=username,
        zone=zone,
        template=template,
        offering=offering,
        networks=networks,
        security_groups=groups,
        name=name,
        displayname=call.text("displayname"),
        keypair=",".join(keypair_names) or None,
        state="Starting" if start else "Stopped",
        cpunumber=cpus,
        cpuspeed=speed,
        memory=memory,
        details=details,
        project=project,
        affinity_groups=affinity,
        extra={"_userdata": userdata} if userdata else {},
    )
    if call.has("group"):
        spec.extra["group"] = call.text("group")
    ips = _addresses(call, networks)
    number = call.state.store.next_value("vm")
    vm = build_vm(call.state, spec, number, ips, mac_addresses(call.state, len(networks)), call.now)
    call.state.store.put("vm", vm)
    root = root_volume(vm, template, root_gb, call.now)
    call.state.store.put("volume", root)
    if disk_offering is not None:
        data = new_volume(call, account, zone, f"DATA-{number}", disk_offering, data_gb)
        data.update(
            virtualmachineid=vm["id"],
            vmname=vm["name"],
            vmdisplayname=vm["displayname"],
            deviceid=1,
            attached=timestamp(call.now),
            _ref=vm["id"],
            state="Ready",
        )
        call.state.store.put("volume", data)
    for group in groups:
        _count_member(call, group["id"], vm["id"], +1)
    return Pending(
        "VirtualMachine", vm["id"], returns_id=True, payload={"vm": vm["id"], "start": start}
    )


def _count_member(call: Call, group_id: str, vm_id: str, delta: int) -> None:
    group = call.state.store.get("securitygroup", group_id)
    if group is None:
        return
    members: list[str] = group.get("virtualmachineids", [])
    if vm_id in members or delta < 0:
        members = [m for m in members if m != vm_id]
    if delta > 0:
        members.append(vm_id)
    group["virtualmachineids"] = members
    group["virtualmachinecount"] = len(members)
    call.state.store.save(group)


@deploy.finisher
def _deployed(call: Call, payload: Doc) -> Doc:
    vm = _load(call, payload["vm"])
    if payload.get("start", True):
        if vm["cpunumber"] > HOST_MAX_CPUS or vm["memory"] > HOST_MAX_MEMORY:
            raise err.ApiError(
                err.INSUFFICIENT_CAPACITY,
                f"Unable to create a deployment for VM instance {vm['instancename']}: "
                "insufficient capacity in the zone",
            )
        vm["state"] = "Running"
    else:
        vm["state"] = "Stopped"
    view = vm_view(call, vm)
    if vm.get("passwordenabled"):
        vm["_password"] = secrets.token_urlsafe(9)
        view["password"] = vm["_password"]
    call.state.store.save(vm)
    return {"virtualmachine": view}


@deploy.failure
def _deploy_failed(call: Call, payload: Doc) -> None:
    vm = call.state.store.get("vm", payload["vm"])
    if vm is None:
        return
    vm["state"] = "Error"
    call.state.store.save(vm)
    for group in vm.get("securitygroup", []):
        _count_member(call, group["id"], vm["id"], -1)
    _, volumes = call.state.store.find("volume", ref=vm["id"])
    for volume in volumes:
        call.state.store.delete(volume["id"])


# list -----------------------------------------------------------------------------------------


@command(
    "listVirtualMachines",
    params=(
        Param("id", "uuid", exists="vm", description="the ID of the virtual machine"),
        Param(
            "ids", "list", exists="vm", since="4.4", description="the IDs of the virtual machines"
        ),
        Param("name", "string", description="name of the virtual machine (matches as a substring)"),
        Param("state", "string", description="state of the virtual machine"),
        Param("zoneid", "uuid", exists="zone", description="the availability zone ID"),
        Param("templateid", "uuid", exists="template", description="list vms by template"),
        Param(
            "serviceofferingid",
            "uuid",
            exists="serviceoffering",
            description="list by the service offering",
        ),
        Param("networkid", "uuid", exists="network", description="list by network id"),
        Param("keypair", "string", description="list vms by ssh keypair name"),
        Param("hostid", "uuid", exists="host", description="the host ID"),
        Param("groupid", "uuid", description="the group ID"),
        Param("tags", "map", description="List resources by tags (key/value pairs)"),
        Param("details", "list", description="comma separated list of VM details requested"),
        Param("displayvm", "boolean", description="list resources by display flag"),
        *LIST_OWNER_PARAMS,
    ),
    list_key="virtualmachine",
)
def list_virtual_machines(call: Call) -> Listing:
    """List the virtual machines owned by the account."""
    fields: dict[str, object] = {}
    for key in (
        "zoneid",
        "templateid",
        "serviceofferingid",
        "hostid",
        "keypair",
        "state",
    ):
        if call.has(key):
            fields[key] = call.text(key)
    where: list[tuple[str, tuple[object, ...]]] = []
    # like the server: project VMs only with projectid (-1: every project) or by their id
    if call.has("projectid") or not call.has("id"):
        where.extend(project_where(call))
    if call.has("state"):
        state = call.text("state") or ""
        fields.pop("state")
        where.append(("lower(json_extract(data, '$.state')) = lower(?)", (state,)))
    elif not call.caller.is_admin:
        where.append(("json_extract(data, '$.state') NOT IN ('Destroyed', 'Expunging')", ()))
    if call.has("name"):
        where.append(("name LIKE ?", (f"%{call.text('name')}%",)))
    if call.has("networkid"):
        where.append(
            (
                "EXISTS (SELECT 1 FROM json_each(data, '$.nic') "
                "WHERE json_extract(value, '$.networkid') = ?)",
                (call.text("networkid"),),
            )
        )
    where.extend(tag_filters(call))
    ids = [call.need_text("id")] if call.has("id") else (call.items("ids") or None)
    offset, limit = call.window()
    total, docs = call.state.store.find(
        "vm",
        owners=call.visible_owners(),
        ids=ids,
        fields=fields,
        keyword=call.text("keyword"),
        where=where,
        offset=offset,
        limit=limit,
    )
    return Listing(total, render_many(call.state, docs))


# power ----------------------------------------------------------------------------------------


def _power(
    name: str, doc: str, during: str | None, allowed: tuple[str, ...], final: str
) -> Declaration:
    cmd = command(
        name,
        is_async=True,
        params=(
            _VM_ID,
            Param("forced", "boolean", description="force the operation"),
            Param("hostid", "uuid", exists="host", description="destination host (admin)"),
        ),
        description=doc,
    )

    @cmd
    def _submit(call: Call) -> Pending:
        vm = call.need_ref("id")
        if vm["state"] not in allowed and vm["state"] != final:
            raise err.param_error(
                f"Unable to {name[:-14].lower()} VM {vm['id']} in state {vm['state']}"
            )
        previous = vm["state"]
        if during and vm["state"] != final:
            _set_state(call, vm["id"], during)
        return Pending("VirtualMachine", vm["id"], payload={"vm": vm["id"], "previous": previous})

    @cmd.finisher
    def _done(call: Call, payload: Doc) -> Doc:
        vm = _load(call, payload["vm"])
        if final == "Running" and (
            vm["cpunumber"] > HOST_MAX_CPUS or vm["memory"] > HOST_MAX_MEMORY
        ):
            raise err.ApiError(
                err.INSUFFICIENT_CAPACITY,
                f"Unable to start VM {vm['instancename']}: insufficient capacity",
            )
        vm["state"] = final
        call.state.store.save(vm)
        return {"virtualmachine": vm_view(call, vm)}

    cmd.failure(_restore_state)
    return cmd


start_vm = _power(
    "startVirtualMachine", "Starts a virtual machine.", "Starting", ("Stopped",), "Running"
)
stop_vm = _power(
    "stopVirtualMachine", "Stops a virtual machine.", "Stopping", ("Running", "Starting"), "Stopped"
)
reboot_vm = _power(
    "rebootVirtualMachine", "Reboots a virtual machine.", None, ("Running",), "Running"
)


# destroy / expunge / recover ------------------------------------------------------------------


def expunge(call: Call, vm: Doc, volume_ids: list[str]) -> None:
    """Remove a VM, its ROOT volume and the listed data volumes; detach other data volumes."""
    remove_vm(call.state.store, vm, volume_ids)


destroy = command(
    "destroyVirtualMachine",
    is_async=True,
    params=(
        _VM_ID,
        Param(
            "expunge",
            "boolean",
            description="expunge the VM immediately (root admin only by default)",
        ),
        Param(
            "volumeids", "list", entity="volume", description="data volumes to destroy with the VM"
        ),
    ),
)


@destroy
def _destroy(call: Call) -> Pending:
    """Destroys a virtual machine."""
    vm = call.need_ref("id")
    if call.flag("expunge") and not call.caller.is_admin:
        raise err.denied(
            "Parameter expunge can be passed by Admin only. Or when the "
            "allow.user.expunge.recover.vm key is set."
        )
    if vm["state"] in ("Destroyed", "Expunging") and not call.flag("expunge"):
        raise err.param_error(f"Unable to destroy VM {vm['id']}: it is already destroyed")
    return Pending(
        "VirtualMachine", vm["id"], payload={"vm": vm["id"], "expunge": call.flag("expunge")}
    )


@destroy.finisher
def _destroyed(call: Call, payload: Doc) -> Doc:
    vm = _load(call, payload["vm"])
    vm["state"] = "Destroyed"
    view = vm_view(call, vm)
    if payload.get("expunge"):
        view["state"] = "Expunging"
        expunge(call, vm, [v["id"] for v in call.ref_list("volumeids")])
    else:
        mark_destroyed(call.state.store, vm, call.now)
        call.state.store.save(vm)
        for volume_id in [v["id"] for v in call.ref_list("volumeids")]:
            call.state.store.delete(volume_id)
    return {"virtualmachine": view}


expunge_cmd = command("expungeVirtualMachine", is_async=True, admin=True, params=(_VM_ID,))


@expunge_cmd
def _expunge(call: Call) -> Pending:
    """Expunge a virtual machine. Once expunged, it cannot be recovered."""
    vm = call.need_ref("id")
    if vm["state"] != "Destroyed":
        raise err.param_error(f"Please destroy VM {vm['id']} before expunging it")
    return Pending("VirtualMachine", vm["id"], payload={"vm": vm["id"]})


@expunge_cmd.finisher
def _expunged(call: Call, payload: Doc) -> Doc:
    expunge(call, _load(call, payload["vm"]), [])
    return async_success()


@command(
    "recoverVirtualMachine", admin=True, params=(_VM_ID,), response="recovervirtualmachineresponse"
)
def recover(call: Call) -> Doc:
    """Recovers a virtual machine."""
    vm = call.need_ref("id")
    if vm["state"] != "Destroyed":
        raise err.param_error(f"Unable to recover VM {vm['id']} in state {vm['state']}")
    vm["state"] = "Stopped"
    vm.pop("_destroyed_at", None)
    call.state.store.save(vm)
    return {"virtualmachine": vm_view(call, vm)}


# restore / scale / change offering -------------------------------------------------------------

restore = command(
    "restoreVirtualMachine",
    is_async=True,
    response="restorevmresponse",
    params=(
        Param(
            "virtualmachineid", "uuid", required=True, entity="vm", description="Virtual Machine ID"
        ),
        Param(
            "templateid",
            "uuid",
            entity="template",
            shared=True,
            description="an optional template Id to restore vm from the new template",
        ),
        Param("rootdisksize", "long", description="new root disk size in GB"),
    ),
)


@restore
def _restore(call: Call) -> Pending:
    """Restore a VM to original template/ISO or new template/ISO."""
    vm = call.need_ref("virtualmachineid")
    if vm["state"] not in ("Running", "Stopped"):
        raise err.param_error(f"Unable to restore VM {vm['id']} in state {vm['state']}")
    template = call.ref("templateid")
    return Pending(
        "VirtualMachine",
        vm["id"],
        payload={"vm": vm["id"], "template": template["id"] if template else vm["templateid"]},
    )


@restore.finisher
def _restored(call: Call, payload: Doc) -> Doc:
    vm = _load(call, payload["vm"])
    template = call.state.store.get("template", payload["template"])
    if template is None:
        raise err.param_error(f"Template {payload['template']} no longer exists")
    vm.update(
        templateid=template["id"],
        templatename=template["name"],
        templatedisplaytext=template["displaytext"],
        passwordenabled=bool(template.get("passwordenabled")),
        guestosid=template["ostypeid"],
        ostypeid=template["ostypeid"],
        osdisplayname=template["ostypename"],
    )
    _, volumes = call.state.store.find("volume", ref=vm["id"], fields={"type": "ROOT"})
    for volume in volumes:
        call.state.store.delete(volume["id"])
    call.state.store.put("volume", root_volume(vm, template, call.number("rootdisksize"), call.now))
    view = vm_view(call, vm)
    if vm["passwordenabled"]:
        vm["_password"] = secrets.token_urlsafe(9)
        view["password"] = vm["_password"]
    call.state.store.save(vm)
    return {"virtualmachine": view}


def _apply_offering(call: Call, vm: Doc, offering: Doc) -> None:
    cpus, speed, memory = _custom_sizes(call, offering)
    new_cpus = cpus or int(offering.get("cpunumber") or 1)
    new_memory = memory or int(offering.get("memory") or 512)
    account = call.state.account(vm["_owner"])
    assert account is not None
    check_limit(call, account, 8, new_cpus - int(vm["cpunumber"]))
    check_limit(call, account, 9, new_memory - int(vm["memory"]))
    vm.update(
        serviceofferingid=offering["id"],
        serviceofferingname=offering["name"],
        cpunumber=new_cpus,
        cpuspeed=speed or int(offering.get("cpuspeed") or 1000),
        memory=new_memory,
    )


scale = command(
    "scaleVirtualMachine",
    is_async=True,
    params=(
        _VM_ID,
        Param(
            "serviceofferingid",
            "uuid",
            required=True,
            entity="serviceoffering",
            description="the ID of the service offering",
        ),
        Param("details", "map", description="custom cpuNumber, cpuSpeed, memory"),
    ),
)


@scale
def _scale(call: Call) -> Pending:
    """Scales the virtual machine to a new service offering."""
    vm = call.need_ref("id")
    offering = call.need_ref("serviceofferingid")
    if vm["state"] not in ("Running", "Stopped"):
        raise err.param_error(f"Unable to scale VM {vm['id']} in state {vm['state']}")
    probe = dict(vm)
    _apply_offering(call, probe, offering)
    return Pending("VirtualMachine", vm["id"], payload={"vm": vm["id"]})


@scale.finisher
def _scaled(call: Call, payload: Doc) -> Doc:
    vm = _load(call, payload["vm"])
    _apply_offering(call, vm, call.need_ref("serviceofferingid"))
    if vm["state"] == "Running" and (
        vm["cpunumber"] > HOST_MAX_CPUS or vm["memory"] > HOST_MAX_MEMORY
    ):
        raise err.ApiError(
            err.INSUFFICIENT_CAPACITY,
            f"Unable to scale VM {vm['instancename']}: insufficient capacity",
        )
    call.state.store.save(vm)
    return {"virtualmachine": vm_view(call, vm)}


@command(
    "changeServiceForVirtualMachine",
    params=(
        _VM_ID,
        Param(
            "serviceofferingid",
            "uuid",
            required=True,
            entity="serviceoffering",
            description="the service offering ID to apply",
        ),
        Param("details", "map", description="custom cpuNumber, cpuSpeed, memory"),
    ),
)
def change_service(call: Call) -> Doc:
    """Changes the service offering for a virtual machine. The virtual machine must be stopped."""
    vm = call.need_ref("id")
    if vm["state"] != "Stopped":
        raise err.param_error(
            f"Unable to upgrade virtual machine {vm['instancename']} in state {vm['state']}; "
            "make sure the virtual machine is stopped"
        )
    _apply_offering(call, vm, call.need_ref("serviceofferingid"))
    call.state.store.save(vm)
    return {"virtualmachine": vm_view(call, vm)}


# password / update ----------------------------------------------------------------------------

reset_password = command("resetPasswordForVirtualMachine", is_async=True, params=(_VM_ID,))


@reset_password
def _reset_password(call: Call) -> Pending:
    """Resets the password for virtual machine. The virtual machine must be in a "Stopped" state."""
    vm = call.need_ref("id")
    if not vm.get("passwordenabled"):
        raise err.param_error(
            "Fail to reset password for the virtual machine, the template is not password enabled"
        )
    if vm["state"] != "Stopped":
        raise err.param_error(f"Vm {vm['instancename']} should be stopped to do password reset")
    return Pending("VirtualMachine", vm["id"], payload={"vm": vm["id"]})


@reset_password.finisher
def _password_reset(call: Call, payload: Doc) -> Doc:
    vm = _load(call, payload["vm"])
    vm["_password"] = secrets.token_urlsafe(9)
    call.state.store.save(vm)
    view = vm_view(call, vm)
    view["password"] = vm["_password"]
    return {"virtualmachine": view}


@command(
    "updateVirtualMachine",
    params=(
        _VM_ID,
        Param("displayname", "string", description="user generated name"),
        Param("name", "string", description="new host name of the vm (the VM must be stopped)"),
        Param("group", "string", description="group of the virtual machine"),
        Param("haenable", "boolean", description="true if high-availability is enabled"),
        Param("ostypeid", "uuid", entity="ostype", description="the ID of the OS type"),
        Param("userdata", "string", description="base64 user data", length=1048576),
        Param("displayvm", "boolean", description="whether to display the vm to the end user"),
        Param(
            "isdynamicallyscalable", "boolean", description="true if VM can be dynamically scaled"
        ),
        Param("details", "map", description="details in key/value pairs"),
        Param(
            "securitygroupids",
            "list",
            entity="securitygroup",
            description="new security groups (stopped VM)",
        ),
    ),
)
def update_vm(call: Call) -> Doc:
    """Updates properties of a virtual machine."""
    vm = call.need_ref("id")
    if call.has("name") and call.text("name") != vm["name"]:
        name = call.text("name") or ""
        if not _HOSTNAME.match(name):
            raise err.param_error("Invalid name for the virtual machine")
        if vm["state"] != "Stopped":
            raise err.param_error("The VM must be stopped to change its name")
        vm["name"] = name
    for key in ("displayname", "group"):
        if call.has(key):
            vm[key] = call.text(key)
    for key in ("haenable", "displayvm", "isdynamicallyscalable"):
        if call.has(key):
            vm[key] = call.flag(key)
    ostype = call.ref("ostypeid")
    if ostype is not None:
        vm.update(
            guestosid=ostype["id"], ostypeid=ostype["id"], osdisplayname=ostype["description"]
        )
    if call.has("userdata"):
        vm["_userdata"] = _check_userdata(call)
    if call.has("details"):
        vm["details"] = {k: v for entry in call.maps("details") for k, v in entry.items()}
    groups = call.ref_list("securitygroupids")
    if groups:
        for old in vm.get("securitygroup", []):
            _count_member(call, old["id"], vm["id"], -1)
        vm["securitygroup"] = [sg_summary(group) for group in groups]
        for group in groups:
            _count_member(call, group["id"], vm["id"], +1)
    call.state.store.save(vm)
    return {"virtualmachine": vm_view(call, vm)}


@command("getVMPassword", params=(_VM_ID,), response="getvmpasswordresponse")
def get_vm_password(call: Call) -> Doc:
    """Returns an encrypted password for the VM (the simulator returns it in clear)."""
    vm = call.need_ref("id")
    if not vm.get("_password"):
        raise err.param_error(f"No password for VM with specified id found. VM id: {vm['id']}")
    return {"password": {"encryptedpassword": vm["_password"]}}


# what this module declares, in the order listApis and the table keep
DECLARED: tuple[Command | Declaration, ...] = (
    deploy,
    list_virtual_machines,
    start_vm,
    stop_vm,
    reboot_vm,
    destroy,
    expunge_cmd,
    recover,
    restore,
    scale,
    change_service,
    reset_password,
    update_vm,
    get_vm_password,
)
