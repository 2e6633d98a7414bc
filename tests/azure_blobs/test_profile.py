"""A profile of kind ``azure`` gives Azure Blobs storage: ``connect`` and ``omnicloud storage``."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

import omnicloud
from omnicloud.cli import main
from omnicloud.storage.drivers.azure_blobs import AzureBlobsStorageDriver
from tests.support.azurite import Azurite


def test_an_azure_profile_reaches_the_account(
    azurite_server: Azurite,
    clean_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = clean_env / "omnicloud.yaml"
    config.write_text(
        "cloud:\n  blobs:\n    kind: azure\n    credentials:\n"
        f"      account: {azurite_server.account}\n      account_key: {azurite_server.key}\n"
        f"      endpoint: {azurite_server.url}\n"
    )
    config.chmod(0o600)
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(config))
    name = f"prof-{uuid.uuid4().hex[:8]}"
    with omnicloud.connect("blobs", "storage") as driver:
        assert isinstance(driver, AzureBlobsStorageDriver)
        made = driver.create_container(name)
    try:
        assert main(["--cloud", "blobs", "storage", "ls"]) == 0
        out, err = capsys.readouterr()
        assert name in out and azurite_server.key not in out + err
    finally:
        with omnicloud.connect("blobs", "storage") as driver:
            driver.delete_container(made)
