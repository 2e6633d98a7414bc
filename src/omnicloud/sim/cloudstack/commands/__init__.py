"""CloudStack API commands, one module per resource family; importing this registers them all."""

from __future__ import annotations

from . import (
    apis,
    infra,
    jobs,
    keypairs,
    limits,
    networks,
    nics,
    security_groups,
    simulator,
    snapshots,
    tags,
    templates,
    vms,
    volumes,
)

__all__ = [
    "apis",
    "infra",
    "jobs",
    "keypairs",
    "limits",
    "networks",
    "nics",
    "security_groups",
    "simulator",
    "snapshots",
    "tags",
    "templates",
    "vms",
    "volumes",
]
