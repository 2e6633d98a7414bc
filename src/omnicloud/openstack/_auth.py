"""Authentication flows: Keystone v3 (password, application credential, token), Keystone v2.0
(password) and Swift's own auth v1.0 (tempauth, swauth), each giving a :class:`Token`.

Every flow sends one request and reads the answer; nothing here keeps state (see
:class:`~omnicloud.openstack._session.OpenStackSession` for reuse and re-authentication).
Secrets live in :class:`AuthSettings` fields kept out of ``repr`` and are registered with the
redactor, so no log line or error message shows them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from omnicloud.errors import ConfigurationError, MalformedResponseError
from omnicloud.http import HttpRequest, HttpResponse, Redactor, RetryPolicy, send_with_retries
from omnicloud.openstack._catalog import Catalog
from omnicloud.openstack._errors import error_from_response

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["AUTH_VERSIONS", "AuthSettings", "Token", "auth_version", "authenticate"]

#: Libcloud's ``ex_force_auth_version`` values we speak, and their spellings.
AUTH_VERSIONS: dict[str, str] = {
    "1.0": "1.0",
    "1": "1.0",
    "v1": "1.0",
    "v1.0": "1.0",
    "2.0": "2.0_password",
    "2": "2.0_password",
    "v2.0": "2.0_password",
    "2.0_password": "2.0_password",
    "3": "3.x_password",
    "3.0": "3.x_password",
    "v3": "3.x_password",
    "3.x": "3.x_password",
    "3.x_password": "3.x_password",
    "3.x_appcred": "3.x_appcred",
    "3.x_application_credential": "3.x_appcred",
    "3.x_token": "3.x_token",
}


def auth_version(value: str) -> str:
    """The canonical name of an auth version (``"3.x_password"``), or ConfigurationError."""
    canonical = AUTH_VERSIONS.get(str(value).strip().lower())
    if canonical is None:
        known = ", ".join(sorted(set(AUTH_VERSIONS.values())))
        raise ConfigurationError(f"unknown OpenStack auth version {value!r} (known: {known})")
    return canonical


@dataclass(slots=True)
class AuthSettings:
    """How to authenticate, as Libcloud's OpenStack arguments describe it.

    ``version`` is one of :data:`AUTH_VERSIONS` (canonical: ``"1.0"``, ``"2.0_password"``,
    ``"3.x_password"``, ``"3.x_appcred"``, ``"3.x_token"``). A v3 user and project are named by
    id or by name (with their domain by id or name, ``"Default"`` when none is given); with
    neither project nor ``domain_*`` scope the token is unscoped (it has no catalog).
    ``application_credential_*`` are for ``3.x_appcred``, ``token`` for ``3.x_token``.
    """

    auth_url: str
    version: str = "3.x_password"
    username: str | None = None
    user_id: str | None = None
    password: str | None = field(default=None, repr=False)
    user_domain_name: str | None = None
    user_domain_id: str | None = None
    project_name: str | None = None
    project_id: str | None = None
    project_domain_name: str | None = None
    project_domain_id: str | None = None
    domain_name: str | None = None
    domain_id: str | None = None
    application_credential_id: str | None = None
    application_credential_name: str | None = None
    application_credential_secret: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.version = auth_version(self.version)
        if not self.auth_url or "://" not in self.auth_url:
            raise ConfigurationError(f"auth_url must be an http(s) URL, not {self.auth_url!r}")

    def secrets(self) -> tuple[str | None, ...]:
        """The secret values, for a redactor."""
        return (self.password, self.application_credential_secret, self.token)

    def can_reauthenticate(self) -> bool:
        """Whether these settings can get a new token (a bare token cannot)."""
        if self.version == "3.x_token":
            return False
        if self.version == "3.x_appcred":
            return bool(self.application_credential_secret)
        return bool(self.password)


@dataclass(slots=True)
class Token:
    """An issued token: its value (never shown), when it expires (epoch seconds, None when the
    service did not say), the catalog, and who it is for."""

    value: str = field(repr=False)
    expires_at: float | None
    catalog: Catalog
    user_id: str | None = None
    project_id: str | None = None
    domain_id: str | None = None
    issued_at: float = field(default_factory=time.time)
    document: dict[str, Any] = field(default_factory=dict, repr=False)

    def fresh(self, margin: float, now: float | None = None) -> bool:
        """Whether the token can still be used for ``margin`` seconds (no expiry: True)."""
        if self.expires_at is None:
            return True
        return (now if now is not None else time.time()) + margin < self.expires_at


def _timestamp(value: Any) -> float | None:
    """Epoch seconds from Keystone's ISO 8601 times (``2026-12-06T03:00:00.000000Z``)."""
    if not value:
        return None
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _base(url: str, *suffixes: str) -> str:
    """``url`` without a trailing slash or any of ``suffixes`` it already ends with."""
    url = url.rstrip("/")
    for suffix in suffixes:
        if url.endswith(suffix):
            return url[: -len(suffix)]
    return url


def tokens_url(settings: AuthSettings) -> str:
    """Where the settings' version asks for a token (Libcloud appends the path as well)."""
    version = settings.version
    if version == "1.0":
        base = _base(settings.auth_url, "/v1.0", "/v1")
        return base + "/v1.0"
    if version == "2.0_password":
        return _base(settings.auth_url, "/tokens", "/v2.0") + "/v2.0/tokens"
    return _base(settings.auth_url, "/auth/tokens", "/v3") + "/v3/auth/tokens"


def _named(kind: str, id_: str | None, name: str | None) -> dict[str, Any]:
    if id_:
        return {"id": id_}
    if name:
        return {"name": name}
    raise ConfigurationError(f"OpenStack auth: give the {kind} by id or by name")


def _domain(id_: str | None, name: str | None) -> dict[str, str]:
    if id_:
        return {"id": id_}
    return {"name": name or "Default"}


def _user(settings: AuthSettings) -> dict[str, Any]:
    user = _named("user", settings.user_id, settings.username)
    if not settings.user_id:
        user["domain"] = _domain(settings.user_domain_id, settings.user_domain_name)
    return user


def _scope(settings: AuthSettings) -> dict[str, Any] | None:
    if settings.project_id:
        return {"project": {"id": settings.project_id}}
    if settings.project_name:
        domain = _domain(settings.project_domain_id, settings.project_domain_name)
        return {"project": {"name": settings.project_name, "domain": domain}}
    if settings.domain_id or settings.domain_name:
        return {"domain": _named("domain", settings.domain_id, settings.domain_name)}
    return None


def v3_body(settings: AuthSettings) -> dict[str, Any]:
    """The ``POST /v3/auth/tokens`` document for the settings."""
    version = settings.version
    identity: dict[str, Any]
    scoped = True
    if version == "3.x_password":
        if not settings.password:
            raise ConfigurationError("OpenStack auth 3.x_password needs a password")
        user = {**_user(settings), "password": settings.password}
        identity = {"methods": ["password"], "password": {"user": user}}
    elif version == "3.x_appcred":
        if not settings.application_credential_secret:
            raise ConfigurationError("OpenStack auth 3.x_appcred needs the credential's secret")
        secret = settings.application_credential_secret
        if settings.application_credential_id:
            cred: dict[str, Any] = {"id": settings.application_credential_id, "secret": secret}
        elif settings.application_credential_name:
            cred = {
                "name": settings.application_credential_name,
                "user": _user(settings),
                "secret": secret,
            }
        else:
            raise ConfigurationError(
                "OpenStack auth 3.x_appcred: give the application credential by id or by name"
            )
        identity = {"methods": ["application_credential"], "application_credential": cred}
        scoped = False  # an application credential carries its own project
    elif version == "3.x_token":
        if not settings.token:
            raise ConfigurationError("OpenStack auth 3.x_token needs a token")
        identity = {"methods": ["token"], "token": {"id": settings.token}}
    else:  # pragma: no cover - the callers dispatch on version
        raise ConfigurationError(f"{version} is not a Keystone v3 method")
    auth: dict[str, Any] = {"identity": identity}
    scope = _scope(settings) if scoped else None
    if scope is not None:
        auth["scope"] = scope
    return {"auth": auth}


def _json_body(document: dict[str, Any]) -> bytes:
    import json

    return json.dumps(document).encode()


_JSON = {"Content-Type": "application/json", "Accept": "application/json"}


def _failed(response: HttpResponse, operation: str, redactor: Redactor) -> Exception:
    return error_from_response(response, operation, redactor)


def _document(response: HttpResponse, operation: str) -> dict[str, Any]:
    doc = response.json()
    if not isinstance(doc, dict):
        raise MalformedResponseError(
            f"{operation}: the answer is not a JSON object", status=response.status
        )
    return doc


def _v3(settings: AuthSettings, retry: RetryPolicy, redactor: Redactor) -> Flow[Token]:
    operation = f"keystone v3 {settings.version.split('_', 1)[1]} auth"
    request = HttpRequest(
        "POST", tokens_url(settings), headers=_JSON, content=_json_body(v3_body(settings)),
        operation=operation, idempotent=True,
    )  # fmt: skip
    response = yield from send_with_retries(request, retry)
    if response.status not in (200, 201):
        raise _failed(response, operation, redactor)
    value = response.headers.get("x-subject-token", "")
    if not value:
        raise MalformedResponseError(f"{operation}: no X-Subject-Token in the answer")
    redactor.add(value)
    token = _document(response, operation).get("token") or {}
    project = token.get("project") or {}
    domain = token.get("domain") or {}
    return Token(
        value=value,
        expires_at=_timestamp(token.get("expires_at")),
        catalog=Catalog.from_v3(token.get("catalog") or ()),
        user_id=(token.get("user") or {}).get("id"),
        project_id=project.get("id"),
        domain_id=domain.get("id"),
        document=token,
    )


def _v2(settings: AuthSettings, retry: RetryPolicy, redactor: Redactor) -> Flow[Token]:
    operation = "keystone v2.0 password auth"
    if not settings.username or not settings.password:
        raise ConfigurationError("OpenStack auth 2.0_password needs a username and a password")
    auth: dict[str, Any] = {
        "passwordCredentials": {"username": settings.username, "password": settings.password}
    }
    if settings.project_id:
        auth["tenantId"] = settings.project_id
    elif settings.project_name:
        auth["tenantName"] = settings.project_name
    request = HttpRequest(
        "POST", tokens_url(settings), headers=_JSON, content=_json_body({"auth": auth}),
        operation=operation, idempotent=True,
    )  # fmt: skip
    response = yield from send_with_retries(request, retry)
    if response.status not in (200, 201, 203):
        raise _failed(response, operation, redactor)
    access = _document(response, operation).get("access") or {}
    token = access.get("token") or {}
    value = str(token.get("id") or "")
    if not value:
        raise MalformedResponseError(f"{operation}: no access.token.id in the answer")
    redactor.add(value)
    return Token(
        value=value,
        expires_at=_timestamp(token.get("expires")),
        catalog=Catalog.from_v2(access.get("serviceCatalog") or ()),
        user_id=(access.get("user") or {}).get("id"),
        project_id=(token.get("tenant") or {}).get("id"),
    )


def _v1(settings: AuthSettings, retry: RetryPolicy, redactor: Redactor) -> Flow[Token]:
    operation = "swift auth v1.0"
    if not settings.username or not settings.password:
        raise ConfigurationError("Swift auth 1.0 needs a user (key) and a key (secret)")
    headers = {"X-Auth-User": settings.username, "X-Auth-Key": settings.password}
    request = HttpRequest("GET", tokens_url(settings), headers=headers, operation=operation)
    response = yield from send_with_retries(request, retry)
    if not 200 <= response.status < 300:
        raise _failed(response, operation, redactor)
    value = response.headers.get("x-auth-token") or response.headers.get("x-storage-token", "")
    url = response.headers.get("x-storage-url", "")
    if not value or not url:
        raise MalformedResponseError(f"{operation}: no X-Auth-Token or X-Storage-Url answered")
    redactor.add(value)
    expires: float | None = None
    lifetime = response.headers.get("x-auth-token-expires", "").strip()
    if lifetime:
        try:
            expires = time.time() + float(lifetime)
        except ValueError:
            expires = None
    return Token(value=value, expires_at=expires, catalog=Catalog.single("object-store", url))


def authenticate(settings: AuthSettings, retry: RetryPolicy, redactor: Redactor) -> Flow[Token]:
    """Get a token for ``settings`` (one request; errors as
    :class:`~omnicloud.openstack._errors.OpenStackError`, 401 as ``OpenStackAuthError``)."""
    redactor.add(*settings.secrets())
    if settings.version == "1.0":
        return (yield from _v1(settings, retry, redactor))
    if settings.version == "2.0_password":
        return (yield from _v2(settings, retry, redactor))
    return (yield from _v3(settings, retry, redactor))
