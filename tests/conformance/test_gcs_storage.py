"""The Google Cloud Storage driver (sync and async) passes the storage conformance suite on
fake-gcs-server (``scripts/services/fake-gcs.sh``), through the JSON API, with no credentials
(the emulator takes none)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omnicloud.storage.drivers.gcs import AsyncGoogleStorageDriver, GoogleStorageDriver
from tests.support.gcs import GcsServer, fake_gcs_server

from ._twin import MODES, Subject, open_subject
from .storage import StorageCaps, TestStorageConformance

__all__ = ["TestStorageConformance", "fake_gcs_server"]


def _small_pages(driver: Any) -> None:
    driver._ops.page_size = 2  # listings of two: the page token gets used


# Object names are opaque to Cloud Storage: ``a/../b`` is stored and read as exactly that name
# (the driver sends it as one %2F-encoded path segment).
CAPS = StorageCaps(dot_segments="exact", small_pages=_small_pages)


@pytest.fixture(params=MODES)
def storage_driver(
    request: pytest.FixtureRequest, fake_gcs_server: GcsServer, portal: Any
) -> Iterator[Subject[StorageCaps]]:
    def make(asynchronous: bool) -> Any:
        cls = AsyncGoogleStorageDriver if asynchronous else GoogleStorageDriver
        return cls(endpoint=fake_gcs_server.endpoint, project=fake_gcs_server.project)

    with open_subject(request.param, make, CAPS, portal) as subject:
        yield subject
