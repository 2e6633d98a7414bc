"""Libcloud's OpenStack driver arguments (``ex_force_auth_url`` and friends) made into an
:class:`~omnicloud.openstack._session.OpenStackSession`.

As in Libcloud, ``key`` is the user name (or the application credential id for
``3.x_appcred``, the tempauth ``account:user`` for ``1.0``) and ``secret`` the password (the
application credential secret, the tempauth key).
"""

from __future__ import annotations

from typing import Any

from omnicloud.errors import ConfigurationError
from omnicloud.http import Redactor, RetryPolicy
from omnicloud.openstack._auth import AuthSettings, auth_version
from omnicloud.openstack._session import EndpointChoice, OpenStackSession

__all__ = ["LIBCLOUD_OPTIONS", "session_from_options"]

#: The keyword arguments :func:`session_from_options` understands (Libcloud's names first).
LIBCLOUD_OPTIONS = (
    "ex_force_auth_url",
    "ex_force_auth_version",
    "ex_tenant_name",
    "ex_tenant_id",
    "ex_domain_name",
    "ex_domain_id",
    "ex_user_domain_name",
    "ex_project_domain_name",
    "ex_force_service_region",
    "ex_force_service_type",
    "ex_force_service_name",
    "ex_force_service_interface",
    "ex_force_base_url",
    "ex_force_auth_token",
)


def session_from_options(
    key: str | None,
    secret: str | None,
    *,
    service_type: str,
    auth: AuthSettings | None = None,
    ex_force_auth_url: str | None = None,
    ex_force_auth_version: str | None = None,
    ex_tenant_name: str | None = None,
    ex_tenant_id: str | None = None,
    ex_domain_name: str | None = None,
    ex_domain_id: str | None = None,
    ex_user_domain_name: str | None = None,
    ex_project_domain_name: str | None = None,
    ex_force_service_region: str | None = None,
    ex_force_service_type: str | None = None,
    ex_force_service_name: str | None = None,
    ex_force_service_interface: str | None = None,
    ex_force_base_url: str | None = None,
    ex_force_auth_token: str | None = None,
    region: str | None = None,
    retry: RetryPolicy | None = None,
    redactor: Redactor | None = None,
    refresh_margin: float = 60.0,
) -> tuple[OpenStackSession, str]:
    """The session Libcloud's arguments describe, and the service type to use.

    ``auth`` (an :class:`AuthSettings`) replaces the ``key``/``secret``/``ex_*`` credentials.
    A token given with a base URL is used as is; a token alone is exchanged (``3.x_token``)
    for one with a catalog.
    """
    service = ex_force_service_type or service_type
    settings = auth
    if settings is None and ex_force_auth_url:
        version = auth_version(ex_force_auth_version or "3.x_password")
        if ex_force_auth_token and not ex_force_base_url and not secret:
            version = "3.x_token"
        domain = ex_domain_name
        common: dict[str, Any] = {
            "auth_url": ex_force_auth_url,
            "version": version,
            "user_domain_name": ex_user_domain_name or domain,
            "project_name": ex_tenant_name,
            "project_id": ex_tenant_id,
            "project_domain_name": ex_project_domain_name or domain,
            "domain_id": ex_domain_id if not (ex_tenant_name or ex_tenant_id) else None,
        }
        if ex_domain_id and (ex_tenant_name or ex_tenant_id):
            common["project_domain_id"] = ex_domain_id
            common["user_domain_id"] = ex_domain_id
        if version == "3.x_appcred":
            settings = AuthSettings(
                **common, application_credential_id=key, application_credential_secret=secret
            )
        elif version == "3.x_token":
            settings = AuthSettings(**common, token=ex_force_auth_token)
        else:
            settings = AuthSettings(**common, username=key, password=secret)
    if settings is None and not (ex_force_auth_token and ex_force_base_url):
        raise ConfigurationError(
            "OpenStack: give ex_force_auth_url (with key and secret), or ex_force_auth_token "
            "with ex_force_base_url"
        )
    fixed = ex_force_auth_token if ex_force_base_url else None
    overrides = {service: ex_force_base_url} if ex_force_base_url else {}
    choice = EndpointChoice(
        region=ex_force_service_region or region,
        interface=ex_force_service_interface or "public",
        name=ex_force_service_name,
    )
    session = OpenStackSession(
        settings,
        retry=retry or RetryPolicy(),
        redactor=redactor or Redactor(),
        choice=choice,
        overrides=overrides,
        fixed_token=fixed,
        refresh_margin=refresh_margin,
    )
    return session, service
