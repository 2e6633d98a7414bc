"""CRC32C: known vectors, the pure-Python tables against the C package, running sums."""

from __future__ import annotations

import os

import pytest

from omnicloud.gcp import _crc32c
from omnicloud.gcp._crc32c import Crc32c, crc32c, crc32c_pure, from_base64, to_base64

# RFC 3720 (iSCSI), appendix B.4, and the check value of the CRC catalogue.
VECTORS = [
    (b"123456789", 0xE3069283),
    (b"", 0x00000000),
    (b"a", 0xC1D04330),
    (bytes(32), 0x8A9136AA),
    (b"\xff" * 32, 0x62A8AB43),
    (bytes(range(32)), 0x46DD794E),
    (bytes(range(31, -1, -1)), 0x113FDB5C),
]


@pytest.mark.parametrize(("data", "expected"), VECTORS)
def test_known_vectors_both_implementations(data: bytes, expected: int) -> None:
    assert crc32c_pure(data) == expected
    assert crc32c(data) == expected


def test_pure_tables_agree_with_the_package_on_odd_lengths_and_splits() -> None:
    for size in (1, 7, 8, 9, 63, 64, 65, 1000, 4099):
        data = os.urandom(size)
        whole = crc32c(data)
        assert crc32c_pure(data) == whole, size
        for cut in (0, 1, size // 3, size - 1):
            assert crc32c_pure(data[cut:], crc32c_pure(data[:cut])) == whole
        running = Crc32c()
        for start in range(0, size, 5):
            running.update(memoryview(data)[start : start + 5])
        assert running.value == whole


def test_the_c_package_is_used_when_installed() -> None:
    try:
        import google_crc32c
    except ImportError:
        assert _crc32c.FAST is False
    else:
        assert _crc32c.FAST is (google_crc32c.implementation == "c")


def test_base64_notation_is_big_endian() -> None:
    # Cloud Storage's crc32c of "hello" (as fake-gcs-server and GCS report it)
    assert to_base64(crc32c(b"hello")) == "mnG7TA=="
    assert from_base64("mnG7TA==") == crc32c(b"hello")
    with pytest.raises(ValueError):
        from_base64("AAAA")
