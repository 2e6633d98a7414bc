"""The CloudStack compute driver's identity, on the connection every CloudStack driver shares.

The connection (:class:`CloudStackConnection`, with ``_endpoint``, ``_in_process`` and the
other helpers it needs), :func:`names_no_entity` and :func:`success` live in
:mod:`omnicloud.cloudstack._driver_base`, shared with the load balancer driver; the public
names are re-exported here for code that imported them from this module.
"""

from __future__ import annotations

from omnicloud.cloudstack._driver_base import CloudStackConnection, names_no_entity, success
from omnicloud.compute._driver import NodeDriverCore

__all__ = ["CloudStackBase", "CloudStackConnection", "names_no_entity", "success"]


class CloudStackBase(CloudStackConnection, NodeDriverCore):
    """The CloudStack compute driver's identity and connection."""

    name = "CloudStack"
    website = "https://cloudstack.apache.org/"
    type: str | None = "cloudstack"
    features = {"create_node": ["generates_password"]}
