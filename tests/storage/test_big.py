"""Large streamed round trips with matching hashes; data is generated on the fly, never held.

Sizes: local 1 GiB; S3 (moto) ``OMNICLOUD_BIG_S3_MIB`` (default 1024). Both run in CI.
"""

from __future__ import annotations

import hashlib
import os
import resource
import time
from collections.abc import Iterator
from pathlib import Path

from omnicloud.storage.drivers.local import LocalStorageDriver
from omnicloud.storage.drivers.s3 import S3StorageDriver
from tests.storage.conftest import S3Server, unique

MIB = 1024 * 1024
S3_MIB = int(os.environ.get("OMNICLOUD_BIG_S3_MIB", "1024"))


class Generated:
    """An iterator of ``total`` pseudo-random bytes that hashes what it hands out."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.md5 = hashlib.md5()
        self.blocks = [hashlib.sha512(bytes([i])).digest() * (MIB // 64) for i in range(7)]

    def __iter__(self) -> Iterator[bytes]:
        sent = 0
        index = 0
        while sent < self.total:
            block = self.blocks[index % 7][: self.total - sent]
            index += 1
            sent += len(block)
            self.md5.update(block)
            yield block


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_local_one_gib_round_trip(tmp_path: Path) -> None:
    driver = LocalStorageDriver(str(tmp_path / "root"))
    container = driver.create_container("big")
    data = Generated(1024 * MIB)
    obj = driver.upload_object_via_stream(iter(data), container, "one-gib")
    assert obj.size == 1024 * MIB
    assert obj.hash == data.md5.hexdigest()
    received = hashlib.md5()
    for chunk in driver.download_object_as_stream(obj):
        received.update(chunk)
    assert received.hexdigest() == data.md5.hexdigest()
    driver.delete_object(obj)


def test_s3_big_round_trip(moto_server: S3Server) -> None:
    driver = S3StorageDriver(
        moto_server.key, moto_server.secret, endpoint=moto_server.endpoint, concurrency=4
    )
    container = driver.create_container(unique("big"))
    data = Generated(S3_MIB * MIB)
    started = time.monotonic()
    obj = driver.upload_object_via_stream(iter(data), container, "big-object")
    uploaded = time.monotonic()
    assert obj.size == S3_MIB * MIB
    received = hashlib.md5()
    size = 0
    for chunk in driver.download_object_as_stream(driver.get_object(container.name, obj.name)):
        received.update(chunk)
        size += len(chunk)
    done = time.monotonic()
    assert size == S3_MIB * MIB
    assert received.hexdigest() == data.md5.hexdigest()
    print(
        f"\nS3 {S3_MIB} MiB: upload {uploaded - started:.1f} s, download {done - uploaded:.1f} s,"
        f" peak RSS {rss_mib():.0f} MiB"
    )
    driver.delete_object(obj)
    driver.delete_container(container)
