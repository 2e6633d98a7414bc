"""Nova servers: create (networks, security groups, key pair, block devices, quotas), list
(filters, sorting, ``limit``/``marker`` with ``servers_links``), show, update, delete."""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from typing import Any

from ._config import SimConfig
from ._errors import ApiError, nova
from ._flavors import find_flavor
from ._netmodel import default_security_group, new_port
from ._paging import next_href, page
from ._quota import over
from ._request import Reply, Req
from ._servermodel import load_server, render, summary
from ._state import Cloud, iso
from ._store import Doc
from ._volmodel import attach, release, volume_doc

__all__ = ["ROUTES", "find_image", "quota_error"]

_HOST = "sim-compute-1"


def _bad(message: str) -> ApiError:
    return nova(400, message)


def find_image(req: Req, ident: str) -> Doc | None:
    """A Glance image the caller may use, by id or URL."""
    image = req.cloud.find("images", ident.rstrip("/").rsplit("/", 1)[-1])
    if image is None:
        return None
    if image["visibility"] in ("public", "community") or image["owner"] == req.project:
        return image
    return None


def quota_error(found: list[tuple[str, int, int, int]]) -> ApiError:
    """Nova's 403 for exceeded quotas."""
    names = ", ".join(name for name, *_ in found)
    requested = ", ".join(str(r) for _, r, _, _ in found)
    used = ", ".join(str(u) for _, _, u, _ in found)
    allowed = ", ".join(str(a) for *_, a in found)
    return nova(
        403,
        f"Quota exceeded for {names}: Requested {requested}, but already used {used} of "
        f"{allowed} {names}",
    )


def _security_groups(req: Req, wanted: Any) -> tuple[list[str], list[str]]:
    """(names, Neutron ids) of the requested groups (``default`` when none)."""
    if wanted is None:
        group = default_security_group(req.cloud, req.project)
        return [group["name"]], [group["id"]]
    if not isinstance(wanted, list):
        raise _bad("Invalid input for field/attribute security_groups.")
    default_security_group(req.cloud, req.project)
    groups = [g for g in req.cloud.all("security_groups") if g["project_id"] == req.project]
    names, ids = [], []
    for item in wanted:
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str):
            raise _bad("Invalid input for field/attribute security_groups.")
        found = [g for g in groups if name in (g["id"], g["name"])]
        if not found:
            raise _bad(f"Security group {name} not found for project {req.project}.")
        if len(found) > 1:
            raise nova(
                409,
                f"Multiple security groups found matching '{name}'. Use an ID to be more specific.",
            )
        names.append(found[0]["name"])
        ids.append(found[0]["id"])
    return names, ids


def _networks(req: Req, wanted: Any) -> list[tuple[Doc | None, Doc | None, str | None]]:
    """(network, existing port, fixed IP) per requested NIC; ``auto``: the project's private
    network, ``none``: no NIC."""
    cloud = req.cloud
    visible = [
        n
        for n in cloud.all("networks")
        if n["project_id"] == req.project or n["shared"] or req.who.is_admin
    ]
    if wanted is None and req.at_least(2, 37):
        raise _bad("Invalid input for field/attribute server. 'networks' is a required property")
    if wanted is None or wanted == "auto":
        chosen = [
            n
            for n in cloud.all("networks")
            if not n["router:external"] and (n["project_id"] == req.project or n["shared"])
        ]
        if wanted == "auto" and not chosen:
            raise _bad("Unable to automatically allocate a network for project " + req.project)
        if wanted == "auto" and len(chosen) > 1:
            raise nova(
                409, "Multiple possible networks found, use a Network ID to be more specific."
            )
        return [(n, None, None) for n in chosen]
    if wanted == "none":
        return []
    if not isinstance(wanted, list):
        raise _bad("Invalid input for field/attribute networks.")
    nics: list[tuple[Doc | None, Doc | None, str | None]] = []
    for item in wanted:
        if not isinstance(item, dict):
            raise _bad("Invalid input for field/attribute networks.")
        if item.get("port"):
            port = cloud.find("ports", str(item["port"]))
            if port is None:
                raise _bad(f"Port {item['port']} could not be found.")
            if port["device_id"]:
                raise nova(409, f"Port {port['id']} is still in use.")
            nics.append((None, port, None))
            continue
        ident = item.get("uuid")
        network = next((n for n in visible if n["id"] == ident), None)
        if network is None:
            raise _bad(f"Network {ident} could not be found.")
        nics.append((network, None, item.get("fixed_ip")))
    return nics


def _user_data(value: Any) -> str | None:
    if value is None:
        return None
    try:
        base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        raise _bad("User data needs to be valid base 64.") from None
    return str(value)


def _boot_volume(
    req: Req, cloud: Cloud, mappings: Any, image: Doc | None
) -> tuple[Doc | None, list[tuple[Doc, dict[str, Any]]]]:
    """The image to report and the volumes to attach, from ``block_device_mapping_v2``."""
    volumes: list[tuple[Doc, dict[str, Any]]] = []
    if not mappings:
        return image, volumes
    if not isinstance(mappings, list):
        raise _bad("Invalid input for field/attribute block_device_mapping_v2.")
    for mapping in mappings:
        if not isinstance(mapping, dict):
            raise _bad("Invalid input for field/attribute block_device_mapping_v2.")
        source = mapping.get("source_type")
        destination = mapping.get("destination_type", "volume" if source == "volume" else "local")
        boot = str(mapping.get("boot_index", "")) == "0"
        if source == "image" and destination == "local":
            continue  # the image itself, booted as usual
        if destination != "volume":
            continue  # ephemeral/swap disks are not modelled
        if source == "volume":
            volume = cloud.find("volumes", str(mapping.get("uuid")))
            if volume is None or volume["_project"] != req.project:
                raise _bad(f"Volume {mapping.get('uuid')} could not be found.")
        elif source in ("image", "blank", "snapshot"):
            size = mapping.get("volume_size")
            if not isinstance(size, int) or size < 1:
                raise _bad(
                    "Images with destination_type 'volume' need to have a non-zero size specified"
                )
            source_image = None
            if source == "image":
                source_image = find_image(req, str(mapping.get("uuid")))
                if source_image is None:
                    raise _bad(f"Image {mapping.get('uuid')} could not be found.")
            volume = volume_doc(
                cloud,
                req.project,
                req.who.user_id,
                size=size,
                image_id=None if source_image is None else source_image["id"],
            )
            volume["status"] = "available"
        else:
            raise _bad(f"Invalid input for field/attribute source_type. Value: {source}.")
        if boot:
            image = None
        options = {
            "device": "/dev/vda" if boot else mapping.get("device_name"),
            "delete_on_termination": bool(mapping.get("delete_on_termination", False)),
            "tag": mapping.get("tag"),
        }
        volumes.append((volume, options))
    return image, volumes


def _new_server(req: Req, body: dict[str, Any], name: str, flavor: Doc, image: Doc | None) -> Doc:
    cloud = req.cloud
    now = iso(cloud.now())
    ident = cloud.new_id()
    return {
        "id": ident,
        "name": name,
        "project_id": req.project,
        "user_id": req.who.user_id,
        "status": "BUILD",
        "created": now,
        "updated": now,
        "flavor_id": flavor["id"],
        "_flavor": flavor,
        "image_id": image["id"] if image is not None else "",
        "key_name": body.get("key_name"),
        "metadata": {str(k): str(v) for k, v in (body.get("metadata") or {}).items()},
        "tags": [],
        "security_groups": [],
        "availability_zone": "nova",
        "user_data": _user_data(body.get("user_data")),
        "description": body.get("description"),
        "locked": False,
        "locked_reason": None,
        "config_drive": bool(body.get("config_drive")),
        "accessIPv4": body.get("accessIPv4", ""),
        "accessIPv6": body.get("accessIPv6", ""),
        "launched_at": None,
        "volumes": [],
        "fault": None,
        "_host": _HOST,
        "_hostname": re.sub(r"[^a-z0-9-]", "-", name.lower())[:63] or "server",
        "_instance_name": f"instance-{secrets.token_hex(4)}",
        "_reservation": f"r-{secrets.token_hex(4)}",
    }


def _build(cloud: Cloud, config: SimConfig, server: Doc, roll: bool) -> None:
    """Start BUILD -> ACTIVE (or ERROR when the build fails)."""
    launched = iso(cloud.now() + max(config.server_latency, 0))
    if roll:
        fault = {
            "code": 500,
            "created": launched,
            "message": "No valid host was found. ",
        }
        cloud.transition(
            server,
            "BUILD",
            "ERROR",
            config.server_latency,
            task="scheduling",
            after={"fault": fault},
        )
    else:
        cloud.transition(
            server,
            "BUILD",
            "ACTIVE",
            config.server_latency,
            task="spawning",
            after={"launched_at": iso(cloud.now(), micro=True)},
        )


def create_server(req: Req) -> Reply:
    """``POST /servers``: 202 with id, links, security groups and the admin password."""
    cloud = req.cloud
    body = req.body.get("server") if isinstance(req.body, dict) else None
    if not isinstance(body, dict):
        raise _bad(
            "Invalid input for field/attribute server. Value: None. None is not of type 'object'"
        )
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 255:
        raise _bad(f"Invalid input for field/attribute name. Value: {name}.")
    flavor_ref = body.get("flavorRef")
    flavor = find_flavor(req, str(flavor_ref)) if flavor_ref is not None else None
    if flavor is None:
        raise _bad(f"Flavor {flavor_ref} could not be found.")
    image = None
    image_ref = body.get("imageRef")
    if image_ref:
        image = find_image(req, str(image_ref))
        if image is None:
            raise _bad(f"Image {image_ref} could not be found.")
        if image["status"] != "active":
            raise _bad(f"Image {image['id']} is not active.")
    image, volumes = _boot_volume(req, cloud, body.get("block_device_mapping_v2"), image)
    if image is None and not any(o["device"] == "/dev/vda" for _, o in volumes):
        raise _bad(
            "Block Device Mapping is Invalid: Boot sequence for the instance and "
            "image/block device mapping combination is not valid."
        )
    key_name = body.get("key_name")
    if key_name is not None:
        key = cloud.find("keypairs", f"{req.who.user_id}/{key_name}")
        if key is None:
            raise _bad("Invalid key_name provided.")
    zone = body.get("availability_zone")
    if zone not in (None, "", "nova") and not str(zone).startswith("nova:"):
        raise _bad("The requested availability zone is not available")
    metadata = body.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise _bad("Invalid input for field/attribute metadata.")
    count = body.get("max_count", body.get("min_count", 1))
    minimum = body.get("min_count", 1)
    if not isinstance(count, int) or not isinstance(minimum, int) or minimum < 1 or count < minimum:
        raise _bad("min_count must be <= max_count")
    wanted = {"instances": count, "cores": count * flavor["vcpus"], "ram": count * flavor["ram"]}
    exceeded = over(cloud, req.config, req.project, wanted)
    if exceeded and minimum < count:
        count = minimum
        wanted = {
            "instances": count,
            "cores": count * flavor["vcpus"],
            "ram": count * flavor["ram"],
        }
        exceeded = over(cloud, req.config, req.project, wanted)
    if exceeded:
        raise quota_error(exceeded)
    names, group_ids = _security_groups(req, body.get("security_groups"))
    nics = _networks(req, body.get("networks"))
    first: Doc | None = None
    given = body.get("adminPass")
    password = given if isinstance(given, str) and given else secrets.token_urlsafe(9)
    for index in range(count):
        server_name = name if count == 1 else f"{name}-{index + 1}"
        server = _new_server(req, body, server_name, flavor, image)
        server["security_groups"] = names
        if req.at_least(2, 52) and isinstance(body.get("tags"), list):
            server["tags"] = [str(t) for t in body["tags"]]
        for network, port, fixed_ip in nics:
            if port is not None:
                port.update(device_id=server["id"], device_owner="compute:nova", status="ACTIVE")
                cloud.save("ports", port)
                continue
            assert network is not None
            made = new_port(
                cloud,
                req.project,
                network,
                device_id=server["id"],
                device_owner="compute:nova",
                security_groups=group_ids,
                fixed_ips=None if fixed_ip is None else [{"ip_address": fixed_ip}],
            )
            made["_by_nova"] = True
            cloud.save("ports", made)
        for volume, options in volumes if index == 0 else []:
            cloud.save("volumes", volume)
            attach(cloud, req.config, server, volume, seconds=0, **options)
            cloud.save("volumes", volume)
        failed = req.faults is not None and req.faults.roll(req.config.build_error_rate) is not None
        _build(cloud, req.config, server, failed)
        cloud.save("servers", server)
        first = first or server
    assert first is not None
    answer: dict[str, Any] = {
        "id": first["id"],
        "links": summary(req, first)["links"],
        "OS-DCF:diskConfig": "MANUAL",
        "security_groups": [{"name": n} for n in names],
        "adminPass": password,
    }
    if body.get("return_reservation_id"):
        return Reply(202, {"reservation_id": first["_reservation"]})
    return Reply(202, {"server": answer}, {"Location": f"{req.service_url}/servers/{first['id']}"})


def _visible(req: Req) -> list[Doc]:
    servers = req.cloud.all("servers")
    everyone = req.who.is_admin and req.q("all_tenants") not in (None, "0", "false", "False")
    project = req.q("project_id") or req.q("tenant_id") if req.who.is_admin else None
    if everyone or project:
        return [s for s in servers if project is None or s["project_id"] == project]
    return [s for s in servers if s["project_id"] == req.project]


def _filtered(req: Req, servers: list[Doc]) -> list[Doc]:
    name = req.q("name")
    if name is not None:
        try:
            pattern = re.compile(name)
        except re.error:
            raise _bad(f"Invalid regular expression for name: {name}") from None
        servers = [s for s in servers if pattern.search(s["name"])]
    status = req.q("status")
    if status is not None:
        servers = [s for s in servers if s["status"] == status.upper()]
    for key, field in (("image", "image_id"), ("flavor", "flavor_id"), ("key_name", "key_name")):
        value = req.q(key)
        if value is not None:
            servers = [s for s in servers if str(s[field]) == value.rsplit("/", 1)[-1]]
    tags = req.q("tags")
    if tags:
        servers = [s for s in servers if set(tags.split(",")) <= set(s["tags"])]
    any_tags = req.q("tags-any")
    if any_tags:
        servers = [s for s in servers if set(any_tags.split(",")) & set(s["tags"])]
    not_tags = req.q("not-tags")
    if not_tags:
        servers = [s for s in servers if not set(not_tags.split(",")) <= set(s["tags"])]
    changes = req.q("changes-since")
    if changes:
        servers = [s for s in servers if s["updated"] >= changes.replace("+00:00", "Z")]
    return servers


_SORT_KEYS = {
    "created_at": "created",
    "updated_at": "updated",
    "display_name": "name",
    "name": "name",
    "uuid": "id",
    "vm_state": "status",
    "availability_zone": "availability_zone",
}


def _sorted(req: Req, servers: list[Doc]) -> list[Doc]:
    key = req.q("sort_key") or "created_at"
    direction = req.q("sort_dir") or "desc"
    if key not in _SORT_KEYS:
        raise _bad(f"Invalid input for query parameters sort_key. Value: {key}.")
    if direction not in ("asc", "desc"):
        raise _bad(f"Invalid input for query parameters sort_dir. Value: {direction}.")
    field = _SORT_KEYS[key]
    ordered = list(reversed(servers)) if direction == "desc" else list(servers)
    return sorted(ordered, key=lambda s: str(s[field]), reverse=direction == "desc")


def _list(req: Req, detail: bool) -> Reply:
    servers = _sorted(req, _filtered(req, _visible(req)))
    chosen, full = page(servers, req, max_limit=req.config.max_limit, bad=_bad)
    items = [render(req, s) if detail else summary(req, s) for s in chosen]
    body: dict[str, Any] = {"servers": items}
    if full:
        path = "servers/detail" if detail else "servers"
        body["servers_links"] = [{"rel": "next", "href": next_href(req, path, chosen[-1])}]
    return Reply(200, body)


def list_servers(req: Req) -> Reply:
    """``GET /servers``."""
    return _list(req, False)


def list_detail(req: Req) -> Reply:
    """``GET /servers/detail``."""
    return _list(req, True)


def get_server(req: Req) -> Reply:
    """``GET /servers/{id}``."""
    return Reply(200, {"server": render(req, load_server(req))})


def update_server(req: Req) -> Reply:
    """``PUT /servers/{id}``: name, description, access addresses."""
    server = load_server(req)
    body = req.body.get("server") if isinstance(req.body, dict) else None
    if not isinstance(body, dict):
        raise _bad("Invalid input for field/attribute server.")
    for field in ("name", "accessIPv4", "accessIPv6"):
        if field in body:
            server[field] = body[field]
    if "description" in body and req.at_least(2, 19):
        server["description"] = body["description"]
    server["updated"] = iso(req.cloud.now())
    req.cloud.save("servers", server)
    return Reply(200, {"server": render(req, server)})


def delete_server(req: Req) -> Reply:
    """``DELETE /servers/{id}``: 204; ports, floating IPs and volumes are freed at once, the
    server is gone after ``server_latency`` (task_state ``deleting`` meanwhile)."""
    cloud = req.cloud
    server = load_server(req)
    if server.get("locked"):
        raise nova(409, f"Instance {server['id']} is locked")
    release_network(cloud, server["id"])
    release(cloud, server)
    for key in ("_until", "_next", "_after", "_task"):
        server.pop(key, None)
    cloud.retire(
        "servers", server, req.config.server_latency, status=server["status"], task="deleting"
    )
    return Reply(204)


def release_network(cloud: Cloud, server_id: str) -> None:
    """Delete a server's ports (Nova-made ones) and disassociate their floating IPs."""
    ports = {p["id"]: p for p in cloud.all("ports") if p["device_id"] == server_id}
    for fip in cloud.all("floatingips"):
        if fip["port_id"] in ports:
            fip.update(port_id=None, fixed_ip_address=None, router_id=None, status="DOWN")
            cloud.save("floatingips", fip)
    for port in ports.values():
        if port.get("_by_nova"):
            cloud.remove("ports", port["id"])
        else:
            port.update(device_id="", device_owner="", status="DOWN")
            cloud.save("ports", port)


ROUTES = [
    ("POST", "servers", create_server),
    ("GET", "servers", list_servers),
    ("GET", "servers/detail", list_detail),
    ("GET", "servers/*", get_server),
    ("PUT", "servers/*", update_server),
    ("DELETE", "servers/*", delete_server),
]
