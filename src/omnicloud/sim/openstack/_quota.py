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
    """What ``project_id`` uses of every quota."""
    servers = [s for s in cloud.all("servers") if s["project_id"] == project_id]
    flavors = [s["_flavor"] for s in servers]
    volumes = [v for v in cloud.all("volumes") if v["_project"] == project_id]

    def count(kind: str) -> int:
        return sum(1 for doc in cloud.all(kind) if doc.get("project_id") == project_id)

    return {
        "instances": len(servers),
        "cores": sum(int(f["vcpus"]) for f in flavors),
        "ram": sum(int(f["ram"]) for f in flavors),
        "key_pairs": sum(1 for k in cloud.all("keypairs") if k["_project"] == project_id),
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
        "volumes": len(volumes),
        "snapshots": sum(1 for s in cloud.all("snapshots") if s["_project"] == project_id),
        "gigabytes": sum(int(v["size"]) for v in volumes),
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
