"""Google Cloud Storage tests: fake-gcs-server (``tests/support/gcs.py``), a protocol stand-in
(``_fake.py``) for what the emulator does not do, and a service account key made here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from omnicloud.storage import Container
from omnicloud.storage.drivers.gcs import AsyncGoogleStorageDriver, GoogleStorageDriver
from tests.conformance.storage import unique
from tests.support.gcs import GcsServer, fake_gcs_server  # noqa: F401 - session fixture
from tests.support.modes import Portal, close_in_mode, open_in_mode

CHUNK = 256 * 1024


@pytest.fixture
def d(
    mode: str,
    portal: Portal,
    fake_gcs_server: GcsServer,  # noqa: F811 - the imported fixture
) -> Iterator[GoogleStorageDriver]:
    """The driver on fake-gcs-server (sync, then async), 256 KiB chunks from 256 KiB on."""
    driver = open_in_mode(
        mode,
        portal,
        GoogleStorageDriver,
        AsyncGoogleStorageDriver,
        endpoint=fake_gcs_server.endpoint,
        project=fake_gcs_server.project,
        chunk_size=CHUNK,
        threshold=CHUNK,
    )
    yield driver
    close_in_mode(driver, portal)


@pytest.fixture
def container(d: GoogleStorageDriver) -> Iterator[Container]:
    made = d.create_container(unique("gcs"))
    yield made
    for obj in d.list_container_objects(made):
        d.delete_object(obj)
    d.delete_container(made)


@pytest.fixture(scope="session")
def rsa_key() -> Any:
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def key_info(rsa_key: Any) -> dict[str, str]:
    """A service account key (made here) whose token_uri is filled in by the test."""
    from cryptography.hazmat.primitives import serialization

    pem = rsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return {
        "type": "service_account",
        "project_id": "omnicloud-sa-project",
        "private_key_id": "0123456789abcdef",
        "private_key": pem,
        "client_email": "uploader@omnicloud-sa-project.iam.gserviceaccount.com",
        "client_id": "1234567890",
        "token_uri": "http://127.0.0.1:9/token",
    }


def write_key(tmp_path: Path, info: dict[str, str]) -> Path:
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(info))
    return path
