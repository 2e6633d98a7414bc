"""OpenStack compute drivers (Nova, Glance, Neutron, Cinder), sync and async.

``get_driver(Provider.OPENSTACK)(user, password, ex_force_auth_url=..., ex_force_auth_version=
"3.x_password", ex_tenant_name=..., ex_domain_name=...)``, with Libcloud's arguments (see
:mod:`omnicloud.openstack`). Every operation is written once as a flow in the ``openstack_*``
mixins; the classes below only pick the shell.
"""

from __future__ import annotations

from omnicloud.compute._shell import AsyncShell, SyncShell
from omnicloud.openstack._errors import OpenStackError, OpenStackNotFoundError

from .openstack_client import OpenStackConflictError, OpenStackQuotaError
from .openstack_convert import NODE_STATES, node_state
from .openstack_extras import OpenStackExtras
from .openstack_models import (
    OpenStackFloatingIp,
    OpenStackNetwork,
    OpenStackPort,
    OpenStackSecurityGroup,
    OpenStackSecurityGroupRule,
    OpenStackSubnet,
)
from .openstack_network import OpenStackNetworking
from .openstack_nodes import OpenStackNodes
from .openstack_storage import OpenStackStorage

__all__ = [
    "NODE_STATES",
    "AsyncOpenStackNodeDriver",
    "OpenStackConflictError",
    "OpenStackError",
    "OpenStackFloatingIp",
    "OpenStackNetwork",
    "OpenStackNodeDriver",
    "OpenStackNodeDriverCore",
    "OpenStackNotFoundError",
    "OpenStackPort",
    "OpenStackQuotaError",
    "OpenStackSecurityGroup",
    "OpenStackSecurityGroupRule",
    "OpenStackSubnet",
    "OpenStack_2_NodeDriver",
    "node_state",
]


class OpenStackNodeDriverCore(
    OpenStackNodes, OpenStackExtras, OpenStackStorage, OpenStackNetworking
):
    """All OpenStack operations as flows (no I/O); pick the sync or async class to run them."""


class OpenStackNodeDriver(SyncShell, OpenStackNodeDriverCore):
    """OpenStack: ``OpenStackNodeDriver(user, password, ex_force_auth_url=...)``."""


class AsyncOpenStackNodeDriver(AsyncShell, OpenStackNodeDriverCore):
    """OpenStack, async: ``async with AsyncOpenStackNodeDriver(user, password, ...) as d:``."""


#: Libcloud's name of the Nova v2 driver class.
OpenStack_2_NodeDriver = OpenStackNodeDriver
