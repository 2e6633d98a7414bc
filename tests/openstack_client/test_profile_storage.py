"""An ``openstack`` profile (as clouds.yaml gives) reaches Swift: ``connect(name, "storage")``
and ``omnicloud --cloud NAME storage``."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

import omnicloud
from omnicloud.cli import main
from omnicloud.storage.drivers.swift import OpenStackSwiftStorageDriver
from tests.support.s3servers import S3Server


def test_a_clouds_yaml_cloud_gives_swift_storage(
    swift_server: S3Server,
    clean_env: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = clean_env / ".config" / "openstack"
    folder.mkdir(parents=True)
    (folder / "clouds.yaml").write_text(
        "clouds:\n  saio:\n    auth_type: v1password\n    auth:\n"
        f"      auth_url: {swift_server.endpoint}/auth/v1.0\n"
        f"      username: '{swift_server.key}'\n"
    )
    (folder / "secure.yaml").write_text(
        f"clouds:\n  saio:\n    auth:\n      password: {swift_server.secret}\n"
    )
    for name in ("clouds.yaml", "secure.yaml"):
        (folder / name).chmod(0o600)
    container = f"prof-{uuid.uuid4().hex[:8]}"
    with omnicloud.connect("saio", "storage") as driver:
        assert isinstance(driver, OpenStackSwiftStorageDriver)
        made = driver.create_container(container)
    try:
        assert main(["--cloud", "saio", "storage", "ls"]) == 0
        out, err = capsys.readouterr()
        assert container in out and swift_server.secret not in out + err
    finally:
        with omnicloud.connect("saio", "storage") as driver:
            driver.delete_container(made)
