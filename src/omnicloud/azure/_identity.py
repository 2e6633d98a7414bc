"""Azure AD access tokens for Resource Manager, as flows: client secret, client certificate
(a signed JWT client assertion) and managed identity (the instance metadata service, IMDS).

:class:`TokenSource` keeps the token until ``refresh_margin`` seconds before it expires; a 401
from ARM asks it to :meth:`~TokenSource.renew` once. Concurrent flows holding the same stale
token share one new token. Secrets (the client secret, the certificate's key, assertions and
tokens) are registered with the redactor and kept out of every ``repr``.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from omnicloud._flow import Batch
from omnicloud.errors import ConfigurationError, MalformedResponseError
from omnicloud.http import HttpRequest, HttpResponse, Redactor, RetryPolicy, send_with_retries

from ._arm_errors import identity_error

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = [
    "ARM_SCOPE",
    "DEFAULT_AUTHORITY",
    "IMDS_ENDPOINT",
    "AccessToken",
    "CertificateCredential",
    "ClientSecretCredential",
    "ManagedIdentityCredential",
    "TokenSource",
    "load_certificate",
]

DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
ARM_SCOPE = "https://management.azure.com/.default"
IMDS_ENDPOINT = "http://169.254.169.254/metadata/identity/oauth2/token"
_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A bearer token and when it expires (epoch seconds)."""

    value: str = field(repr=False)
    expires_at: float
    obtained_at: float = 0.0

    def fresh(self, margin: float, now: float) -> bool:
        """Whether it is still good for ``margin`` seconds."""
        return now + margin < self.expires_at


def _scope_resource(scope: str) -> str:
    """The v1 ``resource`` for a v2 ``scope`` (IMDS speaks v1)."""
    return scope[: -len(".default")] if scope.endswith(".default") else scope


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(slots=True)
class ClientSecretCredential:
    """An app registration's client id and secret (OAuth2 client credentials grant)."""

    tenant_id: str
    client_id: str
    secret: str = field(repr=False)
    authority: str = DEFAULT_AUTHORITY

    def secrets(self) -> tuple[str, ...]:
        return (self.secret,)

    def request(self, scope: str, now: float) -> HttpRequest:
        form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id),
            ("client_secret", self.secret),
            ("scope", scope),
        ]
        return HttpRequest(
            "POST",
            _token_url(self.authority, self.tenant_id),
            form=form,
            headers={"Accept": "application/json"},
            operation="azure ad token",
            idempotent=True,  # asking for a token twice is harmless
        )


def load_certificate(path: str) -> tuple[Any, bytes]:
    """(private key, certificate DER) from a PEM file holding both (Azure's format)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        with open(path, "rb") as handle:
            pem = handle.read()
    except OSError as exc:
        raise ConfigurationError(
            f"Azure: cannot read the client certificate {path}: {exc}"
        ) from None
    try:
        key = serialization.load_pem_private_key(pem, password=None)
        certificate = x509.load_pem_x509_certificate(pem)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(
            f"Azure: {path} must hold an unencrypted PEM private key and its certificate ({exc})"
        ) from None
    return key, certificate.public_bytes(serialization.Encoding.DER)


@dataclass(slots=True)
class CertificateCredential:
    """An app registration's certificate: each token request carries a JWT client assertion
    signed (RS256) with the certificate's key, naming the certificate by thumbprint."""

    tenant_id: str
    client_id: str
    certificate_path: str
    authority: str = DEFAULT_AUTHORITY
    _key: Any = field(default=None, repr=False)
    _der: bytes = field(default=b"", repr=False)

    def __post_init__(self) -> None:
        self._key, self._der = load_certificate(self.certificate_path)

    def secrets(self) -> tuple[str, ...]:
        return ()

    def assertion(self, audience: str, now: float) -> str:
        """The signed client assertion for ``audience`` (the token URL)."""
        import hashlib

        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        header = {"alg": "RS256", "typ": "JWT", "x5t": _b64url(hashlib.sha1(self._der).digest())}
        claims = {
            "aud": audience,
            "iss": self.client_id,
            "sub": self.client_id,
            "jti": str(uuid.uuid4()),
            "nbf": int(now),
            "iat": int(now),
            "exp": int(now) + 600,
        }
        signing_input = ".".join(
            _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
        )
        try:
            signature = self._key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        except (TypeError, AttributeError) as exc:
            raise ConfigurationError(f"Azure: the certificate key must be RSA ({exc})") from None
        return f"{signing_input}.{_b64url(signature)}"

    def request(self, scope: str, now: float) -> HttpRequest:
        url = _token_url(self.authority, self.tenant_id)
        form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id),
            ("client_assertion_type", _ASSERTION_TYPE),
            ("client_assertion", self.assertion(url, now)),
            ("scope", scope),
        ]
        return HttpRequest(
            "POST",
            url,
            form=form,
            headers={"Accept": "application/json"},
            operation="azure ad token (certificate)",
            idempotent=True,
        )


@dataclass(slots=True)
class ManagedIdentityCredential:
    """The managed identity of the Azure machine this runs on (IMDS); ``client_id`` picks a
    user-assigned identity."""

    client_id: str | None = None
    endpoint: str = IMDS_ENDPOINT

    def secrets(self) -> tuple[str, ...]:
        return ()

    def request(self, scope: str, now: float) -> HttpRequest:
        params = [("api-version", "2018-02-01"), ("resource", _scope_resource(scope))]
        if self.client_id:
            params.append(("client_id", self.client_id))
        return HttpRequest(
            "GET",
            self.endpoint,
            params=params,
            headers={"Metadata": "true"},
            operation="azure managed identity token",
        )


Credential = ClientSecretCredential | CertificateCredential | ManagedIdentityCredential


def _token_url(authority: str, tenant: str) -> str:
    return f"{authority.rstrip('/')}/{tenant}/oauth2/v2.0/token"


def parse_token(response: HttpResponse, now: float) -> AccessToken:
    """The token of a successful answer (``expires_in`` or ``expires_on``, numbers or text)."""
    try:
        document = response.json()
        value = str(document["access_token"])
        if document.get("expires_in") is not None:
            expires_at = now + float(document["expires_in"])
        else:
            expires_at = float(document["expires_on"])
    except (KeyError, TypeError, ValueError, MalformedResponseError):
        raise MalformedResponseError(
            "Azure AD answered without an access token and its lifetime", status=response.status
        ) from None
    return AccessToken(value, expires_at, now)


@dataclass(slots=True)
class TokenSource:
    """Tokens of ``credential`` for ``scope``, cached and renewed (see the module)."""

    credential: Credential
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    redactor: Redactor = field(default_factory=Redactor)
    scope: str = ARM_SCOPE
    refresh_margin: float = 300.0
    clock: Callable[[], float] = field(default=time.time, repr=False)
    token: AccessToken | None = field(default=None, repr=False)
    acquired: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.redactor.add(*self.credential.secrets())

    def _usable(self, held: AccessToken | None) -> bool:
        if held is None:
            return False
        lifetime = held.expires_at - held.obtained_at
        # a short-lived token (tests, emulators) is renewed half way through its life
        return held.fresh(min(self.refresh_margin, max(lifetime / 2, 0.0)), self.clock())

    def current(self) -> Flow[AccessToken]:
        """A token fit for use: the one held, or a new one."""
        with self._lock:
            held = self.token
        if held is not None and self._usable(held):
            return held
        return (yield from self.renew(held))

    def renew(self, stale: AccessToken | None) -> Flow[AccessToken]:
        """A new token in place of ``stale`` (another flow's newer token when there is one).

        Flows of an async driver that need a token in the same moment (a hundred concurrent
        creations starting) are batched into one token request.
        """
        with self._lock:
            held = self.token
        if held is not None and held is not stale and self._usable(held):
            return held
        fresh: AccessToken = yield Batch(("azure-token", id(self)), stale, self._fetch)
        return fresh

    def _fetch(self, waiting: Sequence[Any]) -> Flow[list[AccessToken]]:
        """One token request for every flow in ``waiting``."""
        request = self.credential.request(self.scope, self.clock())
        for _name, value in request.form or ():
            if _name == "client_assertion":
                self.redactor.add(value)
        response = yield from send_with_retries(request, self.retry)
        if response.status != 200:
            raise identity_error(response, request.label, self.redactor)
        fresh = parse_token(response, self.clock())
        self.redactor.add(fresh.value)
        with self._lock:
            self.token = fresh
            self.acquired += 1
        return [fresh] * len(waiting)
