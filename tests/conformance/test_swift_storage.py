"""The OpenStack Swift storage driver (sync and async) passes the storage conformance suite on
a real Swift (Debian's packages, ``scripts/services/swift.sh``), authenticated with Swift's own
auth v1.0 (tempauth), as Libcloud's ``ex_force_auth_url``/``ex_force_auth_version`` say."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omnicloud.storage.drivers.swift import (
    AsyncOpenStackSwiftStorageDriver,
    OpenStackSwiftStorageDriver,
)
from tests.support.s3servers import S3Server

from ._twin import MODES, Subject, open_subject
from .storage import StorageCaps, TestStorageConformance

__all__ = ["TestStorageConformance"]


def _small_pages(driver: Any) -> None:
    driver._ops.page_size = 2  # listings of two: the marker gets used


# Swift names are opaque: ``a/../b`` is stored and fetched as exactly that name.
CAPS = StorageCaps(dot_segments="exact", small_pages=_small_pages)


@pytest.fixture(params=MODES)
def storage_driver(
    request: pytest.FixtureRequest, swift_server: S3Server, portal: Any
) -> Iterator[Subject[StorageCaps]]:
    def make(asynchronous: bool) -> Any:
        cls = AsyncOpenStackSwiftStorageDriver if asynchronous else OpenStackSwiftStorageDriver
        return cls(
            swift_server.key,
            swift_server.secret,
            ex_force_auth_url=f"{swift_server.endpoint}/auth",
            ex_force_auth_version="1.0",
        )

    with open_subject(request.param, make, CAPS, portal) as subject:
        yield subject
