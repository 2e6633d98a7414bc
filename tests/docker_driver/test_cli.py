"""``omnicloud containers ...`` on a profile of kind ``docker`` reaching the real daemon."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

import omnicloud
from omnicloud.cli import main
from omnicloud.container.drivers.docker import DockerContainerDriver
from tests.support.docker import IMAGE, DockerDaemon

from .conftest import fresh_name


@pytest.fixture
def profile(docker_daemon: DockerDaemon, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    config = tmp_path / "omnicloud.yaml"
    config.write_text(
        "cloud:\n  dk:\n    kind: docker\n    credentials:\n"
        f"      endpoint: {docker_daemon.unix}\n    options:\n      stop_timeout: 1\n"
    )
    config.chmod(0o600)
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(config))
    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(tmp_path / "data"))
    return "dk"


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    assert main(["--cloud", "dk", "--output", "json", "containers", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_containers_commands(profile: str, capsys: pytest.CaptureFixture[str]) -> None:
    with omnicloud.connect(profile, "container") as driver:
        assert isinstance(driver, DockerContainerDriver)
        assert driver.stop_timeout == 1
    images = _json(capsys, "images")
    assert IMAGE in {row["path"] for row in images}
    name = fresh_name()
    made = _json(
        capsys,
        "deploy",
        name,
        IMAGE,
        "--network",
        "none",
        "--no-tty",
        "--command",
        "echo hi; echo bad >&2; exec sleep 60",
        "--env",
        "A=1",
    )
    assert isinstance(made, dict)
    try:
        assert (made["name"], made["state"]) == (name, "running")
        listed = _json(capsys, "list", "--running")
        assert name in {row["name"] for row in listed}
        deadline = time.monotonic() + 10
        while True:
            assert main(["--cloud", "dk", "containers", "logs", name]) == 0
            out, err = capsys.readouterr()
            if ("hi" in out and "bad" in err) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert out == "hi\n" and err == "bad\n"
        short = made["id"][:12]
        assert _json(capsys, "stop", short)["state"] == "stopped"
        assert name not in {row["name"] for row in _json(capsys, "list", "--running")}
        assert _json(capsys, "start", name)["state"] == "running"
        assert _json(capsys, "restart", name)["state"] == "running"
        assert main(["--cloud", "dk", "containers", "list"]) == 0
        table = capsys.readouterr().out
        assert name in table and "STATE" in table.upper()
    finally:
        assert _json(capsys, "destroy", name)["destroyed"] is True
    with omnicloud.connect(profile, "container") as driver:
        assert name not in {c.name for c in driver.list_containers()}


def test_unknown_names_are_usage_errors(profile: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--cloud", "dk", "containers", "stop", "no-such-container-here"]) == 2
    assert "no container 'no-such-container-here'" in capsys.readouterr().err
    assert main(["--cloud", "dk", "containers", "deploy", "x", "no-such-image:9"]) == 2
    assert "no image 'no-such-image:9'" in capsys.readouterr().err
