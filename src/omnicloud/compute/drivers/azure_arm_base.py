"""Construction of the Azure Resource Manager compute driver (a service principal's secret or
certificate, or a managed identity) and the helpers every operation uses: resource paths and
ids, api-versions, and JSON calls through :class:`~omnicloud.azure._arm.ArmClient`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from omnicloud.azure._arm import DEFAULT_ARM_ENDPOINT, ArmClient
from omnicloud.azure._identity import (
    DEFAULT_AUTHORITY,
    IMDS_ENDPOINT,
    CertificateCredential,
    ClientSecretCredential,
    ManagedIdentityCredential,
    TokenSource,
)
from omnicloud.compute._driver import NodeDriverCore
from omnicloud.errors import ConfigurationError, ValidationError
from omnicloud.http import HttpConfig, Redactor
from omnicloud.http._config import driver_config

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["API", "AzureBase", "parse_resource_id"]

#: The api-version sent to each resource provider.
API = {
    "compute": "2024-07-01",  # virtual machines, sizes, marketplace images
    "disks": "2023-10-02",  # managed disks and snapshots
    "network": "2024-05-01",
    "resources": "2022-09-01",  # resource groups
    "subscriptions": "2022-12-01",  # locations
}

_ID = re.compile(
    r"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)/providers/"
    r"(?P<ns>[^/]+)/(?P<type>[^/]+)/(?P<name>[^/]+)(?P<rest>/.*)?$",
    re.IGNORECASE,
)


def parse_resource_id(value: str) -> dict[str, str] | None:
    """``{"sub", "rg", "ns", "type", "name", "rest"}`` of an ARM resource id, or None."""
    found = _ID.match(value or "")
    if found is None:
        return None
    return {k: v or "" for k, v in found.groupdict().items()}


class AzureBase(NodeDriverCore):
    """Holds the ARM client and defaults (resource group, location); builds resource paths.

    ``AzureNodeDriver(tenant_id, subscription_id, key, secret)`` as Libcloud's (``key`` is the
    application's client id, ``secret`` its client secret); ``ex_client_certificate=`` a PEM
    file (key and certificate) instead of the secret; ``ex_managed_identity=True`` the machine's
    managed identity (``key``: a user-assigned identity's client id). ``region`` is the default
    location and ``ex_resource_group`` the default resource group. ``endpoint`` and
    ``ex_authority`` replace public Azure's ``https://management.azure.com`` and
    ``https://login.microsoftonline.com`` (http is accepted when given explicitly: emulators).
    """

    name = "Azure Virtual machines"
    website = "http://azure.microsoft.com/en-us/services/virtual-machines"
    type: str | None = "azure_arm"
    features: dict[str, list[str]] = {"create_node": ["ssh_key", "password", "generates_password"]}

    def __init__(
        self,
        tenant_id: str | None = None,
        subscription_id: str | None = None,
        key: str | None = None,
        secret: str | None = None,
        secure: bool = True,
        host: str | None = None,
        port: int | None = None,
        api_version: str | None = None,
        *,
        region: str | None = None,
        ex_resource_group: str | None = None,
        endpoint: str | None = None,
        ex_authority: str | None = None,
        ex_managed_identity: bool = False,
        ex_identity_endpoint: str | None = None,
        ex_client_certificate: str | None = None,
        ex_management_certificate: str | None = None,
        poll_interval: float = 2.0,
        wait_timeout: float = 1800.0,
        timeout: float | None = None,
        verify: bool | str | None = None,
        http: HttpConfig | None = None,
        transport: Any = None,
    ) -> None:
        if not subscription_id:
            raise ConfigurationError("Azure: a subscription_id is needed")
        if ex_management_certificate and not (tenant_id and key):
            raise ConfigurationError(
                "Azure: a management certificate belongs to the classic (ASM) API, which "
                "Microsoft retired; Resource Manager needs a service principal: give tenant_id, "
                "key (the client id) and secret (or ex_client_certificate), or "
                "ex_managed_identity=True"
            )
        if poll_interval <= 0 or wait_timeout <= 0:
            raise ValidationError("poll_interval and wait_timeout must be positive")
        config = driver_config(http, timeout=timeout, verify=verify, transport=transport)
        redactor = Redactor()
        authority = (ex_authority or DEFAULT_AUTHORITY).rstrip("/")
        credential: Any
        if ex_managed_identity:
            credential = ManagedIdentityCredential(key, ex_identity_endpoint or IMDS_ENDPOINT)
        elif not tenant_id or not key:
            raise ConfigurationError(
                "Azure: give tenant_id, key (the client id) and secret (or ex_client_certificate),"
                " or ex_managed_identity=True"
            )
        elif ex_client_certificate:
            credential = CertificateCredential(tenant_id, key, ex_client_certificate, authority)
        elif secret:
            credential = ClientSecretCredential(tenant_id, key, secret, authority)
        else:
            raise ConfigurationError(
                "Azure: give secret (the client secret) or ex_client_certificate"
            )
        if host and not endpoint:  # Libcloud's host/port/secure
            scheme = "https" if secure else "http"
            endpoint = f"{scheme}://{host}" + (f":{port}" if port else "")
        tokens = TokenSource(credential, retry=config.retry, redactor=redactor)
        self.client = ArmClient(
            tokens,
            subscription_id,
            (endpoint or DEFAULT_ARM_ENDPOINT).rstrip("/"),
            retry=config.retry,
            redactor=redactor,
            poll_interval=poll_interval,
            wait_timeout=wait_timeout,
        )
        self.tenant_id = tenant_id
        self.subscription_id = subscription_id
        self.key = key
        self.region = region
        self.default_location = region
        self.ex_resource_group = ex_resource_group
        self.api_version = api_version
        self.poll_interval = poll_interval
        self.wait_timeout = wait_timeout
        self._open(config, redactor)

    def _open(self, config: HttpConfig, redactor: Redactor) -> None:  # pragma: no cover
        raise TypeError("use a sync or async driver class, not the core")

    def __repr__(self) -> str:
        group = f", resource group {self.ex_resource_group!r}" if self.ex_resource_group else ""
        return (
            f"<{type(self).__name__} subscription {self.subscription_id!r}{group} at "
            f"{self.client.endpoint}>"
        )

    # -- names and paths ----------------------------------------------------------------------
    def _group(self, resource_group: str | None) -> str:
        group = resource_group or self.ex_resource_group
        if not group:
            raise ValidationError(
                "Azure: name a resource group (ex_resource_group= here or when creating the driver)"
            )
        return group

    def _location(self, location: Any) -> str:
        found = getattr(location, "id", location) or self.region
        if not found or not isinstance(found, str):
            raise ValidationError("Azure: name a location (location= or the driver's region=)")
        return found

    def _path(self, namespace: str, kind: str, name: str, resource_group: str | None) -> str:
        group = self._group(resource_group)
        return self.client.sub(f"/resourceGroups/{group}/providers/{namespace}/{kind}/{name}")

    def _scope(self, namespace: str, kind: str, resource_group: str | None) -> str:
        """The list path of ``kind`` in a resource group, or in the whole subscription."""
        if resource_group:
            return self.client.sub(f"/resourceGroups/{resource_group}/providers/{namespace}/{kind}")
        return self.client.sub(f"/providers/{namespace}/{kind}")

    def _ref(self, value: Any, namespace: str, kind: str, resource_group: str | None) -> str:
        """The resource path of a model, a resource id, or a name in the resource group."""
        found = getattr(value, "id", value)
        if not isinstance(found, str) or not found:
            raise ValidationError(f"expected an Azure {kind} object, resource id or name")
        if found.startswith("/subscriptions/"):
            if parse_resource_id(found) is None:
                raise ValidationError(f"not an Azure resource id: {found!r}")
            return found
        if "/" in found:
            raise ValidationError(f"not an Azure {kind} name or resource id: {found!r}")
        return self._path(namespace, kind, found, resource_group)

    # -- calls --------------------------------------------------------------------------------
    def _get(self, path: str, api: str, what: str, **query: Any) -> Flow[Any]:
        url = self.client.url(path, API[api], query)
        return (yield from self.client.get(url, operation=what))

    def _call(
        self,
        method: str,
        path: str,
        api: str,
        what: str,
        body: Mapping[str, Any] | None = None,
        **query: Any,
    ) -> Flow[Any]:
        url = self.client.url(path, API[api], query)
        return (yield from self.client.call(method, url, body, operation=what))

    def _pages(self, path: str, api: str, what: str, **query: Any) -> Flow[None]:
        url = self.client.url(path, API[api], query)
        yield from self.client.pages(url, operation=what)

    def _array(self, path: str, api: str, what: str) -> Flow[list[Any]]:
        """A GET answered with a bare JSON array (marketplace image listings)."""
        document = yield from self._get(path, api, what)
        if isinstance(document, Mapping):
            document = document.get("value")
        return [d for d in document or [] if isinstance(d, Mapping)]
