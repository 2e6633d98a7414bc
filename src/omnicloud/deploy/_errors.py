"""Errors raised while connecting to a node over SSH."""

from __future__ import annotations

from omnicloud.errors import OmnicloudError

__all__ = ["HostKeyError", "SSHAuthenticationError", "SSHConnectError", "SSHError"]


class SSHError(OmnicloudError):
    """An SSH connection could not be used."""


class SSHConnectError(SSHError):
    """The node's SSH server could not be reached before the timeout."""


class SSHAuthenticationError(SSHError):
    """The node refused our key or password."""


class HostKeyError(SSHError):
    """The node's host key is unknown or does not match the expected one."""
