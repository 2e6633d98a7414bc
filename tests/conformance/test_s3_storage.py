"""The S3 storage driver (sync and async) passes the storage conformance suite on moto.

(``tests/storage/test_contract.py`` runs the same suite on the other S3 servers it starts.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.storage.conftest import S3Server

from ._s3 import s3_subject
from ._twin import MODES, Subject
from .storage import StorageCaps, TestStorageConformance

__all__ = ["TestStorageConformance"]


@pytest.fixture(params=MODES)
def storage_driver(
    request: pytest.FixtureRequest, moto_server: S3Server, portal: Any
) -> Iterator[Subject[StorageCaps]]:
    with s3_subject(request.param, moto_server, portal) as subject:
        yield subject
