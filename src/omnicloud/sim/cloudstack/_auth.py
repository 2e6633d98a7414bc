"""API-key request authentication exactly as ``ApiServer.verifyRequest`` does it."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import TYPE_CHECKING

from omnicloud.cloudstack._signing import sign, string_to_sign

from ._call import Caller
from ._errors import AuthError
from ._registry import COMMANDS

if TYPE_CHECKING:
    from ._state import CloudStackState

__all__ = ["authenticate", "parse_expires", "pick"]

_EXPIRES_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%dT%H:%M:%SZ%z",
)


def pick(params: dict[str, str], name: str) -> str | None:
    """The value of ``name``, matching the parameter name case-insensitively."""
    if name in params:
        return params[name]
    lowered = name.lower()
    for key, value in params.items():
        if key.lower() == lowered:
            return value
    return None


def parse_expires(value: str) -> datetime | None:
    """Parse ``expires`` like ``DateUtil.parseTZDateString``; None when it has no zone or is bad."""
    text = value.strip()
    for fmt in _EXPIRES_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if parsed.tzinfo is not None:
            return parsed
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _signature_matches(params: dict[str, str], secret: str, given: str, lenient: bool) -> bool:
    given = given.replace(" ", "+")
    if hmac.compare_digest(sign(params, secret), given):
        return True
    if lenient and any("~" in value for value in params.values()):
        text = string_to_sign(params).replace("%7e", "~")
        import base64
        import hashlib

        digest = hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha1).digest()
        return hmac.compare_digest(base64.b64encode(digest).decode("ascii"), given)
    return False


def authenticate(
    state: CloudStackState, params: dict[str, str], now: float, *, lenient_tilde: bool = False
) -> Caller:
    """The caller a signed request belongs to, or ``AuthError`` (HTTP 401)."""
    command = pick(params, "command")
    api_key = pick(params, "apiKey")
    signature = pick(params, "signature")
    if not command or command not in COMMANDS or not api_key or not signature:
        raise AuthError()
    if (pick(params, "signatureVersion") or "").strip() == "3":
        expires_text = pick(params, "expires")
        expires = parse_expires(expires_text) if expires_text else None
        if expires is None or expires.timestamp() < now:
            raise AuthError()
    user = state.store.user_by_key(api_key)
    if user is None:
        raise AuthError()
    user_id, account_id, username, secret = user
    signed = {key: value for key, value in params.items() if key != "signature"}
    if not _signature_matches(signed, secret, signature, lenient_tilde):
        raise AuthError()
    account = state.account(account_id)
    if account is None or account.get("state") != "enabled":
        raise AuthError()
    return Caller(
        user_id=user_id,
        username=username,
        account_id=account_id,
        account=account["name"],
        is_admin=account["accounttype"] == 1,
        domain_id=account["domainid"],
        domain=account["domain"],
    )
