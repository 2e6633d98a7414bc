"""The read-only catalogue: zones, regions and machine types (list, get, aggregated)."""

from __future__ import annotations

import hashlib
from typing import Any

from ._catalog import MACHINE_TYPES, REGIONS, ZONES, MachineType
from ._errors import not_found
from ._listing import aggregated, listing
from ._request import Reply, Req, Route, render
from ._store import Doc

__all__ = ["ROUTES", "machine_type_doc", "stable_id", "zone_of"]

_CREATED = "1969-12-31T16:00:00.000-08:00"  # what Compute shows for its built-in resources


def stable_id(*parts: str) -> str:
    """A numeric id that is the same in every simulator for the same catalogue entry."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return str(10**18 + int.from_bytes(digest[:8], "big") % (8 * 10**18))


def zone_of(req: Req, zone: str) -> str:
    """``zone`` when the simulator has it, else 404."""
    if zone not in ZONES:
        raise not_found(f"projects/{req.args[0]}/zones/{zone}")
    return zone


def _zone_doc(req: Req, zone: str) -> Doc:
    project = req.state.project
    return {
        "kind": "compute#zone",
        "id": stable_id("zone", zone),
        "creationTimestamp": _CREATED,
        "name": zone,
        "description": zone,
        "status": "UP",
        "region": req.state.link(f"projects/{project}/regions/{ZONES[zone]}"),
        "selfLink": req.state.link(f"projects/{project}/zones/{zone}"),
        "availableCpuPlatforms": ["Intel Cascade Lake", "Intel Broadwell", "AMD Milan"],
        "supportsPzs": False,
    }


def _region_doc(req: Req, region: str) -> Doc:
    project = req.state.project
    return {
        "kind": "compute#region",
        "id": stable_id("region", region),
        "creationTimestamp": _CREATED,
        "name": region,
        "description": region,
        "status": "UP",
        "zones": [req.state.link(f"projects/{project}/zones/{z}") for z in REGIONS[region]],
        "quotas": [
            {
                "metric": "CPUS",
                "limit": float(req.config.cpu_quota),
                "usage": float(req.state.store.cpus_in_use(region)),
            },
            {"metric": "DISKS_TOTAL_GB", "limit": 102400.0, "usage": 0.0},
            {"metric": "STATIC_ADDRESSES", "limit": 100.0, "usage": 0.0},
            {"metric": "IN_USE_ADDRESSES", "limit": 2400.0, "usage": 0.0},
        ],
        "selfLink": req.state.link(f"projects/{project}/regions/{region}"),
        "supportsPzs": False,
    }


def machine_type_doc(req: Req, zone: str, machine: MachineType) -> Doc:
    """The ``compute#machineType`` of ``machine`` in ``zone``."""
    doc: dict[str, Any] = {
        "kind": "compute#machineType",
        "id": stable_id("machineType", machine.name),
        "creationTimestamp": _CREATED,
        "name": machine.name,
        "description": machine.description,
        "guestCpus": machine.cpus,
        "memoryMb": machine.memory_mb,
        "imageSpaceGb": 0,
        "maximumPersistentDisks": machine.max_disks,
        "maximumPersistentDisksSizeGb": "3072" if machine.shared else "263168",
        "zone": zone,
        "selfLink": req.state.link(
            f"projects/{req.state.project}/zones/{zone}/machineTypes/{machine.name}"
        ),
        "isSharedCpu": machine.shared,
        "architecture": "X86_64",
    }
    return doc


def _list_zones(req: Req) -> Reply:
    project = req.own_project()
    docs = [_zone_doc(req, zone) for zone in sorted(ZONES)]
    return listing(req, "compute#zoneList", f"projects/{project}/zones", docs)


def _get_zone(req: Req) -> Reply:
    req.own_project()
    return Reply(render(_zone_doc(req, zone_of(req, req.args[1])), req.base))


def _list_regions(req: Req) -> Reply:
    project = req.own_project()
    docs = [_region_doc(req, region) for region in sorted(REGIONS)]
    return listing(req, "compute#regionList", f"projects/{project}/regions", docs)


def _get_region(req: Req) -> Reply:
    req.own_project()
    region = req.args[1]
    if region not in REGIONS:
        raise not_found(f"projects/{req.args[0]}/regions/{region}")
    return Reply(render(_region_doc(req, region), req.base))


def _types(req: Req, zone: str) -> list[Doc]:
    return [machine_type_doc(req, zone, MACHINE_TYPES[n]) for n in sorted(MACHINE_TYPES)]


def _list_types(req: Req) -> Reply:
    project = req.own_project()
    zone = zone_of(req, req.args[1])
    path = f"projects/{project}/zones/{zone}/machineTypes"
    return listing(req, "compute#machineTypeList", path, _types(req, zone))


def _get_type(req: Req) -> Reply:
    req.own_project()
    zone = zone_of(req, req.args[1])
    machine = MACHINE_TYPES.get(req.args[2])
    if machine is None:
        raise not_found(f"projects/{req.args[0]}/zones/{zone}/machineTypes/{req.args[2]}")
    return Reply(render(machine_type_doc(req, zone, machine), req.base))


def _aggregated_types(req: Req) -> Reply:
    project = req.own_project()
    scopes = [f"zones/{zone}" for zone in sorted(ZONES)]
    docs = ((f"zones/{zone}", doc) for zone in sorted(ZONES) for doc in _types(req, zone))
    path = f"projects/{project}/aggregated/machineTypes"
    return aggregated(req, "compute#machineTypeAggregatedList", path, "machineTypes", scopes, docs)


ROUTES: list[Route] = [
    ("GET", "projects/*/zones", _list_zones),
    ("GET", "projects/*/zones/*", _get_zone),
    ("GET", "projects/*/regions", _list_regions),
    ("GET", "projects/*/regions/*", _get_region),
    ("GET", "projects/*/zones/*/machineTypes", _list_types),
    ("GET", "projects/*/zones/*/machineTypes/*", _get_type),
    ("GET", "projects/*/aggregated/machineTypes", _aggregated_types),
]
