"""Stable ids of seeded objects and CloudStack's resource limit types (no imports of ours)."""

from __future__ import annotations

import functools
import uuid

__all__ = ["LIMIT_TYPES", "seed_id"]

_NAMESPACE = uuid.UUID("6f6d6e69-636c-6f75-642d-73696d756c61")

# resourcetype number -> name, as listResourceLimits reports them
LIMIT_TYPES = {
    0: "user_vm",
    1: "public_ip",
    2: "volume",
    3: "snapshot",
    4: "template",
    5: "project",
    6: "network",
    7: "vpc",
    8: "cpu",
    9: "memory",
    10: "primary_storage",
    11: "secondary_storage",
}


@functools.cache
def seed_id(name: str) -> str:
    """A stable uuid for a seeded object."""
    return str(uuid.uuid5(_NAMESPACE, name))
