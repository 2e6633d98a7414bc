"""``/servers/``: create, edit, start/stop, VNC, clone, delete, availability groups."""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from ._catalog import capabilities
from ._drives import any_drive, clone_drive, mount, storage_host, unmount
from ._errors import denied, invalid, payment
from ._listing import list_kind
from ._request import Reply, Req
from ._state import CloudSigmaState, new_server_doc, public, ref
from ._store import Doc
from ._tags import set_object_tags

__all__ = ["ROUTES", "new_server_doc"]

COMPUTE_HOSTS = ("host-1", "host-2", "host-3", "host-4")
_FILTERS = ("name", "uuid", "tag", "status")
_SLIM = ("uuid", "name", "owner", "resource_uri", "runtime", "status")
_DEVICES = {"ide": (2, 2), "virtio": (1024, 6), "scsi": (1, 8)}
_BUSY_DRIVE = frozenset({"creating", "cloning_dst", "cloning_src", "resizing"})
_EDITABLE_RUNNING = ("name", "meta")


def _mac(rng: random.Random) -> str:
    return "22:" + ":".join(f"{rng.randrange(256):02x}" for _ in range(5))


def _int(fields: dict[str, Any], name: str) -> int:
    value = fields.get(name)
    if value is None or value == "":
        raise invalid("This field is required.", name)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise invalid("Enter a whole number.", name) from None


def _limit(value: int, limits: dict[str, int], name: str) -> None:
    if value > limits["max"]:
        raise invalid(f"Ensure this value is less than or equal to {limits['max']}.", name)
    if value < limits["min"]:
        raise invalid(f"Ensure this value is greater than or equal to {limits['min']}.", name)


def _sizing(req: Req, fields: dict[str, Any]) -> dict[str, int]:
    caps = capabilities(req.config.capabilities)["servers"]
    cpu, mem = _int(fields, "cpu"), _int(fields, "mem")
    _limit(cpu, caps["cpu"], "cpu")
    _limit(mem, caps["mem"], "mem")
    per_core = caps["cpu_per_smp"]["max"]
    smp = int(fields.get("smp") or max(1, math.ceil(cpu / per_core)))
    _limit(smp, caps["smp"], "smp")
    if cpu / smp > per_core:
        raise invalid(f"CPU per core must not exceed {per_core} MHz; raise smp", "smp")
    return {"cpu": cpu, "mem": mem, "smp": smp}


def _drives(state: CloudSigmaState, items: Any) -> list[Doc]:
    out: list[Doc] = []
    seen: set[tuple[str, str]] = set()
    for item in items or []:
        if not isinstance(item, dict):
            raise invalid("Each drive must be an object", "drives")
        uuid = str(
            item["drive"].get("uuid")
            if isinstance(item.get("drive"), dict)
            else item.get("drive") or ""
        )
        if not uuid:
            raise invalid("This field is required.", "drives.drive")
        kind, drive = any_drive(state, uuid)
        if kind == "libdrives" and drive["media"] != "cdrom":
            raise invalid(
                f"Library drive {uuid} is a disk image; clone it before attaching", "drives.drive"
            )
        device = item.get("device", "virtio")
        if device not in _DEVICES:
            raise invalid(
                f"Select a valid choice. {device} is not one of the available choices.",
                "drives.device",
            )
        channel = str(item.get("dev_channel", "0:0"))
        controllers, units = _DEVICES[device]
        try:
            controller, unit = (int(x) for x in channel.split(":"))
        except ValueError:
            raise invalid(
                "dev_channel must look like 'controller:unit'", "drives.dev_channel"
            ) from None
        if not (0 <= controller < controllers and 0 <= unit < units):
            raise invalid(
                f"dev_channel {channel} is out of range for {device}", "drives.dev_channel"
            )
        if (device, channel) in seen:
            raise invalid(f"Duplicate dev_channel {channel} for {device}", "drives.dev_channel")
        seen.add((device, channel))
        out.append(
            {
                "drive": ref("drives", uuid),
                "device": device,
                "dev_channel": channel,
                "boot_order": item.get("boot_order"),
                "runtime": None,
            }
        )
    return out


def _conf(value: Any, name: str) -> Doc | None:
    if not value:
        return None
    if not isinstance(value, dict) or value.get("conf") not in ("dhcp", "static", "manual"):
        raise invalid("conf must be one of dhcp, static, manual", name)
    ip = value.get("ip")
    ip_uuid = ip.get("uuid") if isinstance(ip, dict) else ip
    return {"conf": value["conf"], "ip": ref("ips", ip_uuid) if ip_uuid else None}


def _nics(state: CloudSigmaState, items: Any, old: list[Doc], rng: random.Random) -> list[Doc]:
    macs = {nic.get("mac"): nic for nic in old}
    out: list[Doc] = []
    for item in items or []:
        if not isinstance(item, dict):
            raise invalid("Each nic must be an object", "nics")
        mac = item.get("mac")
        if mac and mac not in macs:
            raise invalid(f"Unknown MAC address {mac}", "nics.mac")
        v4 = _conf(item.get("ip_v4_conf"), "nics.ip_v4_conf")
        v6 = _conf(item.get("ip_v6_conf"), "nics.ip_v6_conf")
        vlan = item.get("vlan")
        vlan_uuid = vlan.get("uuid") if isinstance(vlan, dict) else vlan
        if vlan_uuid and (v4 or v6):
            raise invalid("A NIC is either public (ip conf) or private (vlan), not both", "nics")
        if vlan_uuid and state.find("vlans", str(vlan_uuid)) is None:
            raise invalid(f"VLAN {vlan_uuid} does not exist", "nics.vlan")
        for conf in (v4, v6):
            if conf and conf["conf"] == "static":
                if not conf["ip"] or state.find("ips", conf["ip"]["uuid"]) is None:
                    raise invalid("A static IP must be one of the account's IPs", "nics.ip_v4_conf")
            elif conf and conf["conf"] == "dhcp" and conf["ip"]:
                raise invalid("An IP must not be given with dhcp", "nics.ip_v4_conf")
        policy = item.get("firewall_policy")
        policy_uuid = policy.get("uuid") if isinstance(policy, dict) else policy
        out.append(
            {
                "ip_v4_conf": v4,
                "ip_v6_conf": v6,
                "vlan": ref("vlans", str(vlan_uuid)) if vlan_uuid else None,
                "mac": mac or _mac(rng),
                "model": item.get("model") or "virtio",
                "boot_order": item.get("boot_order"),
                "firewall_policy": ref("fwpolicies", str(policy_uuid)) if policy_uuid else None,
                "runtime": None,
            }
        )
    return out


def _apply(req: Req, doc: Doc, fields: dict[str, Any], rng: random.Random) -> None:
    """Validate and apply a full definition to a stopped (or new) server."""
    state = req.state
    if not fields.get("name"):
        raise invalid("This field is required.", "name")
    if not fields.get("vnc_password"):
        raise invalid("This field is required.", "vnc_password")
    doc.update(_sizing(req, fields))
    doc["name"] = fields["name"]
    doc["vnc_password"] = str(fields["vnc_password"])
    meta = fields.get("meta", doc.get("meta") or {})
    if not isinstance(meta, dict) or any(len(str(k)) > 32 for k in meta):
        raise invalid("meta must map keys of at most 32 characters to strings", "meta")
    doc["meta"] = {str(k): str(v) for k, v in meta.items()}
    for key in ("cpu_type", "hypervisor", "cpu_model", "auto_start", "context", "enable_numa"):
        if key in fields:
            doc[key] = fields[key]
    keys = fields.get("pubkeys") or []
    for key in keys:
        key_uuid = str(key.get("uuid") if isinstance(key, dict) else key)
        if state.find("keypairs", key_uuid) is None:
            raise invalid(f"Key pair {key_uuid} does not exist", "pubkeys")
    doc["pubkeys"] = [
        ref("keypairs", str(k.get("uuid") if isinstance(k, dict) else k)) for k in keys
    ]
    old_drives = {d["drive"]["uuid"] for d in doc.get("drives", [])}
    doc["drives"] = _drives(state, fields.get("drives", doc.get("drives")))
    doc["nics"] = _nics(state, fields.get("nics", doc.get("nics")), doc.get("nics", []), rng)
    new_drives = {d["drive"]["uuid"] for d in doc["drives"]}
    for uuid in old_drives - new_drives:
        unmount(state, uuid, doc["uuid"])
    for uuid in new_drives - old_drives:
        mount(state, uuid, doc["uuid"])


def _create(req: Req) -> Reply:
    rng = random.Random()
    created = []
    for fields in req.objects():
        doc = new_server_doc(req.state, fields)
        _apply(req, doc, fields, rng)
        req.state.save("servers", doc)
        set_object_tags(req.state, "servers", doc, fields.get("tags"))
        created.append(public(doc))
    return Reply(201, {"objects": created})


def _update(req: Req) -> Reply:
    state = req.state
    doc = state.load("servers", req.args[0])
    fields = req.fields()
    if doc["status"] == "stopped":
        merged = {**public(doc), **fields}
        _apply(req, doc, merged, random.Random())
    else:
        for key in _EDITABLE_RUNNING:
            if key in fields:
                doc[key] = fields[key]
    if "tags" in fields:
        set_object_tags(state, "servers", doc, fields["tags"])
    state.save("servers", doc)
    return Reply(200, public(doc))


def _list(req: Req, detail: bool) -> Reply:
    if detail:
        return list_kind(req, "servers", _FILTERS)
    return list_kind(req, "servers", _FILTERS, lambda d: {k: d.get(k) for k in _SLIM})


def _dynamic_ip(state: CloudSigmaState) -> str:
    number = int(state.store.setting("next_ip") or "10")
    state.store.set_setting("next_ip", str(number + 1))
    return f"185.12.{(number // 250) % 250}.{number % 250 + 2}"


def _runtime(state: CloudSigmaState, doc: Doc) -> Doc:
    nics = []
    for nic in doc["nics"]:
        conf = nic.get("ip_v4_conf") or {}
        if nic.get("vlan"):
            entry: Doc = {"interface_type": "private", "ip_v4": None, "ip_v6": None}
        elif conf.get("conf") == "static" and conf.get("ip"):
            entry = {
                "interface_type": "public",
                "ip_v4": ref("ips", conf["ip"]["uuid"]),
                "ip_v6": None,
            }
        elif conf.get("conf") == "dhcp":
            entry = {
                "interface_type": "public",
                "ip_v4": ref("ips", _dynamic_ip(state)),
                "ip_v6": None,
            }
        else:
            entry = {"interface_type": "public", "ip_v4": None, "ip_v6": None}
        entry.update(mac=nic["mac"], io={"bytes_recv": 0, "bytes_sent": 0})
        nic["runtime"] = dict(entry)
        nics.append(entry)
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return {"active_since": started, "nics": nics}


def _compute_host(state: CloudSigmaState, avoid: list[str]) -> str:
    busy = {(state.find("servers", u) or {}).get("_host") for u in avoid}
    load = Counter(d.get("_host") for d in state.store.all("servers") if d.get("_host"))
    free = [h for h in COMPUTE_HOSTS if h not in busy] or list(COMPUTE_HOSTS)
    return min(free, key=lambda h: load[h])


def _start(req: Req, doc: Doc) -> None:
    state = req.state
    if doc["status"] != "stopped":
        raise denied(
            f'Cannot start guest in state "{doc["status"]}". Guest should be in state "stopped"'
        )
    for item in doc["drives"]:
        drive = state.find("drives", item["drive"]["uuid"])
        if drive is not None and drive["status"] in _BUSY_DRIVE:
            raise denied(f'Cannot start: drive {drive["uuid"]} is in state "{drive["status"]}"')
    if state.balance <= 0:
        raise payment("Not enough funds to run the server for 5 days on burst")
    doc["_host"] = _compute_host(state, req.uuids("avoid"))
    doc["runtime"] = _runtime(state, doc)
    state.transition(doc, "starting", "running", req.config.server_latency)


def _stop(req: Req, doc: Doc) -> None:
    if doc["status"] not in ("running", "starting"):
        raise denied(
            f'Cannot stop guest in state "{doc["status"]}". '
            "Guest should be in state \"['started', 'running_legacy']\""
        )
    doc["runtime"] = None
    doc.pop("_host", None)
    for nic in doc["nics"]:
        nic["runtime"] = None
    req.state.transition(doc, "stopping", "stopped", req.config.server_latency)


def _clone(req: Req, doc: Doc) -> Doc:
    state = req.state
    fields = req.fields()
    avoid = req.uuids("avoid")
    host = storage_host(state, avoid)
    copy = new_server_doc(state, public(doc))
    copy["name"] = fields.get("name") or f"{doc['name']} - clone"
    if fields.get("random_vnc_password"):
        copy["vnc_password"] = "".join(
            random.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(12)
        )
    rng = random.Random()
    copy["nics"] = [
        {
            **nic,
            "mac": _mac(rng),
            "runtime": None,
            "ip_v4_conf": {"conf": "dhcp", "ip": None} if nic.get("ip_v4_conf") else None,
        }
        for nic in doc["nics"]
    ]
    drives = []
    for item in doc["drives"]:
        kind, drive = any_drive(state, item["drive"]["uuid"])
        if drive["media"] == "disk":
            new = clone_drive(req, kind, drive, {"name": f"{drive['name']} - clone"}, host)
            item = {**item, "drive": ref("drives", new["uuid"])}
        drives.append(item)
    copy["drives"] = drives
    for item in drives:
        mount(state, item["drive"]["uuid"], copy["uuid"])
    copy["status"] = "stopped"  # the real API answers a server clone as stopped at once
    state.save("servers", copy)
    return copy


def _vnc_url(req: Req) -> str:
    return f"vnc://direct.{req.host}:{random.randint(40000, 49999)}"


def _action(req: Req) -> Reply:
    state = req.state
    doc = state.load("servers", req.args[0])
    do = req.query.get("do", "")
    uuid = doc["uuid"]
    if do == "start":
        _start(req, doc)
    elif do in ("stop", "shutdown"):
        _stop(req, doc)
    elif do == "restart":
        if doc["status"] != "running":
            raise denied(f'Cannot restart guest in state "{doc["status"]}"')
    elif do in ("open_vnc", "close_vnc"):
        if doc["status"] != "running":
            raise denied(f'Cannot {do} of a guest in state "{doc["status"]}"')
        if do == "open_vnc":
            url = _vnc_url(req)
            doc["_vnc"] = url
            state.save("servers", doc)
            return Reply(202, {"action": do, "result": "success", "uuid": uuid, "vnc_url": url})
        doc.pop("_vnc", None)
    elif do == "clone":
        return Reply(202, public(_clone(req, doc)))
    else:
        raise invalid(f"Unknown action {do!r}", "do")
    state.save("servers", doc)
    return Reply(202, {"action": do, "result": "success", "uuid": uuid})


def _delete(req: Req) -> Reply:
    state = req.state
    doc = state.load("servers", req.args[0])
    if doc["status"] not in ("stopped", "cloning"):
        raise denied(f'Cannot delete guest in state "{doc["status"]}". Stop it first')
    recurse = req.query.get("recurse", "")
    if recurse and recurse not in ("all_drives", "disks", "cdroms"):
        raise invalid("recurse must be all_drives, disks or cdroms", "recurse")
    set_object_tags(state, "servers", doc, [])
    for item in doc["drives"]:
        uuid = item["drive"]["uuid"]
        unmount(state, uuid, doc["uuid"])
        drive = state.find("drives", uuid)
        if drive is None or not recurse:
            continue
        wanted = recurse == "all_drives" or (recurse == "disks") == (drive["media"] == "disk")
        if wanted and not drive.get("mounted_on"):
            state.store.delete("drives", uuid)
    state.store.delete("servers", doc["uuid"])
    return Reply(204)


def _groups(req: Req) -> Reply:
    by_host: dict[str, list[str]] = {}
    for doc in req.state.all("servers"):
        if doc["status"] == "running" and doc.get("_host"):
            by_host.setdefault(doc["_host"], []).append(doc["uuid"])
    if req.args:
        doc = req.state.load("servers", req.args[0])
        return Reply(
            200, by_host.get(doc.get("_host", ""), []) if doc["status"] == "running" else []
        )
    return Reply(200, [group for group in by_host.values() if len(group) > 1])


ROUTES = [
    ("GET", "servers", lambda r: _list(r, False)),
    ("GET", "servers/detail", lambda r: _list(r, True)),
    ("POST", "servers", _create),
    ("GET", "servers/availability_groups", _groups),
    ("GET", "servers/availability_groups/*", _groups),
    ("GET", "servers/*", lambda r: Reply(200, public(r.state.load("servers", r.args[0])))),
    ("PUT", "servers/*", _update),
    ("DELETE", "servers/*", _delete),
    ("POST", "servers/*/action", _action),
]
