"""The Azure Blobs storage driver (sync and async) passes the storage conformance suite on
Azurite (``scripts/services/azurite.sh``), with Libcloud's constructor: the account name as
``key``, its key as ``secret``, ``host``/``port``/``secure=False`` for the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omnicloud.storage.drivers.azure_blobs import (
    AsyncAzureBlobsStorageDriver,
    AzureBlobsStorageDriver,
)
from tests.support.azurite import Azurite, azurite_server  # noqa: F401 - session fixture

from ._twin import MODES, Subject, open_subject
from .storage import StorageCaps, TestStorageConformance

__all__ = ["TestStorageConformance"]


def _small_pages(driver: Any) -> None:
    driver._ops.page_size = 2  # List Blobs pages of two: NextMarker gets used


# URL dot segments are resolved by clients, proxies and the service: such names are refused.
CAPS = StorageCaps(dot_segments="refuse", small_pages=_small_pages)


@pytest.fixture(params=MODES)
def storage_driver(
    request: pytest.FixtureRequest,
    azurite_server: Azurite,  # noqa: F811 - the imported fixture
    portal: Any,
) -> Iterator[Subject[StorageCaps]]:
    def make(asynchronous: bool) -> Any:
        cls = AsyncAzureBlobsStorageDriver if asynchronous else AzureBlobsStorageDriver
        return cls(
            azurite_server.account,
            azurite_server.key,
            host=azurite_server.host,
            port=azurite_server.port,
            secure=False,
        )

    with open_subject(request.param, make, CAPS, portal) as subject:
        yield subject
