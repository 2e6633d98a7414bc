"""CLI and config files: a project file is opt-in, broken profiles stay apart, clean warnings."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from omnicloud.cli import main

Run = Callable[..., tuple[str, str]]

HOSTILE = """default: {cloud: evil}
cloud:
  evil:
    kind: cloudstack
    credentials: {endpoint: 'http://127.0.0.1:9/client/api', key: k, secret: s}
    credentials_command: sh -c 'id > PWNED; echo {}'
  lab: {kind: exoscale, credentials: {key: project-key, secret: project-secret}}
"""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("omnicloud-data")


@pytest.fixture
def run(data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(data_dir))

    def invoke(*argv: str, code: int = 0) -> tuple[str, str]:
        result = main(list(argv))
        out, err = capsys.readouterr()
        assert result == code, f"exit {result}: {err}"
        assert "Traceback" not in err
        return out, err

    return invoke


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(path, mode)
    return path


@pytest.fixture
def hostile() -> Iterator[Path]:
    path = write(Path.cwd() / "omnicloud.yaml", HOSTILE)
    yield path
    assert not (Path.cwd() / "PWNED").exists(), "a command from ./omnicloud.yaml ran"


@pytest.fixture
def mine(clean_env: Path) -> Path:
    return write(
        clean_env / ".config" / "omnicloud" / "omnicloud.yaml",
        "default: {cloud: local-sigma}\n"
        "cloud:\n  lab: {kind: cloudstack, credentials: {endpoint: 'https://mine/client/api'}}\n",
    )


def test_project_file_runs_nothing_and_is_noted(run: Run, hostile: Path) -> None:
    out, err = run("--cloud", "local", "sizes", "list")
    assert out.startswith("ID")
    assert err.count("\n") == 1 and "omnicloud.yaml is not read" in err and "--config" in err
    run("storage", "ls")
    run("--cloud", "local", "cs", "listZones")


def test_project_file_keeps_the_users_profiles_and_default(
    run: Run, hostile: Path, mine: Path
) -> None:
    out, _ = run("-o", "json", "config", "show")
    assert json.loads(out)["name"] == "local-sigma"
    out, _ = run("-o", "json", "config", "show", "lab")
    shown = json.loads(out)
    assert shown["source"] == str(mine) and shown["kind"] == "cloudstack"
    listed, _ = run("config", "list")
    assert "evil" not in listed


def test_opt_in_with_config_flag_and_the_shadow_is_named(
    run: Run, mine: Path, tmp_path: Path
) -> None:
    project = write(tmp_path / "project" / "omnicloud.yaml", HOSTILE)
    out, err = run("--config", str(project), "-o", "json", "--cloud", "lab", "config", "show")
    assert json.loads(out)["kind"] == "exoscale"
    assert str(project) in err and str(mine) in err and "'lab'" in err
    assert err.startswith("Warning: ") and err.count("\n") == 1
    assert "OMNICLOUD_CONFIG" not in os.environ  # --config lasts for its command only
    _, err = run("--config", str(tmp_path / "absent.yaml"), "config", "list", code=2)
    assert "absent.yaml" in err
    assert not (Path.cwd() / "PWNED").exists() and not (project.parent / "PWNED").exists()


def test_opt_in_with_environment(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    write(Path.cwd() / "omnicloud.yaml", "cloud:\n  proj: {kind: local}\n")
    monkeypatch.setenv("OMNICLOUD_CONFIG", "omnicloud.yaml")
    listed, err = run("config", "list")
    assert "proj" in listed and err == ""


def test_config_check_and_show_follow_the_cloud_option(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = write(
        tmp_path / "o.yaml",
        f"cloud:\n  lab:\n    kind: cloudstack\n    credentials:\n"
        f"      {{endpoint: 'http://127.0.0.1:{port}/client/api', key: k, secret: s}}\n",
    )
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(config))
    _, err = run("--cloud", "lab", "config", "check", code=1)
    assert "could not connect" in err
    out, _ = run("-o", "json", "--cloud", "lab", "config", "show")
    assert json.loads(out)["name"] == "lab"
    out, _ = run("-o", "json", "--cloud", "lab", "config", "check", "local")
    assert json.loads(out)["cloud"] == "local"


BROKEN = """
cloud:
  bad:
    kind: exoscale
    credentials: {key: '${UNSET_FOR_OMNICLOUD_TEST}', secret: s}
  good: {kind: exoscale, credentials: {key: k, secret: s}}
"""


def test_one_broken_profile_breaks_only_itself(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write(tmp_path / "o.yaml", BROKEN)
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(config))
    run("--cloud", "local", "nodes", "list")
    assert "Summary:" in run("demo", "--count", "1")[0]
    _, err = run("--cloud", "bad", "nodes", "list", code=2)
    assert err.startswith("Error: ") and str(config) in err and "'bad'" in err
    assert "UNSET_FOR_OMNICLOUD_TEST is not set" in err
    rows = json.loads(run("-o", "json", "config", "list")[0])
    status = {row["name"]: row["status"] for row in rows}
    assert status["good"] == "ok" and status["local"] == "ok"
    assert status["bad"].startswith("broken: ") and "UNSET_FOR_OMNICLOUD_TEST" in status["bad"]


def test_malformed_file_leaves_built_ins_working(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write(tmp_path / "o.yaml", "cloud: {lab: {kind: x}\n")
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(config))
    run("--cloud", "local", "nodes", "list")
    run("--cloud", "local-sigma", "sizes", "list")
    assert "Summary:" in run("demo", "--count", "1")[0]
    _, err = run("--cloud", "lab", "nodes", "list", code=2)
    assert "not valid YAML" in err and str(config) in err and err.count("\n") == 1
    rows = json.loads(run("-o", "json", "config", "list")[0])
    broken = [row for row in rows if row["source"] == str(config)]
    assert len(broken) == 1 and broken[0]["status"].startswith("broken: ")


def test_cs_insecure_warning_is_one_clean_line(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMNICLOUD_", "CLOUDSTACK_"))}
    env.update(
        CLOUDSTACK_ENDPOINT=f"https://127.0.0.1:{port}/client/api",
        CLOUDSTACK_KEY="k",
        CLOUDSTACK_SECRET="s",
        CLOUDSTACK_DANGEROUS_NO_TLS_VERIFY="true",
        CLOUDSTACK_RETRY="0",
    )
    result = subprocess.run(
        [sys.executable, "-m", "omnicloud", "cs", "listZones"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    warning = [line for line in result.stderr.splitlines() if "verification is disabled" in line]
    assert len(warning) == 1, result.stderr
    assert warning[0].startswith("Warning: TLS certificate verification is disabled")
    assert ".py:" not in result.stderr and "Warning:" not in result.stderr.replace(warning[0], "")


def test_project_file_runs_nothing_as_a_real_process(tmp_path: Path) -> None:
    work = tmp_path / "project"
    write(work / "omnicloud.yaml", HOSTILE)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OMNICLOUD_", "CLOUDSTACK_", "XDG_"))
    }
    env.update(HOME=str(tmp_path), OMNICLOUD_DATA_DIR=str(tmp_path / "data"))
    for argv in (["--cloud", "local", "sizes", "list"], ["storage", "ls"]):
        result = subprocess.run(
            [sys.executable, "-m", "omnicloud", *argv],
            capture_output=True,
            text=True,
            env=env,
            cwd=work,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
    code = "import omnicloud; omnicloud.connect('local').close()"
    subprocess.run([sys.executable, "-c", code], env=env, cwd=work, check=True, timeout=120)
    assert not (work / "PWNED").exists()
