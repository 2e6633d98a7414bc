"""RS256 JSON Web Tokens, just enough for Google's service-account flows.

:func:`verify` checks the signature with a public key and returns the header and claims;
:func:`sign` makes one (tests and the token endpoint's own use). Claims are checked by the
caller. Nothing here logs or repeats a token.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

__all__ = ["InvalidToken", "sign", "verify"]


class InvalidToken(Exception):  # noqa: N818 - an outcome, answered as 401
    """The token is malformed or its signature does not match (never carries the token)."""


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InvalidToken("a JWT part is not base64url") from None


def _part(text: str) -> dict[str, Any]:
    try:
        value = json.loads(_b64decode(text))
    except (UnicodeDecodeError, ValueError):
        raise InvalidToken("a JWT part is not JSON") from None
    if not isinstance(value, dict):
        raise InvalidToken("a JWT part is not a JSON object")
    return value


def sign(claims: dict[str, Any], key: rsa.RSAPrivateKey, kid: str | None = None) -> str:
    """An RS256 JWT of ``claims`` signed with ``key``."""
    header: dict[str, Any] = {"alg": "RS256", "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    head = _b64encode(json.dumps(header, separators=(",", ":")).encode())
    body = _b64encode(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{head}.{body}".encode("ascii")
    signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{body}.{_b64encode(signature)}"


def verify(token: str, key: rsa.RSAPublicKey) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) of an RS256 ``token`` whose signature ``key`` verifies."""
    parts = token.split(".")
    if len(parts) != 3 or not token.isascii():
        raise InvalidToken("not a JWT")
    header, claims = _part(parts[0]), _part(parts[1])
    if header.get("alg") != "RS256":
        raise InvalidToken("the JWT is not RS256")
    try:
        key.verify(
            _b64decode(parts[2]),
            f"{parts[0]}.{parts[1]}".encode("ascii"),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except InvalidSignature:
        raise InvalidToken("the JWT signature does not verify") from None
    return header, claims
