"""The simulator's fixed catalogue: library drives, capabilities, prices and locations."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from ._store import Doc

__all__ = [
    "GIB",
    "LIBRARY",
    "PRICES",
    "capabilities",
    "library_drives",
    "locations",
    "sim_uuid",
]

GIB = 1024**3
_NAMESPACE = uuid.UUID("6f1f5b5e-3c2a-4d7e-9a55-0c1b2d3e4f50")


def sim_uuid(name: str) -> str:
    """A stable UUID for a catalogue entry."""
    return str(uuid.uuid5(_NAMESPACE, name))


# name, media, image_type, os, distribution, version, arch, size GiB, paid
LIBRARY: tuple[tuple[str, str, str, str, str, str, str, int, bool], ...] = (
    ("Ubuntu 24.04 LTS", "disk", "preinst", "linux", "Ubuntu", "24.04", "64", 10, False),
    ("Ubuntu 22.04 LTS", "disk", "preinst", "linux", "Ubuntu", "22.04", "64", 10, False),
    ("Debian 12", "disk", "preinst", "linux", "Debian", "12", "64", 5, False),
    ("Rocky Linux 9", "disk", "preinst", "linux", "Rocky", "9", "64", 10, False),
    ("Windows Server 2022", "disk", "preinst", "windows", "Windows", "2022", "64", 40, True),
    ("FreeBSD 8.2", "cdrom", "install", "other", "FreeBSD", "8.2", "64", 1, False),
    (
        "Ubuntu 24.04 Server Install CD",
        "cdrom",
        "install",
        "linux",
        "Ubuntu",
        "24.04",
        "64",
        3,
        False,
    ),
    ("IPCop 2.0", "cdrom", "install", "linux", "IPCop", "2.0", "32", 1, False),
    ("SystemRescue 11", "cdrom", "live", "linux", "SystemRescue", "11", "64", 1, False),
)


def library_drives() -> list[Doc]:
    """The library drives as ``/libdrives/`` returns them."""
    docs: list[Doc] = []
    for name, media, image_type, os_, dist, version, arch, size, paid in LIBRARY:
        ident = sim_uuid(f"libdrive:{name}")
        docs.append(
            {
                "uuid": ident,
                "name": name,
                "resource_uri": f"/api/2.0/libdrives/{ident}/",
                "owner": None,
                "media": media,
                "size": size * GIB,
                "status": "unmounted",
                "storage_type": "dssd",
                "image_type": image_type,
                "os": os_,
                "distribution": dist,
                "version": version,
                "arch": arch,
                "paid": paid,
                "favourite": False,
                "category": ["general"],
                "description": f"{name} ({'installer' if media == 'cdrom' else 'ready to boot'})",
                "install_notes": "Log in as cloudsigma; set a password on first boot.",
                "url": "",
                "licenses": [],
                "mounted_on": [],
                "meta": {},
                "tags": [],
                "jobs": [],
                "allow_multimount": media == "cdrom",
            }
        )
    return docs


_CAPABILITIES: dict[str, Any] = {
    "servers": {
        "cpu": {"min": 250, "max": 80000},
        "cpu_per_smp": {"min": 250, "max": 5000},
        "mem": {"min": 268435456, "max": 128 * GIB},
        "smp": {"min": 1, "max": 40},
        "start_methods": ["eager", "lazy", "regular"],
        "default_start_method": "regular",
    },
    "hypervisors": {"kvm": ["intel", "amd"]},
    "drives": {
        "dssd": {
            "size": {"min": 536870912, "max": 8249 * GIB},
            "iops": {"base": 500, "min": 500, "max": 5000},
        },
    },
    "default_storage_type": "dssd",
    "snapshots": {"current": 0, "max": 100, "max_per_drive": 10},
    "currencies": ["EUR", "USD", "CHF"],
}


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def capabilities(overrides: dict[str, Any]) -> dict[str, Any]:
    """``GET /capabilities/`` with ``overrides`` merged in."""
    caps = copy.deepcopy(_CAPABILITIES)
    caps["hosts"] = {"amd": copy.deepcopy(caps["servers"])}
    return _merge(caps, overrides)


# resource -> (unit, price per unit per month in EUR, multiplier in API units)
PRICES: dict[str, tuple[str, str, int]] = {
    "cpu": ("GHz/month", "7.00", 1000),
    "mem": ("GB/month", "9.00", GIB),
    "dssd": ("GB/month", "0.13", GIB),
    "ip": ("IP/month", "3.50", 1),
    "vlan": ("VLAN/month", "9.00", 1),
    "tx": ("GB", "0.04", GIB),
    "windows_server_2022": ("license/month", "20.00", 1),
}

_LOCATIONS = (
    ("ZRH", "Zurich, Switzerland", "CH", "zrh.cloudsigma.com"),
    ("GVA", "Geneva, Switzerland", "CH", "gva.cloudsigma.com"),
    ("FRA", "Frankfurt, Germany", "DE", "fra.cloudsigma.com"),
    ("LON", "London, United Kingdom", "GB", "lon.cloudsigma.com"),
    ("TYO", "Tokyo, Japan", "JP", "tyo.cloudsigma.com"),
    ("WDC", "Washington DC, USA", "US", "wdc.alpha3cloud.com"),
)


def locations() -> list[Doc]:
    """``GET /locations/`` objects."""
    return [
        {
            "id": code,
            "display_name": name,
            "country_code": country,
            "api_endpoint": f"https://{host}/api/2.0/",
            "websocket_url": f"wss://direct.{host}/websocket",
            "upload_url": f"https://direct.{host}/api/2.0/",
            "default_frontend_url": f"https://{host}/ui/",
            "default_frontend_signup_url": f"https://{host}/ui/",
            "alternative_frontend_url": f"https://{host}/ui/",
            "documentation_url": "https://docs.cloudsigma.com",
            "uuid": sim_uuid(f"location:{code}"),
        }
        for code, name, country, host in _LOCATIONS
    ]
