"""The CloudStack simulator's command table, assembled from the command modules' declarations.

This is the one place that knows every command module; nothing registers itself on import.
"""

from __future__ import annotations

from collections.abc import Mapping

from ._registry import Command, table
from .commands import (
    acls,
    addresses,
    affinity,
    apis,
    infra,
    jobs,
    keypairs,
    limits,
    loadbalancers,
    network_admin,
    networks,
    nics,
    projects,
    rules,
    security_groups,
    simulator,
    snapshots,
    tags,
    templates,
    vms,
    volumes,
    vpn,
)

__all__ = ["COMMANDS"]

COMMANDS: Mapping[str, Command] = table(
    acls.DECLARED,
    addresses.DECLARED,
    affinity.DECLARED,
    apis.DECLARED,
    infra.DECLARED,
    jobs.DECLARED,
    keypairs.DECLARED,
    limits.DECLARED,
    loadbalancers.DECLARED,
    network_admin.DECLARED,
    networks.DECLARED,
    nics.DECLARED,
    projects.DECLARED,
    rules.DECLARED,
    security_groups.DECLARED,
    simulator.DECLARED,
    snapshots.DECLARED,
    tags.DECLARED,
    templates.DECLARED,
    vms.DECLARED,
    volumes.DECLARED,
    vpn.DECLARED,
)
