"""Azure tests: Azurite's Blob service (``tests/support/azurite.py``) and drivers on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from omnicloud.storage.drivers.azure_blobs import (
    AsyncAzureBlobsStorageDriver,
    AzureBlobsStorageDriver,
)
from tests.support.azurite import Azurite, azurite_server  # noqa: F401 - session fixture
from tests.support.modes import Portal, close_in_mode, open_in_mode

SMALL_BLOCK = 64 * 1024


@pytest.fixture
def d(
    mode: str,
    portal: Portal,
    azurite_server: Azurite,  # noqa: F811 - the imported fixture
) -> Iterator[AzureBlobsStorageDriver]:
    """The driver on Azurite (sync, then async behind the portal), small blocks and spans."""
    driver = open_in_mode(
        mode,
        portal,
        AzureBlobsStorageDriver,
        AsyncAzureBlobsStorageDriver,
        azurite_server.account,
        azurite_server.key,
        host=azurite_server.host,
        port=azurite_server.port,
        secure=False,
        ex_block_size=SMALL_BLOCK,
        ex_concurrency=3,
    )
    yield driver
    close_in_mode(driver, portal)
