"""The CLI when waiting for an accepted job fails: the job id, the exact command that resumes the
wait (``omnicloud jobs wait JOB_ID``), exit 1; and that command finishing the job."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from omnicloud.cli import main
from omnicloud.cloudstack import _protocol
from omnicloud.errors import TransportError

Run = Callable[..., tuple[str, str]]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(tmp_path / "data"))

    def invoke(*argv: str, code: int = 0) -> tuple[str, str]:
        result = main(list(argv))
        out, err = capsys.readouterr()
        assert result == code, f"exit {result}: {err}"
        return out, err

    return invoke


def lost_connection(*args: Any) -> Any:
    """A job status check whose connection keeps failing (retries used up)."""
    raise TransportError("CloudStack queryAsyncJobResult: connection failed: reset by peer")
    yield  # a flow


@pytest.mark.parametrize("cloud", [(), ("--cloud", "local")])
def test_create_whose_wait_fails_prints_the_resume_command(
    run: Run, monkeypatch: pytest.MonkeyPatch, cloud: tuple[str, ...]
) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(_protocol, "_batched_status", lost_connection)
        out, err = run(*cloud, "nodes", "create", "resumed", code=1)
    assert out == ""
    found = re.search(r"Wait for it with: (omnicloud.* jobs wait (\S+))$", err, re.MULTILINE)
    assert found, err
    command, job_id = found.groups()
    assert command.split()[1:-3] == list(cloud)  # exactly the cloud this command line used
    assert f"job {job_id}" in err and "connection failed" in err
    assert "Traceback" not in err
    # the printed command, as printed (with -o json to read its answer)
    words = command.split()[1:]
    out, _ = run(*words[:-3], "-o", "json", *words[-3:])
    assert '"name": "resumed"' in out
    listed, _ = run(*cloud, "nodes", "list")
    assert listed.count("resumed") == 1  # waiting again created nothing twice


def test_jobs_wait_unknown_job_is_an_api_error(run: Run) -> None:
    _, err = run("jobs", "wait", "6a1e6c9e-1111-2222-3333-444444444444", code=1)
    assert err.startswith("Error:") and "Traceback" not in err


def test_power_action_whose_wait_fails_prints_the_resume_command(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("nodes", "create", "powered")
    with monkeypatch.context() as patch:
        patch.setattr(_protocol, "_batched_status", lost_connection)
        out, err = run("--cloud", "local", "nodes", "stop", "powered", code=1)
    found = re.search(r"Wait for it with: omnicloud --cloud local jobs wait (\S+)$", err, re.M)
    assert found and out == "" and "Traceback" not in err, err
    run("--cloud", "local", "jobs", "wait", found.group(1))
    listed, _ = run("-o", "json", "nodes", "show", "powered")
    assert '"state": "stopped"' in listed
