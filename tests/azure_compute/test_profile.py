"""A profile of kind ``azure`` (a service principal) through ``connect()`` and the CLI, and a
wrong secret reported with Azure AD's words and without the secret."""

from __future__ import annotations

from pathlib import Path

import pytest

import omnicloud
from omnicloud.cli import main
from omnicloud.compute.drivers.azure_arm import AzureNodeDriver

from .conftest import AzSim


def _profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sim: AzSim, secret: str) -> None:
    state = sim.state
    config = tmp_path / "omnicloud.yaml"
    config.write_text(
        "cloud:\n  lab:\n    kind: azure\n    credentials:\n"
        f"      tenant: {state.tenant_id}\n      subscription: {state.subscription_id}\n"
        f"      client_id: {state.client_id}\n      client_secret: {secret}\n"
        f"      resource_group: {state.resource_group}\n      location: {state.location}\n"
        f"      management_endpoint: {sim.server.url}\n      authority: {sim.server.url}\n"
    )
    config.chmod(0o600)
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(config))


def test_profile_connect_and_cli(
    az_sim: AzSim,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _profile(tmp_path, monkeypatch, az_sim, az_sim.state.client_secret)
    with omnicloud.connect("lab") as driver:
        assert isinstance(driver, AzureNodeDriver)
        assert driver.ex_resource_group == az_sim.state.resource_group
        volume = driver.create_volume(2, "profile-disk")
    assert main(["--cloud", "lab", "sizes", "list"]) == 0
    out, _err = capsys.readouterr()
    assert "Standard_B1s" in out
    assert main(["--cloud", "lab", "locations", "list"]) == 0
    assert "eastus" in capsys.readouterr()[0]
    with omnicloud.connect("lab") as driver:
        assert driver.destroy_volume(volume) is True


def test_wrong_secret_in_the_cli(
    az_sim: AzSim,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _profile(tmp_path, monkeypatch, az_sim, "wrong-secret-value-1234")
    assert main(["--cloud", "lab", "nodes", "list"]) != 0
    out, err = capsys.readouterr()
    assert "AADSTS" in err
    assert "wrong-secret-value-1234" not in out + err
