"""API-key request authentication exactly as ``ApiServer.verifyRequest`` does it.

The canonical string is built as :func:`omnicloud.cloudstack._signing.string_to_sign` builds it,
with the encoding of short values remembered and the HMAC key pads of each secret computed once:
most requests repeat the values (ids, the expiry) and secret of the ones before.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from omnicloud.cloudstack._signing import encode_value

from ..core.auth import Credentials
from ._call import Caller

if TYPE_CHECKING:
    from ._state import CloudStackState

__all__ = ["SignatureAuth", "canonical", "parse_expires", "pick", "signature"]

_EXPIRES_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%dT%H:%M:%SZ%z",
)


def pick(params: Mapping[str, str], name: str) -> str | None:
    """The value of ``name``, matching the parameter name case-insensitively."""
    if name in params:
        return params[name]
    lowered = name.lower()
    for key, value in params.items():
        if key.lower() == lowered:
            return value
    return None


@functools.lru_cache(maxsize=1024)  # clients send the same expiry for a second or more
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


_SHORT_VALUE = 256  # values up to this length have their encoding remembered
_BLOCK = 64  # SHA-1's block size, the HMAC key length
_IPAD = bytes(byte ^ 0x36 for byte in range(256))
_OPAD = bytes(byte ^ 0x5C for byte in range(256))


@functools.lru_cache(maxsize=8192)
def _encoded_short(value: str) -> str:
    return encode_value(value)


def canonical(params: Mapping[str, str]) -> str:
    """The lower-cased, sorted, Java-encoded query the signature covers (``signature`` left out)."""
    short, encode = _SHORT_VALUE, _encoded_short
    return "&".join(
        [
            f"{name}={encode(value) if len(value) <= short else encode_value(value)}"
            for name, value in sorted(params.items())
            if name != "signature"
        ]
    ).lower()


@functools.lru_cache(maxsize=64)
def _pads(secret: str) -> tuple[hashlib._Hash, hashlib._Hash]:
    """SHA-1 states after the inner and outer HMAC key pads of ``secret`` (RFC 2104)."""
    key = secret.encode("utf-8")
    if len(key) > _BLOCK:
        key = hashlib.sha1(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return hashlib.sha1(key.translate(_IPAD)), hashlib.sha1(key.translate(_OPAD))


def signature(text: str, secret: str) -> str:
    """Base64 HMAC-SHA1 of ``text`` under ``secret``."""
    inner_pad, outer_pad = _pads(secret)
    inner = inner_pad.copy()
    inner.update(text.encode("utf-8"))
    outer = outer_pad.copy()
    outer.update(inner.digest())
    return base64.b64encode(outer.digest()).decode("ascii")


def _signature_matches(params: Mapping[str, str], secret: str, given: str, lenient: bool) -> bool:
    """Constant-time comparison of bytes: ``compare_digest`` rejects non-ASCII ``str``."""
    sent = given.replace(" ", "+").encode("utf-8", "replace")
    text = canonical(params)
    if hmac.compare_digest(signature(text, secret).encode("ascii"), sent):
        return True
    if lenient and any("~" in value for name, value in params.items() if name != "signature"):
        return hmac.compare_digest(
            signature(text.replace("%7e", "~"), secret).encode("ascii"), sent
        )
    return False


class SignatureAuth:
    """The simulator's :class:`~omnicloud.sim.core.auth.Authenticator`: ``apiKey`` and
    ``signature`` checked as ``ApiServer.verifyRequest`` does; the principal is the caller.

    ``commands`` are the names a request may call (anything else fails authentication, as on
    the server); ``lenient_tilde()`` says whether ``~`` signed unencoded is accepted too.
    """

    __slots__ = ("_commands", "_lenient", "_state")

    def __init__(
        self,
        state: CloudStackState,
        commands: Collection[str],
        lenient_tilde: Callable[[], bool] = lambda: False,
    ) -> None:
        self._state = state
        self._commands = commands
        self._lenient = lenient_tilde

    def authenticate(self, request: Credentials) -> Caller | None:
        """The caller a signed request belongs to, or None."""
        params = request.params
        command = pick(params, "command")
        api_key = pick(params, "apiKey")
        given = pick(params, "signature")
        if not command or command not in self._commands or not api_key or not given:
            return None
        if (pick(params, "signatureVersion") or "").strip() == "3":
            expires_text = pick(params, "expires")
            expires = parse_expires(expires_text) if expires_text else None
            if expires is None or expires.timestamp() < request.now:
                return None
        state = self._state
        user = state.store.user_by_key(api_key)
        if user is None:
            return None
        user_id, account_id, username, secret = user
        if not _signature_matches(params, secret, given, self._lenient()):
            return None
        account = state.account(account_id)
        if account is None or account.get("state") != "enabled":
            return None
        return Caller(
            user_id=user_id,
            username=username,
            account_id=account_id,
            account=account["name"],
            is_admin=account["accounttype"] == 1,
            domain_id=account["domainid"],
            domain=account["domain"],
        )
