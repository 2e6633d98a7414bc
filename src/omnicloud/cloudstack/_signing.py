"""CloudStack request parameters and signatures, exactly as the management server checks them.

The server (``ApiServer.verifyRequest``) sorts every parameter except ``signature`` by name,
case-sensitively, encodes each value like Java's ``URLEncoder`` with ``+`` turned into ``%20``,
joins ``name=value`` pairs with ``&``, lower-cases the whole string, and compares the Base64 of its
HMAC-SHA1 under the user's secret key.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping

from omnicloud.errors import ValidationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any

__all__ = [
    "EXPIRES_FORMAT",
    "encode_value",
    "expires_after",
    "query_string",
    "sign",
    "string_to_sign",
    "transform_params",
]

EXPIRES_FORMAT = "%Y-%m-%dT%H:%M:%S+0000"
_UNRESERVED = re.compile(r"[A-Za-z0-9._*-]*")
# what urllib.parse.quote_plus leaves as it is
_PLUS_SAFE = re.compile(r"[A-Za-z0-9._~-]*")


@functools.cache
def _quote() -> Callable[..., str]:
    """``urllib.parse.quote``, imported on first use (keeps ``import`` cheap, calls fast)."""
    from urllib.parse import quote

    return quote


@functools.cache
def _crypto() -> tuple[Callable[..., bytes], Callable[..., bytes]]:
    """``hmac.digest`` and ``binascii.b2a_base64``, imported on first use."""
    import binascii
    import hmac

    return hmac.digest, binascii.b2a_base64


def encode_value(value: str) -> str:
    """Percent-encode ``value`` like Java's ``URLEncoder.encode(value, "UTF-8")`` (space: ``%20``).

    Java leaves ``A-Z a-z 0-9 . - * _`` alone; Python's ``quote`` also keeps ``~``, so escape it.
    """
    if _UNRESERVED.fullmatch(value):
        return value
    return _quote()(value, safe="*").replace("~", "%7E")


def query_string(pairs: Iterable[tuple[str, str]]) -> str:
    """``urllib.parse.urlencode(pairs)``, quoting only the parts that need it (most need not)."""
    from urllib.parse import quote_plus

    def encoded(text: str) -> str:
        return text if _PLUS_SAFE.fullmatch(text) else quote_plus(text)

    return "&".join(f"{encoded(name)}={encoded(value)}" for name, value in pairs)


def string_to_sign(params: Mapping[str, str]) -> str:
    """The lower-cased canonical query the signature covers (``signature`` itself excluded)."""
    pairs = sorted((name, value) for name, value in params.items() if name != "signature")
    return "&".join(f"{name}={encode_value(value)}" for name, value in pairs).lower()


def sign(params: Mapping[str, str], secret: str) -> str:
    """Base64 HMAC-SHA1 signature of ``params`` under ``secret``."""
    hmac_digest, to_base64 = _crypto()
    digest = hmac_digest(secret.encode("utf-8"), string_to_sign(params).encode("utf-8"), "sha1")
    return to_base64(digest, newline=False).decode("ascii")


def expires_after(seconds: float, now: datetime | None = None) -> str:
    """The ``expires`` value for a request valid ``seconds`` from ``now`` (UTC)."""
    from datetime import UTC, datetime, timedelta

    moment = (now or datetime.now(UTC)) + timedelta(seconds=seconds)
    return moment.astimezone(UTC).strftime(EXPIRES_FORMAT)


def _scalar(name: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    raise ValidationError(f"parameter {name!r}: cannot send a value of type {type(value).__name__}")


def _is_mapping_list(value: Iterable[Any]) -> bool:
    items = list(value)
    return bool(items) and all(isinstance(item, Mapping) for item in items)


def transform_params(params: Mapping[str, Any]) -> dict[str, str]:
    """Turn Python values into CloudStack's flat string parameters.

    ``None`` is dropped; booleans become ``true``/``false``; numbers and bytes become text; a list,
    tuple or set of scalars is comma-joined (an empty one is dropped); a dict, or a list of dicts,
    becomes indexed map parameters ``name[0].key=value``. The empty string is kept.
    """
    flat: dict[str, str] = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, Mapping):
            value = [value]
        if isinstance(value, list | tuple | set | frozenset):
            items = list(value)
            if not items:
                continue
            if _is_mapping_list(items):
                for index, entry in enumerate(items):
                    for key, sub in entry.items():
                        if sub is not None:
                            flat[f"{name}[{index}].{key}"] = _scalar(f"{name}[{index}].{key}", sub)
                continue
            if any(isinstance(item, Mapping) for item in items):
                raise ValidationError(f"parameter {name!r}: cannot mix maps and plain values")
            flat[name] = ",".join(_scalar(name, item) for item in items)
            continue
        flat[name] = _scalar(name, value)
    return flat
