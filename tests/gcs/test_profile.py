"""A profile of kind ``gcp`` gives Google Cloud Storage: ``connect`` and ``omnicloud storage``."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

import omnicloud
from omnicloud.cli import main
from omnicloud.storage.drivers.gcs import GoogleStorageDriver
from tests.support.gcs import GcsServer


def test_a_gcp_profile_reaches_the_emulator(
    fake_gcs_server: GcsServer,
    clean_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = clean_env / "omnicloud.yaml"
    config.write_text(
        "cloud:\n  gcs:\n    kind: gcp\n    credentials:\n"
        f"      project: {fake_gcs_server.project}\n      endpoint: {fake_gcs_server.endpoint}\n"
    )
    config.chmod(0o600)
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(config))
    name = f"prof-{uuid.uuid4().hex[:8]}"
    with omnicloud.connect("gcs", "storage") as driver:
        assert isinstance(driver, GoogleStorageDriver)
        made = driver.create_container(name)
    try:
        assert main(["--cloud", "gcs", "storage", "ls"]) == 0
        out, _err = capsys.readouterr()
        assert name in out
    finally:
        with omnicloud.connect("gcs", "storage") as driver:
            driver.delete_container(made)
