"""Storage tests: the S3 servers come from ``tests/support/s3servers.py`` (registered once in
``tests/conftest.py``); ``s3_server`` runs a test on each selected one."""

from __future__ import annotations

import uuid

import pytest

from tests.support.s3servers import S3_SERVERS, SELECTED, S3Server

__all__ = ["S3_SERVERS", "SELECTED", "S3Server", "unique"]


@pytest.fixture(params=S3_SERVERS)
def s3_server(request: pytest.FixtureRequest) -> S3Server:
    server: S3Server = request.getfixturevalue(f"{request.param}_server")
    return server


def unique(prefix: str = "oc") -> str:
    """A fresh, DNS-safe container name."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"
