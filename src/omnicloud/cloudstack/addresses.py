"""Address helpers shared by every CloudStack driver family (compute, load balancer)."""

from __future__ import annotations

__all__ = ["is_private"]

_PRIVATE_V4 = ("10.", "192.168.", "169.254.", "127.")
_PRIVATE_V6 = ("fc", "fd", "fe80")


def is_private(address: str) -> bool:
    """RFC 1918 / link-local / ULA addresses (a fast prefix test, no parsing)."""
    first = address[:1]
    if first == "1":  # every private IPv4 prefix starts so
        if address.startswith(_PRIVATE_V4):
            return True
        if address.startswith("172."):
            second = address[4:7].split(".", 1)[0]
            return second.isdigit() and 16 <= int(second) <= 31
        return False
    if first == "f" or first == "F":
        return address.lower().startswith(_PRIVATE_V6)
    return False
