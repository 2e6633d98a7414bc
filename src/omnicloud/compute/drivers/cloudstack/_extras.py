"""CloudStack extensions besides networking (filled in below)."""

from __future__ import annotations

from ._compute import CloudStackCompute

__all__ = ["CloudStackExtras"]


class CloudStackExtras(CloudStackCompute):
    """Security groups, affinity groups, projects, ISOs, limits, tags, OS types, NICs."""
