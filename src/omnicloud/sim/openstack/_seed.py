"""The default world: identity, flavors, images, networks, a router, volume types.

A DevStack-like cloud: domain ``Default``; projects ``demo`` and ``admin``; user ``admin``
(roles admin, member, reader on both); flavors m1.tiny .. m1.large; public images cirros and
ubuntu; an external ``public`` network (172.24.4.0/24) and the demo project's ``private``
network (10.0.0.0/26) joined by ``router1``; a default security group per project; the
``lvmdriver-1`` volume type.
"""

from __future__ import annotations

from ._netmodel import default_security_group, network_doc, new_port, subnet_doc
from ._state import ADMIN_PROJECT, DOMAIN_ID, DOMAIN_NAME, PROJECT, USERNAME, Cloud, iso
from ._store import Doc

__all__ = ["FLAVORS", "IMAGES", "seed"]

FLAVORS: list[tuple[str, str, int, int, int]] = [
    # id, name, ram MiB, disk GiB, vcpus
    ("1", "m1.tiny", 512, 1, 1),
    ("2", "m1.small", 2048, 20, 1),
    ("3", "m1.medium", 4096, 40, 2),
    ("4", "m1.large", 8192, 80, 4),
    ("42", "m1.nano", 128, 1, 1),
]

IMAGES: list[tuple[str, str, int, str]] = [
    # id, name, size, distro
    ("a7c3f4d0-5f1e-4c1a-9c3e-0b7e1d2c3f01", "cirros-0.6.2-x86_64-disk", 21430272, "cirros"),
    ("b8d4e5f1-6a2f-4d2b-8d4f-1c8f2e3d4a02", "ubuntu-22.04", 688914432, "ubuntu"),
]

_ROLES = ("admin", "member", "reader")


def _identity(state: Cloud) -> tuple[str, str, str]:
    store = state.store
    store.put(
        "domains",
        {
            "id": DOMAIN_ID,
            "name": DOMAIN_NAME,
            "description": "The default domain",
            "enabled": True,
            "tags": [],
            "options": {},
        },
    )
    ids = {}
    for name in (PROJECT, ADMIN_PROJECT):
        ident = state.new_id(hexonly=True)
        ids[name] = ident
        store.put(
            "projects",
            {
                "id": ident,
                "name": name,
                "domain_id": DOMAIN_ID,
                "description": f"The {name} project",
                "enabled": True,
                "is_domain": False,
                "parent_id": DOMAIN_ID,
                "tags": [],
                "options": {},
            },
        )
    for role in _ROLES:
        store.put("roles", {"id": state.new_id(hexonly=True), "name": role, "domain_id": None})
    user_id = state.new_id(hexonly=True)
    store.put(
        "users",
        {
            "id": user_id,
            "name": USERNAME,
            "domain_id": DOMAIN_ID,
            "enabled": True,
            "password_expires_at": None,
            "options": {},
            "default_project_id": ids[PROJECT],
        },
    )
    for project_id in ids.values():
        store.set_setting(f"roles:{user_id}:{project_id}", ",".join(_ROLES))
    return user_id, ids[PROJECT], ids[ADMIN_PROJECT]


def _flavors(state: Cloud) -> None:
    for ident, name, ram, disk, vcpus in FLAVORS:
        state.save(
            "flavors",
            {
                "id": ident,
                "name": name,
                "ram": ram,
                "disk": disk,
                "vcpus": vcpus,
                "swap": 0,
                "ephemeral": 0,
                "rxtx_factor": 1.0,
                "is_public": True,
                "disabled": False,
                "description": None,
                "extra_specs": {"hw_rng:allowed": "True"},
            },
        )


def _images(state: Cloud, owner: str) -> None:
    now = iso(state.now())
    for ident, name, size, distro in IMAGES:
        state.save(
            "images",
            {
                "id": ident,
                "name": name,
                "status": "active",
                "visibility": "public",
                "protected": False,
                "os_hidden": False,
                "checksum": None,
                "os_hash_algo": None,
                "os_hash_value": None,
                "owner": owner,
                "size": size,
                "virtual_size": size * 2,
                "min_ram": 0,
                "min_disk": 0 if distro == "cirros" else 3,
                "disk_format": "qcow2",
                "container_format": "bare",
                "created_at": now,
                "updated_at": now,
                "tags": [],
                "os_distro": distro,
                "hw_rng_model": "virtio",
            },
        )


def _networks(state: Cloud, demo: str, admin: str) -> None:
    public = network_doc(state, admin, "public", external=True)
    public_subnet = subnet_doc(
        state,
        admin,
        public,
        "public-subnet",
        "172.24.4.0/24",
        pools=[{"start": "172.24.4.2", "end": "172.24.4.254"}],
        enable_dhcp=False,
    )
    public["subnets"] = [public_subnet["id"]]
    private = network_doc(state, demo, "private", segment=101)
    private_subnet = subnet_doc(
        state,
        demo,
        private,
        "private-subnet",
        "10.0.0.0/26",
        dns_nameservers=[],
    )
    private["subnets"] = [private_subnet["id"]]
    for kind, doc in (
        ("networks", public),
        ("subnets", public_subnet),
        ("networks", private),
        ("subnets", private_subnet),
    ):
        state.save(kind, doc)
    router: Doc = {
        "id": state.new_id(),
        "name": "router1",
        "tenant_id": demo,
        "project_id": demo,
        "description": "",
        "tags": [],
        "created_at": iso(state.now()),
        "updated_at": iso(state.now()),
        "revision_number": 1,
        "admin_state_up": True,
        "status": "ACTIVE",
        "distributed": False,
        "ha": False,
        "flavor_id": None,
        "availability_zone_hints": [],
        "availability_zones": ["nova"],
        "routes": [],
        "external_gateway_info": None,
    }
    gateway = new_port(
        state, admin, public, device_id=router["id"], device_owner="network:router_gateway"
    )
    router["external_gateway_info"] = {
        "network_id": public["id"],
        "enable_snat": True,
        "external_fixed_ips": gateway["fixed_ips"],
    }
    new_port(
        state,
        demo,
        private,
        device_id=router["id"],
        device_owner="network:router_interface",
        fixed_ips=[{"subnet_id": private_subnet["id"], "ip_address": private_subnet["gateway_ip"]}],
    )
    state.save("routers", router)


def _volume_types(state: Cloud) -> None:
    for name, description in (
        ("lvmdriver-1", None),
        ("__DEFAULT__", "Default Volume Type"),
    ):
        state.save(
            "volume_types",
            {
                "id": state.new_id(),
                "name": name,
                "description": description,
                "is_public": True,
                "os-volume-type-access:is_public": True,
                "extra_specs": {"volume_backend_name": "lvmdriver-1"} if "lvm" in name else {},
                "qos_specs_id": None,
            },
        )
    state.store.set_setting("default_volume_type", "lvmdriver-1")


def seed(state: Cloud) -> None:
    """Fill an empty state with the default world (inside the caller's transaction)."""
    _user, demo, admin = _identity(state)
    _flavors(state)
    _images(state, admin)
    _networks(state, demo, admin)
    for project in (demo, admin):
        default_security_group(state, project)
    _volume_types(state)
