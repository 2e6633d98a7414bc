"""Errors as one clear line (details with ``--trace``), exit codes 0/1/2, profile problems."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from omnicloud.cli import main
from tests.unit.test_profiles import SEED_003

Run = Callable[..., tuple[str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def invoke(*argv: str, code: int = 0) -> tuple[str, str]:
        result = main(list(argv))
        out, err = capsys.readouterr()
        assert result == code, f"exit {result}: {err}"
        return out, err

    return invoke


def one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("Error: ") and "Traceback" not in err
    return lines[0]


@pytest.fixture
def seed_003(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cloudmesh.yaml"
    path.write_text(SEED_003)
    path.chmod(0o600)
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(path))
    return path


def test_kinds_without_drivers_are_one_clear_line_exit_2(run: Run, seed_003: Path) -> None:
    # the seed's azure cloud holds a classic management certificate: Microsoft retired that API
    out, err = run("--cloud", "azure", "nodes", "list", code=2)
    assert out == ""
    line = one_line(err)
    assert "classic (ASM) API" in line and "service principal" in line and "tenant_id" in line
    line = one_line(run("--cloud", "azure", "sizes", "list", code=2)[1])
    assert "classic (ASM) API" in line
    line = one_line(run("--cloud", "aws", "containers", "list", code=2)[1])
    assert "kind 'aws'" in line and "no container driver" in line
    # config check tries the families in order: compute says what is wrong first
    line = one_line(run("config", "check", "azure", code=2)[1])
    assert "classic (ASM) API" in line
    listed, err = run("config", "list")  # the file itself is fine
    assert err == "" and {"aws", "azure"} <= {row.split()[-3] for row in listed.splitlines()[1:]}
    shown = run("config", "show", "aws")[0]
    assert "kind" in shown and "aws" in shown


def test_a_config_file_others_can_read_warns_in_one_line(run: Run, seed_003: Path) -> None:
    seed_003.chmod(0o644)
    _, err = run("config", "list")
    assert err.splitlines() == [
        f"Warning: {seed_003} is readable by other users and may hold credentials; "
        f"run: chmod 600 {seed_003}"
    ]


def test_provider_error_is_one_line_exit_1(run: Run, tmp_path: Path) -> None:
    run("keys", "create", "twice", "--output", str(tmp_path / "1.pem"))
    out, err = run("keys", "create", "twice", "--output", str(tmp_path / "2.pem"), code=1)
    assert out == ""
    assert "twice" in one_line(err) and "already exists" in err
    _, err = run("keys", "delete", "never-created", code=1)
    assert "never-created" in one_line(err)


def test_usage_errors_exit_2(run: Run) -> None:
    assert "has no nodes" in one_line(run("nodes", "start", "ghost", code=2)[1])
    _, err = run("security-groups", "create", "twice")
    assert "already exists" in one_line(run("security-groups", "create", "twice", code=2)[1])
    _, err = run("nodes", "create", "x", "--count", "0", code=2)
    assert "Error: Invalid value for '--count'" in err and "Traceback" not in err
    _, err = run("nodes", code=2)  # a group without a command: its usage
    assert "Usage: omnicloud nodes" in err and "Traceback" not in err
    run("--cloud", "nowhere", "nodes", "list", code=2)


def test_trace_shows_details_and_traceback_but_no_secrets(tmp_path: Path) -> None:
    from omnicloud.sim.cloudstack import CloudStackState

    data = tmp_path / "data"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("OMNICLOUD_")},
        "OMNICLOUD_DATA_DIR": str(data),
    }

    def cli(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "omnicloud", *argv],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    assert cli("keys", "create", "dup", "--output", str(tmp_path / "1.pem")).returncode == 0
    plain = cli("keys", "create", "dup", "--output", str(tmp_path / "2.pem"))
    assert plain.returncode == 1 and plain.stdout == ""
    assert len(plain.stderr.splitlines()) == 1 and "Traceback" not in plain.stderr
    traced = cli("--trace", "keys", "create", "dup", "--output", str(tmp_path / "3.pem"))
    assert traced.returncode == 1 and traced.stdout == ""
    assert plain.stderr.splitlines()[0] in traced.stderr.splitlines()
    assert "> GET http://local.omnicloud/client/api?" in traced.stderr  # the HTTP trace
    assert '"errortext"' in traced.stderr  # the provider's error document
    assert "Traceback (most recent call last)" in traced.stderr
    assert "CloudStackApiError" in traced.stderr
    key, secret = CloudStackState(data / "local-cloudstack.db").credentials("admin")
    assert key not in traced.stderr and secret not in traced.stderr
