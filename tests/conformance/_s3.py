"""The S3 driver as a storage conformance subject, on any S3 server the tests start."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from omnicloud.storage.drivers.s3 import AsyncS3StorageDriver, S3StorageDriver
from tests.storage.conftest import S3Server

from ._twin import Subject, open_subject
from .storage import StorageCaps

__all__ = ["CAPS", "s3_subject"]


def _small_pages(driver: Any) -> None:
    driver._ops.page_size = 2  # ListObjectsV2 pages of two: continuation tokens get used


# S3 keys are opaque strings: ``a/../b`` is stored and fetched as exactly that key.
CAPS = StorageCaps(dot_segments="exact", small_pages=_small_pages)


def s3_subject(
    mode: str, server: S3Server, portal: Any
) -> AbstractContextManager[Subject[StorageCaps]]:
    """The conformance subject for the S3 driver on ``server``."""

    def make(asynchronous: bool) -> Any:
        cls = AsyncS3StorageDriver if asynchronous else S3StorageDriver
        return cls(server.key, server.secret, endpoint=server.endpoint, region=server.region)

    return open_subject(mode, make, CAPS, portal)
