"""Amazon EC2 compute drivers, sync and async, on the Query/EC2 protocol of :mod:`omnicloud.aws`.

``get_driver(Provider.EC2)(key, secret, region="eu-west-1")``, or with no key the AWS CLI's
credentials chain (``profile=``, environment, shared files, credential_process); ``endpoint=``
for moto, ministack or another EC2-compatible service. Every operation is written once as a
flow in the ``ec2_*`` mixins; the classes below only pick the shell.
"""

from __future__ import annotations

from omnicloud.aws._errors import AwsError
from omnicloud.compute._shell import AsyncShell, SyncShell

from .ec2_convert import NODE_STATES, node_state
from .ec2_images import EC2Images
from .ec2_models import EC2SecurityGroup, EC2SecurityGroupRule, ElasticIP
from .ec2_network import EC2Network
from .ec2_nodes import EC2Nodes
from .ec2_storage import EC2Storage

__all__ = [
    "NODE_STATES",
    "AsyncEC2NodeDriver",
    "AwsError",
    "EC2NodeDriver",
    "EC2NodeDriverCore",
    "EC2SecurityGroup",
    "EC2SecurityGroupRule",
    "ElasticIP",
    "node_state",
]


class EC2NodeDriverCore(EC2Nodes, EC2Images, EC2Storage, EC2Network):
    """All EC2 operations as flows (no I/O); pick the sync or async class to run them."""


class EC2NodeDriver(SyncShell, EC2NodeDriverCore):
    """Amazon EC2: ``EC2NodeDriver(key, secret, region="us-east-1")``."""


class AsyncEC2NodeDriver(AsyncShell, EC2NodeDriverCore):
    """Amazon EC2, async: ``async with AsyncEC2NodeDriver(key, secret) as d:``."""
