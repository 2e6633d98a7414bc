"""Deployment over SSH (asyncssh): run scripts, add keys and copy files on new nodes."""

from __future__ import annotations

from omnicloud.deploy._errors import (
    DeploymentError,
    HostKeyError,
    SSHAuthenticationError,
    SSHConnectError,
)
from omnicloud.deploy._ssh import SSHTarget, deploy, deploy_sync
from omnicloud.deploy._steps import (
    Deployment,
    FileDeployment,
    MultiStepDeployment,
    ScriptDeployment,
    SSHKeyDeployment,
)

__all__ = [
    "Deployment",
    "DeploymentError",
    "FileDeployment",
    "HostKeyError",
    "MultiStepDeployment",
    "SSHAuthenticationError",
    "SSHConnectError",
    "SSHKeyDeployment",
    "SSHTarget",
    "ScriptDeployment",
    "deploy",
    "deploy_sync",
]
