"""Access tokens for Google APIs: a service account's key, a token given as is, or none.

A service account signs a JWT (RS256, with ``cryptography``) asserting its ``client_email``,
the scopes, the key's ``token_uri`` as audience and an hour of validity, and exchanges it at
``token_uri`` (``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer``) for an access token,
kept until ``refresh_margin`` seconds before it expires. The private key is loaded once into a
key object and never kept as text, shown in a ``repr`` or put into a message; access tokens are
added to the driver's redactor as they arrive.
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Mapping
from typing import Any

from omnicloud.errors import ConfigurationError, InvalidCredentialsError, MalformedResponseError
from omnicloud.http._config import RetryPolicy
from omnicloud.http._models import HttpRequest
from omnicloud.http._redact import Redactor
from omnicloud.http._retry import send_with_retries

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = [
    "COMPUTE_SCOPES",
    "DEFAULT_SCOPES",
    "TOKEN_URI",
    "AccessToken",
    "Anonymous",
    "ServiceAccount",
    "TokenSource",
    "jwt_assertion",
    "load_service_account",
]

TOKEN_URI = "https://oauth2.googleapis.com/token"
DEFAULT_SCOPES = ("https://www.googleapis.com/auth/devstorage.full_control",)
COMPUTE_SCOPES = ("https://www.googleapis.com/auth/compute",)
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
LIFETIME = 3600  # seconds a signed assertion asks for (Google's maximum)


class TokenSource:
    """Where a request's bearer token comes from."""

    def token(self) -> Flow[str | None]:
        """The token to send (None: send no ``Authorization``)."""
        raise NotImplementedError
        yield  # pragma: no cover

    def can_renew(self, token: str | None) -> bool:
        """Whether a 401 to ``token`` is worth one new token."""
        return False

    def forget(self, token: str | None) -> None:
        """Drop ``token`` from the cache (it was refused)."""


class Anonymous(TokenSource):
    """No credentials (an emulator such as fake-gcs-server, or public buckets)."""

    def __repr__(self) -> str:
        return "Anonymous()"

    def token(self) -> Flow[str | None]:
        return None
        yield  # pragma: no cover


class AccessToken(TokenSource):
    """An OAuth2 access token given by the caller (``ex_token=``); never renewed."""

    def __init__(self, token: str, redactor: Redactor) -> None:
        if not token:
            raise ConfigurationError("ex_token must not be empty")
        self._token = token
        redactor.add(token)

    def __repr__(self) -> str:
        return "AccessToken(<hidden>)"

    def token(self) -> Flow[str | None]:
        return self._token
        yield  # pragma: no cover


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def jwt_assertion(
    private_key: Any,
    client_email: str,
    audience: str,
    scopes: tuple[str, ...],
    now: int,
    key_id: str | None = None,
) -> str:
    """The signed JWT a service account exchanges for an access token."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    header: dict[str, str] = {"alg": "RS256", "typ": "JWT"}
    if key_id:
        header["kid"] = key_id
    claims = {
        "iss": client_email,
        "scope": " ".join(scopes),
        "aud": audience,
        "iat": now,
        "exp": now + LIFETIME,
    }
    signing_input = (
        _b64url(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + _b64url(json.dumps(claims, separators=(",", ":")).encode())
    )
    signature = private_key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + _b64url(signature)


def _load_key(pem: str) -> Any:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(pem.encode("ascii", "replace"), password=None)
    except (ValueError, TypeError):
        raise ConfigurationError(
            "the service account's private key is not an unencrypted PEM key"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigurationError("the service account's private key must be an RSA key")
    return key


def load_service_account(source: str | os.PathLike[str] | Mapping[str, Any]) -> dict[str, Any]:
    """A service account key as a dict, from a dict, a JSON text or a JSON file's path."""
    if isinstance(source, Mapping):
        return dict(source)
    text = os.fspath(source)
    if not text.lstrip().startswith("{"):
        path = os.path.expanduser(text)
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as exc:
            raise ConfigurationError(
                f"cannot read the service account key file {path!r}: {exc.strerror}"
            ) from None
    try:
        info = json.loads(text)
    except ValueError:
        raise ConfigurationError("the service account key is not valid JSON") from None
    if not isinstance(info, dict):
        raise ConfigurationError("the service account key must be a JSON object")
    return info


class ServiceAccount(TokenSource):
    """Access tokens for a service account (its JSON key: ``client_email``, ``private_key``,
    ``private_key_id``, ``token_uri``, ``project_id``); ``provider`` names the driver in the
    errors a refused key raises (``google_storage``, ``gce``)."""

    def __init__(
        self,
        info: Mapping[str, Any],
        redactor: Redactor,
        retry: RetryPolicy,
        *,
        scopes: tuple[str, ...] = DEFAULT_SCOPES,
        refresh_margin: float = 300.0,
        private_key: str | None = None,
        provider: str = "google_storage",
    ) -> None:
        pem = private_key or info.get("private_key")
        email = info.get("client_email")
        if not isinstance(email, str) or not email:
            raise ConfigurationError("the service account key has no client_email")
        if not isinstance(pem, str) or not pem:
            raise ConfigurationError("the service account key has no private_key")
        redactor.add(pem, *_pem_lines(pem))
        self._key = _load_key(pem)
        self.client_email = email
        self.key_id = str(info.get("private_key_id") or "") or None
        self.project_id = str(info.get("project_id") or "") or None
        self.token_uri = str(info.get("token_uri") or TOKEN_URI)
        self.scopes = tuple(scopes)
        self.refresh_margin = refresh_margin
        self._redactor = redactor
        self._retry = retry
        self._provider = provider
        self._cached: tuple[str, float] | None = None  # token, monotonic expiry

    def __repr__(self) -> str:
        return f"ServiceAccount({self.client_email!r}, token_uri={self.token_uri!r})"

    def can_renew(self, token: str | None) -> bool:
        return True

    def forget(self, token: str | None) -> None:
        if self._cached is not None and self._cached[0] == token:
            self._cached = None

    def token(self) -> Flow[str | None]:
        cached = self._cached
        if cached is not None and time.monotonic() < cached[1] - self.refresh_margin:
            return cached[0]
        return (yield from self._fetch())

    def assertion(self, now: int | None = None) -> str:
        """A fresh signed JWT for the token endpoint."""
        issued = int(time.time()) if now is None else now
        return jwt_assertion(
            self._key, self.client_email, self.token_uri, self.scopes, issued, self.key_id
        )

    def _fetch(self) -> Flow[str]:
        started = time.monotonic()
        form = [("grant_type", JWT_GRANT), ("assertion", self.assertion())]
        request = HttpRequest(
            "POST", self.token_uri, form=form, operation="google oauth2 token",
            headers={"Accept": "application/json"}, idempotent=True,
        )  # fmt: skip
        response = yield from send_with_retries(request, self._retry)
        if response.status != 200:
            said = ""
            try:
                doc = response.json()
                if isinstance(doc, dict):
                    said = f"{doc.get('error', '')}: {doc.get('error_description', '')}".strip(": ")
            except MalformedResponseError:
                said = response.excerpt()
            message = self._redactor.text(f"google oauth2 token: HTTP {response.status} {said}")
            raise InvalidCredentialsError(
                message.strip(), status=response.status, provider=self._provider
            )
        doc = response.json()
        token = doc.get("access_token") if isinstance(doc, dict) else None
        if not isinstance(token, str) or not token:
            raise MalformedResponseError("google oauth2 token: the answer has no access_token")
        self._redactor.add(token)
        try:
            lifetime = float(doc.get("expires_in", LIFETIME))
        except (TypeError, ValueError):
            lifetime = float(LIFETIME)
        self._cached = (token, started + lifetime)
        return token


def _pem_lines(pem: str) -> list[str]:
    """The key's base64 lines, so that a piece of it is redacted too."""
    return [line for line in pem.splitlines() if len(line) >= 16 and "-----" not in line]
