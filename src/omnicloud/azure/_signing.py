"""Azure Storage Shared Key signatures (Blob, Queue and File services, version 2009-09-19 and
later) and shared access signatures, from Microsoft's REST reference ("Authorize with Shared Key",
"Create a service SAS", "Create an account SAS").

The string to sign is the verb, eleven standard headers (``Content-Length`` empty when zero),
the canonicalized ``x-ms-*`` headers and the canonicalized resource, each on its own line; the
signature is the base64 HMAC-SHA256 of its UTF-8 bytes under the base64-decoded account key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, quote, urlsplit

from omnicloud.errors import ConfigurationError

__all__ = [
    "DEV_ACCOUNT",
    "DEV_KEY",
    "SAS_VERSION",
    "account_sas",
    "blob_sas",
    "canonicalized_headers",
    "canonicalized_resource",
    "decode_key",
    "http_date",
    "shared_key_authorization",
    "string_to_sign",
]

#: The storage emulator's well-known account and key (published by Microsoft for Azurite).
DEV_ACCOUNT = "devstoreaccount1"
DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
#: The ``sv`` of the signatures made here (its string to sign has no encryption scope line).
SAS_VERSION = "2018-11-09"

#: The standard headers of the string to sign, in order, after the verb.
_STANDARD = (
    "content-encoding",
    "content-language",
    "content-length",
    "content-md5",
    "content-type",
    "date",
    "if-modified-since",
    "if-match",
    "if-none-match",
    "if-unmodified-since",
    "range",
)


def decode_key(key: str) -> bytes:
    """The account key's bytes; a key that is not base64 raises (without showing it)."""
    try:
        return base64.b64decode(key.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigurationError("the Azure account key (secret) is not valid base64") from None


def http_date(when: float | None = None) -> str:
    """An RFC 1123 date in GMT, as ``x-ms-date`` wants it."""
    from email.utils import formatdate

    return formatdate(when, usegmt=True)


def canonicalized_headers(headers: Mapping[str, str]) -> str:
    """Every ``x-ms-`` header, lower-cased, sorted, its value unfolded and trimmed, one a line."""
    found: dict[str, str] = {}
    for name, value in headers.items():
        lowered = name.strip().lower()
        if lowered.startswith("x-ms-"):
            found[lowered] = " ".join(str(value).split())
    return "".join(f"{name}:{found[name]}\n" for name in sorted(found))


def canonicalized_resource(account: str, url: str) -> str:
    """``/account`` + the URL's encoded path, then each query parameter on its own line as
    ``name:value[,value]`` (names lower-cased and sorted, values decoded and sorted)."""
    parts = urlsplit(url)
    resource = f"/{account}{parts.path or '/'}"
    params: dict[str, list[str]] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        params.setdefault(name.lower(), []).append(value)
    for name in sorted(params):
        resource += f"\n{name}:{','.join(sorted(params[name]))}"
    return resource


def string_to_sign(method: str, url: str, headers: Mapping[str, str], account: str) -> str:
    """The Shared Key string to sign for a request (``headers`` as they will be sent)."""
    lowered = {name.lower(): str(value) for name, value in headers.items()}
    values = []
    for name in _STANDARD:
        value = lowered.get(name, "")
        if name == "content-length" and value == "0":
            value = ""  # version 2015-02-21 and later: empty, not 0
        if name == "date" and "x-ms-date" in lowered:
            value = ""
        values.append(value)
    return (
        method.upper()
        + "\n"
        + "\n".join(values)
        + "\n"
        + canonicalized_headers(headers)
        + canonicalized_resource(account, url)
    )


def _hmac(key: bytes, text: str) -> str:
    digest = hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def shared_key_authorization(
    method: str, url: str, headers: Mapping[str, str], account: str, key: bytes
) -> str:
    """The ``Authorization`` header value: ``SharedKey account:signature``."""
    return f"SharedKey {account}:{_hmac(key, string_to_sign(method, url, headers, account))}"


def _query(pairs: Iterable[tuple[str, str]]) -> str:
    return "&".join(f"{name}={quote(value, safe='')}" for name, value in pairs if value)


def blob_sas(
    account: str,
    key: bytes,
    container: str,
    blob: str | None,
    *,
    permissions: str,
    expiry: str,
    start: str = "",
    protocol: str = "",
    ip: str = "",
) -> str:
    """A service SAS query string (no ``?``) for a blob, or for a container when ``blob`` is
    None (``sr=b`` / ``sr=c``), signed with the account key (``sv`` :data:`SAS_VERSION`)."""
    resource = f"/blob/{account}/{container}" + (f"/{blob}" if blob is not None else "")
    kind = "b" if blob is not None else "c"
    signed = "\n".join(
        [permissions, start, expiry, resource, "", ip, protocol, SAS_VERSION, kind, "", "", "", "",
         "", ""]
    )  # fmt: skip
    return _query(
        [
            ("sv", SAS_VERSION),
            ("st", start),
            ("se", expiry),
            ("sr", kind),
            ("sp", permissions),
            ("sip", ip),
            ("spr", protocol),
            ("sig", _hmac(key, signed)),
        ]
    )


def account_sas(
    account: str,
    key: bytes,
    *,
    permissions: str,
    expiry: str,
    services: str = "b",
    resource_types: str = "sco",
    start: str = "",
    protocol: str = "",
    ip: str = "",
) -> str:
    """An account SAS query string (no ``?``) signed with the account key."""
    signed = "\n".join(
        [account, permissions, services, resource_types, start, expiry, ip, protocol, SAS_VERSION,
         ""]
    )  # fmt: skip
    return _query(
        [
            ("sv", SAS_VERSION),
            ("ss", services),
            ("srt", resource_types),
            ("sp", permissions),
            ("st", start),
            ("se", expiry),
            ("sip", ip),
            ("spr", protocol),
            ("sig", _hmac(key, signed)),
        ]
    )
