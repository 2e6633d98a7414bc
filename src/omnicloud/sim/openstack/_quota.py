"""Quotas: limits per project (defaults, config overrides, stored quota sets) and usage."""

from __future__ import annotations

from ._config import DEFAULT_QUOTAS, SimConfig
from ._state import Cloud

__all__ = ["limits", "set_limits", "usage"]


def limits(cloud: Cloud, config: SimConfig, project_id: str) -> dict[str, int]:
    """Every quota of ``project_id`` (-1: unlimited)."""
    merged = {**DEFAULT_QUOTAS, **config.quotas}
    stored = cloud.store.get("quotas", project_id)
    if stored is not None:
        merged.update({k: int(v) for k, v in stored.items() if k in DEFAULT_QUOTAS})
    return merged


def set_limits(cloud: Cloud, project_id: str, changes: dict[str, int]) -> None:
    """Store new quotas for ``project_id``."""
    stored = cloud.store.get("quotas", project_id) or {"id": project_id}
    stored.update(changes)
    cloud.save("quotas", stored)


def usage(cloud: Cloud, project_id: str) -> dict[str, int]:
    """What ``project_id`` uses of every quota (counted by the store, not by reading every
    document: a project with thousands of servers still creates quickly)."""
    tally = cloud.store.tally
    instances, (cores, ram) = tally(
        "servers", "project_id", project_id, ("_flavor.vcpus", "_flavor.ram")
    )
    volumes, (gigabytes,) = tally("volumes", "_project", project_id, ("size",))

    def count(kind: str, owner_field: str = "project_id") -> int:
        return tally(kind, owner_field, project_id)[0]

    return {
        "instances": instances,
        "cores": cores,
        "ram": ram,
        "key_pairs": count("keypairs", "_project"),
        "metadata_items": 0,
        "server_groups": 0,
        "server_group_members": 0,
        "network": count("networks"),
        "subnet": count("subnets"),
        "port": count("ports"),
        "router": count("routers"),
        "floatingip": count("floatingips"),
        "security_group": count("security_groups"),
        "security_group_rule": count("security_group_rules"),
        "volumes": volumes,
        "snapshots": count("snapshots", "_project"),
        "gigabytes": gigabytes,
    }


def over(
    cloud: Cloud, config: SimConfig, project_id: str, wanted: dict[str, int]
) -> list[tuple[str, int, int, int]]:
    """The quotas ``wanted`` more would exceed: (name, requested, used, allowed)."""
    allowed = limits(cloud, config, project_id)
    used = usage(cloud, project_id)
    found = []
    for name, extra in wanted.items():
        limit = allowed[name]
        if limit >= 0 and used[name] + extra > limit:
            found.append((name, extra, used[name], limit))
    return found
