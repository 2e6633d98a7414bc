"""omnicloud.connect(): profiles to ready drivers, built-in local clouds with persistent state."""

from __future__ import annotations

import os
from pathlib import Path

import anyio
import pytest

import omnicloud
from omnicloud.errors import ConfigurationError
from tests.integration.conftest import LiveSim


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def write_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    path = tmp_path / "omnicloud.yaml"
    path.write_text(text)
    os.chmod(path, 0o600)
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(path))


def test_local_is_the_zero_config_default_and_persists(data_dir: Path) -> None:
    with omnicloud.connect() as driver:
        size = driver.list_sizes()[0]
        node = driver.create_node(
            name="persisted",
            size=size,
            image=driver.list_images()[0],
            location=driver.list_locations()[0],
        )
    with omnicloud.connect("local") as again:
        assert "persisted" in [n.name for n in again.list_nodes()]
        again.destroy_node(node)
    assert (data_dir / "local-cloudstack.db").is_file()


def test_local_async(data_dir: Path) -> None:
    async def go() -> int:
        async with omnicloud.connect(asynchronous=True) as driver:
            return len(await driver.list_locations())

    assert anyio.run(go) >= 2


def test_local_sigma_and_local_storage(data_dir: Path) -> None:
    with omnicloud.connect("local-sigma") as sigma:
        assert sigma.list_sizes()
    storage = omnicloud.connect("local", "storage")
    container = storage.create_container("box")
    storage.upload_object_via_stream(iter([b"hello"]), container, "greeting.txt")
    assert (
        b"".join(storage.download_object_as_stream(storage.get_object("box", "greeting.txt")))
        == b"hello"
    )
    assert (data_dir / "storage").is_dir()


def test_cloudstack_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, live_sim: LiveSim
) -> None:
    key, secret = live_sim.state.credentials("alice")
    monkeypatch.setenv("LAB_SECRET", secret)
    write_config(
        tmp_path,
        monkeypatch,
        f"""
cloudmesh:
  default: {{cloud: lab}}
  cloud:
    lab:
      kind: cloudstack
      credentials:
        endpoint: {live_sim.endpoint}
        key: {key}
        secret: ${{LAB_SECRET}}
        timeout: 20
""",
    )
    with omnicloud.connect() as driver:
        assert {loc.name for loc in driver.list_locations()} >= {"Sandbox-Basic"}


def test_unsupported_kinds_and_missing_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(
        tmp_path,
        monkeypatch,
        """
cloud:
  aws: {kind: aws, credentials: {EC2_ACCESS_ID: AKID, EC2_SECRET_KEY: wJalr}}
  azure: {kind: azure, credentials: {}}
  half: {kind: cloudstack, credentials: {endpoint: "https://x/client/api", key: k}}
""",
    )
    with pytest.raises(
        ConfigurationError, match="kind 'azure', for which omnicloud has no loadbalancer driver"
    ):
        omnicloud.connect("azure", "loadbalancer")
    elb = omnicloud.connect("aws", "loadbalancer")  # an aws profile gives ELBv2 too
    assert type(elb).__name__ == "ApplicationLBDriver" and elb.region == "us-east-1"
    assert "wJalr" not in repr(elb)
    elb.close()
    ec2 = omnicloud.connect("aws")  # the cloudmesh pattern: an aws profile gives EC2 compute
    assert type(ec2).__name__ == "EC2NodeDriver" and ec2.region == "us-east-1"
    assert "wJalr" not in repr(ec2) and "wJalr" not in str(vars(ec2))
    with pytest.raises(ConfigurationError, match="Azure account name"):  # storage only
        omnicloud.connect("azure", "storage")
    with pytest.raises(ConfigurationError, match="needs a secret key"):
        omnicloud.connect("half")
    s3 = omnicloud.connect("aws", "storage")  # the cloudmesh aws credentials serve S3
    assert type(s3).__name__ == "S3StorageDriver"
    assert "wJalr" not in repr(s3)
