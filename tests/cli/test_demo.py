"""The main job (``omnicloud demo``) runs end to end on the built-in simulator."""

from __future__ import annotations

import subprocess
import sys

import pytest

from omnicloud.cli import main


def test_demo_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--count", "4"]) == 0
    out = capsys.readouterr().out
    assert "Deployed 4 VMs concurrently" in out
    assert "listed 4, stopped and destroyed them (0 left)" in out
    rows = [line for line in out.splitlines() if line.startswith("demo-")]
    assert len(rows) == 4 and all(" Running " in row for row in rows)


def test_demo_as_a_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "omnicloud", "demo", "--count", "2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Deployed 2 VMs" in result.stdout


def test_demo_rejects_bad_count(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--count", "0"]) == 2
    assert "Invalid value" in capsys.readouterr().err
