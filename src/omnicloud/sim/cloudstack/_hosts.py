"""The simulated hypervisor hosts: four per zone, with ids derived from the zone's id."""

from __future__ import annotations

from ._store import Doc, Store

__all__ = ["HOSTS_PER_ZONE", "host_fields", "host_id", "is_host"]

HOSTS_PER_ZONE = 4


def host_id(zone_id: str, index: int) -> str:
    """The id of host ``index`` (0-based) of a zone: the zone id's first groups, then the index."""
    return f"{zone_id[:24]}{index:012d}"


def host_fields(zone: Doc, number: int) -> Doc:
    """``hostid``/``hostname`` of the host a resource with internal id ``number`` runs on."""
    index = number % HOSTS_PER_ZONE
    return {
        "hostid": host_id(zone["id"], index),
        "hostname": f"{zone['name'].lower()}-host{index + 1}",
    }


def is_host(store: Store, value: str) -> bool:
    """Whether ``value`` is the id of a simulated host."""
    prefix, suffix = value[:24], value[24:]
    if not suffix.isdigit() or int(suffix) >= HOSTS_PER_ZONE:
        return False
    _, zones = store.find("zone")
    return any(
        host_id(zone["id"], int(suffix)) == value for zone in zones if zone["id"][:24] == prefix
    )
