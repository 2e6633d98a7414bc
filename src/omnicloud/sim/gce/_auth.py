"""Who may call: OAuth access tokens from ``POST /token`` (the JWT-bearer grant signed with the
service account's key) and self-signed JWTs, as google-auth sends them."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qs

from ..core.tokens import token_digest
from ._jwt import InvalidToken, verify
from ._state import GceState

__all__ = ["COMPUTE_AUDIENCE", "TOKEN_TTL", "TokenError", "authorized", "grant"]

COMPUTE_AUDIENCE = "https://compute.googleapis.com/"
TOKEN_TTL = 3600
_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_SKEW = 300
_SEEN_MAX = 1024


class TokenError(Exception):
    """A refused token request: the OAuth ``error`` code and description."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def _claims(state: GceState, token: str, now: float) -> tuple[dict[str, Any], dict[str, Any]]:
    header, claims = verify(token, state.public_key)
    kid = header.get("kid")
    if kid is not None and kid != state.private_key_id:
        raise InvalidToken("unknown key id")
    if claims.get("iss") != state.client_email:
        raise InvalidToken("wrong issuer")
    exp, iat = claims.get("exp"), claims.get("iat", now)
    if not isinstance(exp, (int, float)) or not isinstance(iat, (int, float)):
        raise InvalidToken("no expiry")
    if exp < now - _SKEW or iat > now + _SKEW or exp - iat > TOKEN_TTL + _SKEW:
        raise InvalidToken("expired")
    return header, claims


def grant(state: GceState, body: bytes, origin: str, now: float) -> dict[str, Any]:
    """Answer ``POST /token``: an access token for a valid JWT-bearer assertion."""
    form = parse_qs(body.decode("utf-8", "replace"))
    if form.get("grant_type", [""])[-1] != _GRANT:
        raise TokenError("unsupported_grant_type", "Invalid grant_type.")
    assertion = form.get("assertion", [""])[-1]
    try:
        _, claims = _claims(state, assertion, now)
    except InvalidToken:
        raise TokenError("invalid_grant", "Invalid JWT Signature.") from None
    audience = claims.get("aud")
    accepted = {f"{origin}/token", "https://oauth2.googleapis.com/token"}
    if audience not in accepted:
        raise TokenError("invalid_grant", "Invalid JWT: Token must be a short-lived token.")
    token = "ya29.sim-" + secrets.token_urlsafe(48)
    state.store.purge_tokens(now)
    state.store.put_token(token_digest(token), now + TOKEN_TTL)
    return {"access_token": token, "expires_in": TOKEN_TTL, "token_type": "Bearer"}


def authorized(
    state: GceState, header: str, now: float, seen: dict[str, float] | None = None
) -> bool | None:
    """Whether an ``Authorization`` header is acceptable; None when there is none.

    ``seen`` remembers self-signed JWTs already verified (by digest, with their expiry), so a
    client reusing its JWT for an hour costs one signature check.
    """
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if not header:
        return None
    if scheme.lower() != "bearer" or not token:
        return False
    digest = token_digest(token)
    if token.count(".") != 2:
        expires = state.store.token_expiry(digest)
        return expires is not None and expires > now
    if seen is not None and digest in seen:
        return seen[digest] > now - _SKEW
    try:
        _, claims = _claims(state, token, now)
    except InvalidToken:
        return False
    audience = claims.get("aud")
    scope = claims.get("scope")
    valid = audience == COMPUTE_AUDIENCE or (
        audience is None and isinstance(scope, str) and bool(scope.strip())
    )
    if valid and seen is not None:
        if len(seen) >= _SEEN_MAX:
            seen.clear()
        seen[digest] = float(claims["exp"])
    return valid
