"""The catalogue a fresh simulator starts with: domain, accounts, zones, offerings, templates."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from ._docs import owner_fields, timestamp
from ._ids import LIMIT_TYPES, seed_id
from ._store import Doc
from .commands._netdocs import new_router, public_ip_doc, seed_public_address

if TYPE_CHECKING:
    from ._world import World

__all__ = [
    "DEFAULT_LIMITS",
    "LIMIT_TYPES",
    "SERVICE_OFFERING_PRICES",
    "new_keys",
    "published_prices",
    "seed",
    "seed_id",
    "upgrade",
]

DEFAULT_LIMITS = {
    0: 20,
    1: 20,
    2: 20,
    3: 20,
    4: 20,
    5: 5,
    6: 20,
    7: 20,
    8: 40,
    9: 40960,
    10: 200,
    11: 400,
}


# what a custom (``iscustomized``) service offering leaves out: the VM's deploy details set them
_CUSTOM_SIZING = ("cpunumber", "cpuspeed", "memory")


def published_prices() -> dict[str, float]:
    """The simulator's price list in Libcloud's pricing format: offering id -> hourly USD.

    This is the ``compute.cloudstack_sim`` section of the bundled pricing file.
    """
    return {
        seed_id(f"serviceoffering:{name}"): price for name, price in SERVICE_OFFERING_PRICES.items()
    }


def new_keys() -> tuple[str, str]:
    """A fresh (api key, secret key) pair shaped like CloudStack's."""
    return secrets.token_urlsafe(64), secrets.token_urlsafe(64)


DOMAIN = {"id": seed_id("domain:ROOT"), "name": "ROOT", "path": "ROOT"}

_ACCOUNTS = (("admin", 1, "Admin"), ("alice", 0, "User"), ("bob", 0, "User"))

_OS_TYPES = (
    ("CentOS 7 (64-bit)", "CentOS"),
    ("Ubuntu 22.04 LTS", "Ubuntu"),
    ("Debian GNU/Linux 12 (64-bit)", "Debian"),
    ("Rocky Linux 9", "Rocky"),
    ("Windows Server 2019 (64-bit)", "Windows"),
    ("Other Linux (64-bit)", "Other"),
)

# name, displaytext, os, password-enabled, featured, size GB
_TEMPLATES = (
    ("CentOS 7.9", "CentOS 7.9 (64-bit)", "CentOS 7 (64-bit)", False, True, 8),
    ("Ubuntu 22.04", "Ubuntu 22.04 LTS (64-bit)", "Ubuntu 22.04 LTS", True, True, 10),
    ("Debian 12", "Debian 12 Bookworm (64-bit)", "Debian GNU/Linux 12 (64-bit)", False, True, 10),
    ("Rocky Linux 9", "Rocky Linux 9 (64-bit)", "Rocky Linux 9", True, False, 10),
    (
        "Windows Server 2019",
        "Windows Server 2019 Standard",
        "Windows Server 2019 (64-bit)",
        True,
        True,
        40,
    ),
)

# name, cpus, MHz, memory MB
_SERVICE_OFFERINGS = (
    ("Small Instance", 1, 500, 512),
    ("Medium Instance", 1, 1000, 1024),
    ("Large Instance", 2, 2000, 4096),
    ("XLarge Instance", 4, 2000, 8192),
)

# What the simulated cloud charges per hour (USD) for each fixed service offering. The custom
# offering has no list price. Published in omnicloud/data/pricing.json (see published_prices).
SERVICE_OFFERING_PRICES = {
    "Small Instance": 0.0125,
    "Medium Instance": 0.025,
    "Large Instance": 0.1,
    "XLarge Instance": 0.2,
}

_DISK_OFFERINGS = (("Small", 5), ("Medium", 20), ("Large", 100))


def _account_docs() -> list[Doc]:
    docs = []
    for name, kind, role in _ACCOUNTS:
        limits = {str(k): (-1 if kind == 1 else v) for k, v in DEFAULT_LIMITS.items()}
        docs.append(
            {
                "id": seed_id(f"account:{name}"),
                "name": name,
                "accounttype": kind,
                "roletype": role,
                "rolename": "Root Admin" if kind == 1 else "User",
                "domainid": DOMAIN["id"],
                "domain": DOMAIN["name"],
                "state": "enabled",
                "_limits": limits,
            }
        )
    return docs


def _zones(created: str) -> list[Doc]:
    common: dict[str, Any] = {
        "allocationstate": "Enabled",
        "dns1": "8.8.8.8",
        "internaldns1": "10.0.0.2",
        "localstorageenabled": False,
        "dhcpprovider": "VirtualRouter",
        "hasannotations": False,
        "type": "Core",
    }
    return [
        {
            "id": seed_id("zone:basic"),
            "name": "Sandbox-Basic",
            "description": "Basic zone with security groups",
            "networktype": "Basic",
            "securitygroupsenabled": True,
            "zonetoken": seed_id("token:basic"),
            **common,
            "dhcpprovider": "DhcpServer",
        },
        {
            "id": seed_id("zone:advanced"),
            "name": "Sandbox-Advanced",
            "description": "Advanced zone with isolated networks",
            "networktype": "Advanced",
            "securitygroupsenabled": False,
            "guestcidraddress": "10.1.0.0/16",
            "zonetoken": seed_id("token:advanced"),
            **common,
        },
    ]


def _network(
    zone: Doc, name: str, kind: str, cidr: str, gateway: str, netmask: str, offering: Doc
) -> Doc:
    return {
        "id": seed_id(f"network:{zone['id']}:{name}"),
        "name": name,
        "displaytext": name,
        "broadcastdomaintype": "Native" if kind == "Shared" else "Vlan",
        "traffictype": "Guest",
        "zoneid": zone["id"],
        "zonename": zone["name"],
        "networkofferingid": offering["id"],
        "networkofferingname": offering["name"],
        "networkofferingdisplaytext": offering["displaytext"],
        "networkofferingconservemode": True,
        "networkofferingavailability": "Optional",
        "state": "Setup" if kind == "Shared" else "Implemented",
        "type": kind,
        "cidr": cidr,
        "gateway": gateway,
        "netmask": netmask,
        "dns1": "8.8.8.8",
        "acltype": "Domain" if kind == "Shared" else "Account",
        "isdefault": kind == "Shared",
        "canusefordeploy": True,
        "ispersistent": False,
        "issystem": False,
        "restartrequired": False,
        "specifyipranges": kind == "Shared",
        "service": [{"name": s} for s in offering["_services"]],
        "displaynetwork": True,
    }


def seed(state: World, admin_keys: tuple[str, str]) -> None:
    """Fill an empty database with the starting catalogue."""
    store = state.store
    created = timestamp()
    accounts = _account_docs()
    for account in accounts:
        store.put("account", account)
        keys = admin_keys if account["name"] == "admin" else new_keys()
        store.add_user(seed_id(f"user:{account['name']}"), account["id"], account["name"], *keys)
    admin = accounts[0]

    zones = _zones(created)
    for zone in zones:
        store.put("zone", zone)
        store.put(
            "pod",
            {
                "id": seed_id(f"pod:{zone['id']}"),
                "name": f"{zone['name']}-Pod1",
                "zoneid": zone["id"],
                "zonename": zone["name"],
                "gateway": "172.16.0.1",
                "netmask": "255.255.255.0",
                "startip": ["172.16.0.10"],
                "endip": ["172.16.0.250"],
                "allocationstate": "Enabled",
            },
        )

    for description, category in _OS_TYPES:
        store.put(
            "ostype",
            {
                "id": seed_id(f"ostype:{description}"),
                "description": description,
                "name": description,
                "oscategoryid": seed_id(f"oscategory:{category}"),
                "oscategoryname": category,
                "isuserdefined": False,
            },
        )

    for name, cpus, speed, memory in _SERVICE_OFFERINGS:
        store.put(
            "serviceoffering",
            _service_offering(
                name, f"{name}, {cpus} vCPU, {memory} MB RAM", created, cpus, speed, memory
            ),
        )
    custom = _service_offering("Custom", "Custom CPU and memory", created, 0, 0, 0)
    for key in _CUSTOM_SIZING:  # the server leaves these out of a custom offering
        del custom[key]
    custom["iscustomized"] = True
    custom["serviceofferingdetails"] = {
        "mincpunumber": "1",
        "maxcpunumber": "64",
        "minmemory": "256",
        "maxmemory": "262144",
    }
    store.put("serviceoffering", custom)

    for name, size in _DISK_OFFERINGS:
        store.put("diskoffering", _disk_offering(name, f"{name} Disk, {size} GB", size, created))
    custom_disk = _disk_offering("Custom", "Custom Disk", 0, created)
    custom_disk["iscustomized"] = True
    store.put("diskoffering", custom_disk)

    zone_ids = [zone["id"] for zone in zones]
    for name, text, os_name, password, featured, size in _TEMPLATES:
        store.put(
            "template",
            _template(name, text, os_name, password, featured, size, admin, zone_ids, created),
        )

    shared_offering = {
        "id": seed_id("networkoffering:shared-sg"),
        "name": "DefaultSharedNetworkOfferingWithSGService",
        "displaytext": "Offering for Shared Security group enabled networks",
        "traffictype": "Guest",
        "guestiptype": "Shared",
        "state": "Enabled",
        "isdefault": True,
        "specifyvlan": True,
        "specifyipranges": True,
        "availability": "Optional",
        "conservemode": True,
        "networkrate": 200,
        "created": created,
        "_services": ["SecurityGroup", "Dhcp", "Dns", "UserData"],
    }
    isolated_offering = {
        "id": seed_id("networkoffering:isolated"),
        "name": "DefaultIsolatedNetworkOfferingWithSourceNatService",
        "displaytext": "Offering for Isolated networks with Source Nat service enabled",
        "traffictype": "Guest",
        "guestiptype": "Isolated",
        "state": "Enabled",
        "isdefault": True,
        "specifyvlan": False,
        "specifyipranges": False,
        "availability": "Required",
        "conservemode": True,
        "networkrate": 200,
        "created": created,
        "_services": [
            "Vpn",
            "Dhcp",
            "Dns",
            "Firewall",
            "Lb",
            "UserData",
            "SourceNat",
            "StaticNat",
            "PortForwarding",
        ],
    }
    for offering in (shared_offering, isolated_offering, *_extra_network_offerings(created)):
        offering.update(_OFFERING_COMMON)
        offering.setdefault("forvpc", False)
        store.put("networkoffering", offering)
    store.put("vpcoffering", _vpc_offering(created))
    for name, text, action in (
        ("default_allow", "Default Network ACL Allow All", "Allow"),
        ("default_deny", "Default Network ACL Deny All", "Deny"),
    ):
        _default_acl(store, name, text, action)
    basic, advanced = zones
    store.put(
        "network",
        _network(
            basic,
            "defaultGuestNetwork",
            "Shared",
            "198.18.0.0/15",
            "198.18.0.1",
            "255.254.0.0",
            shared_offering,
        ),
    )
    for account in accounts:
        network = _network(
            advanced,
            f"{account['name']}-network",
            "Isolated",
            "10.1.0.0/16",
            "10.1.0.1",
            "255.255.0.0",
            isolated_offering,
        )
        network.update(owner_fields(account))
        store.put("network", network)
        _seed_router(state, account, advanced, network, created)
        store.put(
            "securitygroup",
            {
                "id": seed_id(f"securitygroup:{account['name']}:default"),
                "name": "default",
                "description": "Default Security Group",
                **owner_fields(account),
                "ingressrule": [],
                "egressrule": [],
                "virtualmachinecount": 0,
                "virtualmachineids": [],
            },
        )


def _service_offering(
    name: str, text: str, created: str, cpus: int, speed: int, memory: int
) -> Doc:
    return {
        "id": seed_id(f"serviceoffering:{name}"),
        "name": name,
        "displaytext": text,
        "cpunumber": cpus,
        "cpuspeed": speed,
        "memory": memory,
        "created": created,
        "storagetype": "shared",
        "provisioningtype": "thin",
        "offerha": False,
        "limitcpuuse": False,
        "isvolatile": False,
        "issystem": False,
        "defaultuse": False,
        "iscustomized": False,
        "dynamicscalingenabled": True,
        "hasannotations": False,
    }


def _disk_offering(name: str, text: str, size: int, created: str) -> Doc:
    return {
        "id": seed_id(f"diskoffering:{name}"),
        "name": name,
        "displaytext": text,
        "disksize": size,
        "iscustomized": False,
        "storagetype": "shared",
        "provisioningtype": "thin",
        "created": created,
        "displayoffering": True,
        "cacheMode": "none",
        "hasannotations": False,
    }


def upgrade(state: World) -> None:
    """Bring a database seeded by an older version up to date (idempotent)."""
    store = state.store
    if store.setting("templates-cross-zone") is None:  # built-in templates serve every zone
        for name, *_ in _TEMPLATES:
            doc = store.get("template", seed_id(f"template:{name}"))
            if doc is not None and not doc.get("crossZones"):
                doc["crossZones"] = True
                store.save(doc)
        store.set_setting("templates-cross-zone", "1")
    if store.setting("custom-offering-sizing") is None:  # custom offerings report no sizes
        _, offerings = store.find("serviceoffering", fields={"iscustomized": True})
        for doc in offerings:
            if set(_CUSTOM_SIZING) & set(doc):
                for key in _CUSTOM_SIZING:
                    doc.pop(key, None)
                store.save(doc)
        store.set_setting("custom-offering-sizing", "1")


def _template(
    name: str,
    text: str,
    os_name: str,
    password: bool,
    featured: bool,
    size_gb: int,
    admin: Doc,
    zone_ids: list[str],
    created: str,
) -> Doc:
    return {
        "id": seed_id(f"template:{name}"),
        "name": name,
        "displaytext": text,
        "ispublic": True,
        "isfeatured": featured,
        "isextractable": False,
        "crossZones": True,  # registered with zoneid=-1: one copy serves every zone
        "created": created,
        "isready": True,
        "passwordenabled": password,
        "format": "QCOW2",
        "ostypeid": seed_id(f"ostype:{os_name}"),
        "ostypename": os_name,
        "status": "Download Complete",
        "size": size_gb * 1024**3,
        "templatetype": "BUILTIN" if featured else "USER",
        "hypervisor": "KVM",
        "sshkeyenabled": False,
        "isdynamicallyscalable": False,
        "directdownload": False,
        "requireshvm": True,
        "bootable": True,
        **owner_fields(admin),
        "_zones": zone_ids,
    }


_OFFERING_COMMON: Doc = {
    "serviceofferingid": seed_id("serviceoffering:System Offering For Software Router"),
    "ispersistent": False,
    "egressdefaultpolicy": True,
    "fordisplay": True,
    "supportspublicaccess": False,
    "supportsstrechedl2subnet": False,
    "internetprotocol": "IPv4",
}


def _extra_network_offerings(created: str) -> list[Doc]:
    vpc_tier = {
        "id": seed_id("networkoffering:vpc-tier"),
        "name": "DefaultIsolatedNetworkOfferingForVpcNetworks",
        "displaytext": "Offering for Isolated VPC networks with Source Nat service enabled",
        "traffictype": "Guest",
        "guestiptype": "Isolated",
        "state": "Enabled",
        "isdefault": True,
        "specifyvlan": False,
        "specifyipranges": False,
        "availability": "Optional",
        "conservemode": False,
        "networkrate": 200,
        "created": created,
        "forvpc": True,
        "_services": [
            "Dhcp",
            "Dns",
            "Lb",
            "UserData",
            "SourceNat",
            "StaticNat",
            "PortForwarding",
            "NetworkACL",
            "Vpn",
        ],
    }
    shared = {
        "id": seed_id("networkoffering:shared"),
        "name": "DefaultSharedNetworkOffering",
        "displaytext": "Offering for Shared networks",
        "traffictype": "Guest",
        "guestiptype": "Shared",
        "state": "Enabled",
        "isdefault": True,
        "specifyvlan": True,
        "specifyipranges": True,
        "availability": "Optional",
        "conservemode": True,
        "networkrate": 200,
        "created": created,
        "_services": ["Dhcp", "Dns", "UserData"],
    }
    return [vpc_tier, shared]


def _vpc_offering(created: str) -> Doc:
    names = ("Dhcp", "Dns", "Lb", "PortForwarding", "SourceNat", "StaticNat", "UserData")
    return {
        "id": seed_id("vpcoffering:default"),
        "name": "Default VPC offering",
        "displaytext": "Default VPC offering",
        "isdefault": True,
        "state": "Enabled",
        "distributedvpcrouter": False,
        "supportsregionLevelvpc": False,
        "fordisplay": True,
        "internetprotocol": "IPv4",
        "created": created,
        "_services": [*names, "Vpn", "NetworkACL", "Gateway"],
    }


def _default_acl(store: Any, name: str, text: str, action: str) -> None:
    acl_id = seed_id(f"networkacllist:{name}")
    store.put(
        "networkacllist", {"id": acl_id, "name": name, "description": text, "fordisplay": True}
    )
    for number, traffic in ((1, "Ingress"), (2, "Egress")):
        store.put(
            "networkacl",
            {
                "id": seed_id(f"networkacl:{name}:{traffic}"),
                "protocol": "all",
                "traffictype": traffic,
                "state": "Active",
                "cidrlist": "0.0.0.0/0",
                "aclid": acl_id,
                "aclname": name,
                "action": action,
                "number": number,
                "fordisplay": True,
                "reason": "",
                "_ref": acl_id,
            },
        )


def _seed_router(state: World, account: Doc, zone: Doc, network: Doc, created: str) -> None:
    """A router and source NAT address for a seeded isolated network."""
    address = seed_public_address(state)
    ip = public_ip_doc(account, zone, address, 0.0, network=network, source_nat=True)
    ip["allocated"] = created
    state.store.put("publicipaddress", ip)
    router = new_router(state, account, zone, 0.0, network=network, public_ip=ip)
    router["created"] = created
    state.store.save(router)
