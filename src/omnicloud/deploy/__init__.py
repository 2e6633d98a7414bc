"""SSH for deployments (asyncssh): the default connector behind ``deploy_node``.

The deployment steps themselves (``ScriptDeployment``, ``SSHKeyDeployment``, ``FileDeployment``,
``MultiStepDeployment``) live in :mod:`omnicloud.compute.deployment`, with Libcloud's names.
"""

from __future__ import annotations

from omnicloud.deploy._errors import (
    HostKeyError,
    SSHAuthenticationError,
    SSHConnectError,
    SSHError,
)
from omnicloud.deploy._ssh import AsyncSSHConnector, SSHSession

__all__ = [
    "AsyncSSHConnector",
    "HostKeyError",
    "SSHAuthenticationError",
    "SSHConnectError",
    "SSHError",
    "SSHSession",
]
