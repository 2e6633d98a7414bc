"""Errors raised while deploying to a node over SSH."""

from __future__ import annotations

from omnicloud.errors import OmnicloudError

__all__ = ["DeploymentError", "HostKeyError", "SSHAuthenticationError", "SSHConnectError"]


class DeploymentError(OmnicloudError):
    """A deployment step could not be carried out."""


class SSHConnectError(DeploymentError):
    """The node's SSH server could not be reached before the timeout."""


class SSHAuthenticationError(DeploymentError):
    """The node refused our key or password."""


class HostKeyError(DeploymentError):
    """The node's host key is unknown or does not match the expected one."""
