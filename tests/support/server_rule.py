"""An independent implementation of CloudStack's server-side signature check, for tests.

Written from the server's rule (ApiServer.verifyRequest + java.net.URLEncoder), byte by byte,
without using omnicloud's signing code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

_JAVA_UNRESERVED = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-*_")


def java_url_encode(value: str) -> str:
    """java.net.URLEncoder.encode(value, "UTF-8")."""
    out = []
    for byte in value.encode("utf-8"):
        if byte in _JAVA_UNRESERVED:
            out.append(chr(byte))
        elif byte == 0x20:
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def server_signature(params: dict[str, str], secret: str) -> str:
    """The signature the management server expects for ``params`` (``signature`` ignored)."""
    names = sorted(name for name in params if name != "signature")
    pieces = [name + "=" + java_url_encode(params[name]).replace("+", "%20") for name in names]
    text = "&".join(pieces).lower()
    mac = hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def verify(params: dict[str, str], secret: str) -> bool:
    """Whether ``params`` carry a valid signature for ``secret``."""
    given = params.get("signature", "")
    return hmac.compare_digest(given, server_signature(params, secret))
