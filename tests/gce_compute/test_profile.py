"""A profile of kind ``gcp`` (a service-account key file) gives Compute Engine as well as
Cloud Storage: ``connect()`` and ``omnicloud --cloud NAME nodes|sizes ...`` on the simulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import omnicloud
from omnicloud.cli import main
from omnicloud.compute.drivers.gce import GCENodeDriver

from .conftest import GceSim


def _profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sim: GceSim) -> Path:
    key_file = tmp_path / "key.json"
    key_file.write_text(json.dumps(sim.key))
    key_file.chmod(0o600)
    config = tmp_path / "omnicloud.yaml"
    config.write_text(
        "cloud:\n  lab:\n    kind: gcp\n    credentials:\n"
        f"      key_file: {key_file}\n      project: {sim.state.project}\n"
        f"      zone: {sim.state.zone}\n      endpoint: {sim.server.url}\n"
    )
    config.chmod(0o600)
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(config))
    return key_file


def test_a_gcp_profile_gives_compute_through_connect_and_the_cli(
    gce_sim: GceSim,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _profile(tmp_path, monkeypatch, gce_sim)
    with omnicloud.connect("lab") as driver:
        assert isinstance(driver, GCENodeDriver)
        assert (driver.project, driver.zone) == (gce_sim.state.project, gce_sim.state.zone)
        names = {size.name for size in driver.list_sizes()}
    assert "e2-micro" in names
    assert main(["--cloud", "lab", "sizes", "list"]) == 0
    assert "e2-micro" in capsys.readouterr()[0]
    assert main(["--cloud", "lab", "nodes", "list"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    private_key_line = gce_sim.key["private_key"].splitlines()[1]
    assert private_key_line not in out + err


def test_a_gcp_profile_without_a_key_says_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "omnicloud.yaml"
    config.write_text("cloud:\n  bare:\n    kind: gcp\n    credentials:\n      project: p\n")
    config.chmod(0o600)
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(config))
    assert main(["--cloud", "bare", "nodes", "list"]) == 2
    _out, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "needs credentials" in err and "service account key" in err
