"""CLI completeness: ``config add --kind`` validation and whole timestamps in ``storage ls``."""

from __future__ import annotations

from pathlib import Path

import pytest

from omnicloud.cli import main


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(tmp_path / "omnicloud.yaml"))
    return tmp_path


def test_config_add_refuses_an_unknown_kind(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["config", "add", "mine", "--kind", "clodstack", "--cred", "key=k"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "unknown kind 'clodstack'" in err
    assert "cloudstack" in err and "exoscale" in err and "s3" in err
    assert not (env / "omnicloud.yaml").exists()


def test_config_add_accepts_a_known_kind_in_any_case(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", "add", "mine", "--kind", "CloudStack", "--cred", "key=k"]) == 0
    assert "kind: cloudstack" in (env / "omnicloud.yaml").read_text()


def test_storage_ls_shows_whole_timestamps(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = env / "f.txt"
    source.write_text("hello")
    assert main(["--cloud", "local", "storage", "mb", "box"]) == 0
    assert main(["--cloud", "local", "storage", "put", str(source), "box/f.txt"]) == 0
    capsys.readouterr()
    assert main(["--cloud", "local", "storage", "ls", "box"]) == 0
    size, when, name = capsys.readouterr().out.split()
    assert (size, name) == ("5", "f.txt")
    from datetime import datetime

    moment = datetime.fromisoformat(when)
    assert moment.utcoffset() is not None and moment.microsecond == 0
    assert when.endswith("+00:00") and len(when) == len("2026-01-01T00:00:00+00:00")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("2026-03-04T05:06:07.123Z", "2026-03-04T05:06:07+00:00"),
        ("2026-03-04T05:06:07.999999+02:00", "2026-03-04T05:06:07+02:00"),
        ("Wed, 04 Mar 2026 05:06:07 GMT", "2026-03-04T05:06:07+00:00"),
        ("2026-03-04T05:06:07", "2026-03-04T05:06:07+00:00"),
        ("not a date", "not a date"),
        (None, ""),
    ],
)
def test_storage_timestamps_are_normalised(raw: object, shown: str) -> None:
    from omnicloud.cli.storage_cmd import _timestamp

    assert _timestamp(raw) == shown


def _complete(args: list[str], incomplete: str) -> list[str]:
    from click.shell_completion import BashComplete

    from omnicloud.cli._root import cli

    completer = BashComplete(cli, {}, "omnicloud", "_OMNICLOUD_COMPLETE")
    return [item.value for item in completer.get_completions(args, incomplete)]


def test_cloud_option_completes_profile_names(env: Path) -> None:
    config = env / "omnicloud.yaml"
    config.write_text(
        "cloudmesh:\n  cloud:\n    prod:\n      kind: cloudstack\n"
        "      credentials: {key: k, secret: s, endpoint: 'https://x/client/api'}\n"
    )
    config.chmod(0o600)
    assert _complete(["--cloud"], "") == ["local", "local-sigma", "prod"]
    assert _complete(["--cloud"], "pr") == ["prod"]
    assert _complete(["nodes", "list", "--cloud"], "local") == ["local", "local-sigma"]


def test_cloud_completion_with_a_broken_config_keeps_the_built_in_clouds(env: Path) -> None:
    config = env / "omnicloud.yaml"
    config.write_text("cloudmesh: [not, a, mapping")
    config.chmod(0o600)
    assert _complete(["--cloud"], "") == ["local", "local-sigma"]


def test_completion_through_the_environment(env: Path) -> None:
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "omnicloud", "--cloud", ""],
        env={
            **os.environ,
            "_OMNICLOUD_COMPLETE": "bash_complete",
            "COMP_WORDS": "omnicloud --cloud loc",
            "COMP_CWORD": "2",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["plain,local", "plain,local-sigma"]


def test_cli_start_up_does_not_read_profiles() -> None:
    import subprocess
    import sys

    code = "import sys, omnicloud.cli._root; print('omnicloud.config' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False"
