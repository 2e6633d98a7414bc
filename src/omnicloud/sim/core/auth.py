"""The authentication hook: how a simulator learns who is calling.

An :class:`Authenticator` looks at what a request carries (:class:`Credentials`: lower-cased
headers, parameters, the time) and returns the simulator's principal, or None when the request
is not authenticated; the simulator then answers with its own 401 document. The hook is the
only place that knows secrets: CloudStack's request signatures live beside its simulator (on the
shared signing code), HTTP Basic for any simulator is :class:`BasicAuth` here.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

__all__ = ["Authenticator", "BasicAuth", "Credentials"]

P_co = TypeVar("P_co", covariant=True)


@dataclass(frozen=True, slots=True)
class Credentials:
    """What an authenticator may look at: headers (names lower-cased), parameters, the time."""

    headers: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, str] = field(default_factory=dict)
    now: float = 0.0


class Authenticator(Protocol[P_co]):
    """Who sent a request: a principal, or None when it is not authenticated."""

    def authenticate(self, request: Credentials) -> P_co | None:
        """The principal of ``request``, or None."""
        ...


class BasicAuth:
    """HTTP Basic against one account: ``accounts()`` gives the (username, password) to accept.

    Compared as UTF-8 bytes in constant time; a header that is not ``Basic <base64>`` (non-ASCII,
    bad padding, no colon) never matches. The principal is the username.
    """

    __slots__ = ("_accounts",)

    def __init__(self, accounts: Callable[[], tuple[str, str]]) -> None:
        self._accounts = accounts

    def authenticate(self, request: Credentials) -> str | None:
        """The username when the ``Authorization`` header matches, else None."""
        return self.check(request.headers.get("authorization", ""))

    def check(self, header: str) -> str | None:
        """The username when the ``Authorization`` header value matches, else None."""
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(token.strip(), validate=True)
        except ValueError:  # binascii.Error, or non-ASCII characters in the token
            return None
        user, colon, password = decoded.partition(b":")
        name, secret = self._accounts()
        user_ok = hmac.compare_digest(user, name.encode("utf-8"))
        password_ok = hmac.compare_digest(password, secret.encode("utf-8"))
        return name if colon and user_ok and password_ok else None
