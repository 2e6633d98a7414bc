"""CRC32C (Castagnoli), the checksum Cloud Storage keeps for every object.

:func:`crc32c` uses the ``google-crc32c`` package when it is installed (C, hardware CRC
instructions: gigabytes per second) and otherwise a table-driven implementation written here
(slicing by 8 bytes, pure Python: a few MB/s, see ``docs/gcs.md``). :data:`FAST` says which one
is in use; the driver checks CRC32C on large transfers only when it is fast, MD5 always.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

__all__ = ["FAST", "Crc32c", "crc32c", "crc32c_pure", "from_base64", "to_base64"]

_POLY = 0x82F63B78  # the Castagnoli polynomial, bit-reversed


def _tables() -> list[list[int]]:
    first = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
        first.append(crc)
    tables = [first]
    for _ in range(7):
        prev = tables[-1]
        tables.append([(prev[i] >> 8) ^ first[prev[i] & 0xFF] for i in range(256)])
    return tables


_T: list[list[int]] | None = None


def crc32c_pure(data: bytes | bytearray | memoryview, value: int = 0) -> int:
    """CRC32C of ``data`` continuing from ``value`` (the CRC of the bytes before), in Python."""
    global _T
    if _T is None:
        _T = _tables()
    t0, t1, t2, t3, t4, t5, t6, t7 = _T
    crc = value ^ 0xFFFFFFFF
    view = memoryview(data).cast("B")
    length = len(view)
    whole = length - length % 8
    words = view[:whole].cast("Q") if whole else ()
    for word in words:  # little-endian 64-bit words: eight table look-ups per word
        low = (word & 0xFFFFFFFF) ^ crc
        high = word >> 32
        crc = (
            t7[low & 0xFF]
            ^ t6[(low >> 8) & 0xFF]
            ^ t5[(low >> 16) & 0xFF]
            ^ t4[low >> 24]
            ^ t3[high & 0xFF]
            ^ t2[(high >> 8) & 0xFF]
            ^ t1[(high >> 16) & 0xFF]
            ^ t0[high >> 24]
        )
    for byte in view[whole:]:
        crc = (crc >> 8) ^ t0[(crc ^ byte) & 0xFF]
    return crc ^ 0xFFFFFFFF


def _load() -> tuple[Callable[[bytes | bytearray | memoryview, int], int], bool]:
    import importlib

    try:
        google_crc32c: Any = importlib.import_module("google_crc32c")  # optional, untyped here
    except ImportError:
        return crc32c_pure, False
    if getattr(google_crc32c, "implementation", "c") != "c":
        return crc32c_pure, False  # its pure-Python fallback: the C extension is the point

    def fast(data: bytes | bytearray | memoryview, value: int = 0) -> int:
        return int(
            google_crc32c.extend(value, bytes(data) if isinstance(data, memoryview) else data)
        )

    return fast, True


_impl, FAST = _load()


def crc32c(data: bytes | bytearray | memoryview, value: int = 0) -> int:
    """CRC32C of ``data`` continuing from ``value``: ``crc32c(b"123456789") == 0xE3069283``."""
    return _impl(data, value)


class Crc32c:
    """A running CRC32C: ``update`` pieces in order, then ``value`` or ``base64``."""

    __slots__ = ("value",)

    def __init__(self, value: int = 0) -> None:
        self.value = value

    def update(self, piece: bytes | bytearray | memoryview) -> None:
        self.value = _impl(piece, self.value)

    def base64(self) -> str:
        return to_base64(self.value)


def to_base64(value: int) -> str:
    """The notation of Cloud Storage (``crc32c`` field, ``x-goog-hash``): big-endian, base64."""
    return base64.b64encode(value.to_bytes(4, "big")).decode("ascii")


def from_base64(text: str) -> int:
    """The integer of a base64 CRC32C (``ValueError`` when it is not 4 bytes)."""
    raw = base64.b64decode(text, validate=True)
    if len(raw) != 4:
        raise ValueError(f"a CRC32C is 4 bytes, not {len(raw)}")
    return int.from_bytes(raw, "big")
