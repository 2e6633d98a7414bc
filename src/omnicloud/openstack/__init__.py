"""OpenStack: Keystone and Swift authentication, the service catalog, and a raw client.

* :class:`AuthSettings`: Keystone v3 (password with user/project/domain by name or id,
  application credentials, token), Keystone v2.0 password, Swift's auth v1.0 (tempauth);
* :class:`Catalog`: endpoints by service type, region and interface;
* :class:`OpenStackSession`: token reuse until shortly before expiry, one re-authentication on a
  401 (never more), endpoint overrides;
* :class:`OpenStackClient` / :class:`AsyncOpenStackClient`: the same flows, sync or async.

The Swift storage driver is :mod:`omnicloud.storage.drivers.swift`. Nothing here is imported by
``import omnicloud``; no HTTP library is loaded before the first request.
"""

from __future__ import annotations

from omnicloud.openstack._auth import AUTH_VERSIONS, AuthSettings, Token, auth_version
from omnicloud.openstack._catalog import Catalog, Endpoint, EndpointNotFoundError
from omnicloud.openstack._client import AsyncOpenStackClient, OpenStackClient
from omnicloud.openstack._errors import (
    OpenStackAuthError,
    OpenStackError,
    OpenStackNotFoundError,
    OpenStackPermissionError,
    OpenStackRateLimitedError,
)
from omnicloud.openstack._options import LIBCLOUD_OPTIONS, session_from_options
from omnicloud.openstack._session import EndpointChoice, OpenStackSession

__all__ = [
    "AUTH_VERSIONS",
    "LIBCLOUD_OPTIONS",
    "AsyncOpenStackClient",
    "AuthSettings",
    "Catalog",
    "Endpoint",
    "EndpointChoice",
    "EndpointNotFoundError",
    "OpenStackAuthError",
    "OpenStackClient",
    "OpenStackError",
    "OpenStackNotFoundError",
    "OpenStackPermissionError",
    "OpenStackRateLimitedError",
    "OpenStackSession",
    "Token",
    "auth_version",
    "session_from_options",
]
