"""The local storage driver (sync and async) passes the storage conformance suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from omnicloud.storage.drivers.local import AsyncLocalStorageDriver, LocalStorageDriver

from ._twin import MODES, Subject, open_subject
from .storage import StorageCaps, TestStorageConformance

__all__ = ["TestStorageConformance"]

# A container is a directory: a name that could leave it is refused before anything is written.
CAPS = StorageCaps(dot_segments="refuse")


@pytest.fixture(params=MODES)
def storage_driver(
    request: pytest.FixtureRequest, tmp_path: Path, portal: Any
) -> Iterator[Subject[StorageCaps]]:
    def make(asynchronous: bool) -> Any:
        cls = AsyncLocalStorageDriver if asynchronous else LocalStorageDriver
        return cls(str(tmp_path / "store"))

    with open_subject(request.param, make, CAPS, portal) as subject:
        yield subject
