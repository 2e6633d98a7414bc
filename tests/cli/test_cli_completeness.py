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


BUILT_IN = ["local", "local-azure", "local-gce", "local-openstack", "local-sigma"]


def test_cloud_option_completes_profile_names(env: Path) -> None:
    config = env / "omnicloud.yaml"
    config.write_text(
        "cloudmesh:\n  cloud:\n    prod:\n      kind: cloudstack\n"
        "      credentials: {key: k, secret: s, endpoint: 'https://x/client/api'}\n"
    )
    config.chmod(0o600)
    assert _complete(["--cloud"], "") == [*BUILT_IN, "prod"]
    assert _complete(["--cloud"], "pr") == ["prod"]
    assert _complete(["nodes", "list", "--cloud"], "local") == BUILT_IN


def test_cloud_completion_with_a_broken_config_keeps_the_built_in_clouds(env: Path) -> None:
    config = env / "omnicloud.yaml"
    config.write_text("cloudmesh: [not, a, mapping")
    config.chmod(0o600)
    assert _complete(["--cloud"], "") == BUILT_IN


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
    assert result.stdout.splitlines() == [f"plain,{name}" for name in BUILT_IN]


def test_cli_start_up_does_not_read_profiles() -> None:
    import subprocess
    import sys

    code = "import sys, omnicloud.cli._root; print('omnicloud.config' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False"


def _local_node(name: str) -> None:
    assert main(["--cloud", "local", "-o", "json", "nodes", "create", name]) == 0


def test_node_arguments_complete_node_names(env: Path) -> None:
    _local_node("web-1")
    _local_node("web-2")
    _local_node("db-1")
    assert _complete(["--cloud", "local", "nodes", "show"], "web") == ["web-1", "web-2"]
    assert _complete(["nodes", "stop", "--cloud", "local"], "") == ["db-1", "web-1", "web-2"]
    assert _complete(["--cloud", "local", "nodes", "destroy", "web-1"], "d") == ["db-1"]
    assert _complete(["--cloud", "local", "nodes", "ssh"], "db") == ["db-1"]
    assert _complete(["--cloud", "local", "volumes", "attach", "v1"], "w") == ["web-1", "web-2"]


def test_create_completes_image_and_size_names(env: Path) -> None:
    from omnicloud import connect

    instance = connect("local")
    images = sorted({image.name for image in instance.list_images()})
    sizes = sorted({size.name for size in instance.list_sizes()})
    assert images and sizes
    create = ["--cloud", "local", "nodes", "create", "n1"]
    assert _complete([*create, "--image"], "") == images
    assert _complete([*create, "--size"], sizes[0][:2]) == [
        s for s in sizes if s[:2] == sizes[0][:2]
    ]


def test_name_completion_of_a_broken_cloud_completes_nothing(env: Path) -> None:
    assert _complete(["--cloud", "nosuch", "nodes", "show"], "") == []
    config = env / "omnicloud.yaml"
    config.write_text(
        "cloudmesh:\n  cloud:\n    prod:\n      kind: cloudstack\n"
        "      credentials: {key: k, secret: s, endpoint: 'http://127.0.0.1:9/client/api'}\n"
    )
    config.chmod(0o600)
    assert _complete(["--cloud", "prod", "nodes", "create", "x", "--size"], "") == []


def test_cs_completes_api_names_from_the_sync_cache(env: Path) -> None:
    from omnicloud.cloudstack._discovery import save_apis

    apis = [{"name": n} for n in ("listVirtualMachines", "listZones", "deployVirtualMachine")]
    save_apis("cloud-prod", apis)
    save_apis("east", [{"name": "listRegions"}])
    assert _complete(["cs", "--cloud", "prod"], "list") == ["listVirtualMachines", "listZones"]
    assert _complete(["--cloud", "prod", "cs"], "dep") == ["deployVirtualMachine"]
    assert _complete(["cs", "-r", "east"], "") == ["listRegions", "sync"]
    assert _complete(["cs", "--region", "east", "listRegions"], "") == []
    assert _complete(["cs", "-r"], "") == []
    assert _complete(["cs", "--region", "nowhere"], "") == ["sync"]


def _bash_complete(words: str) -> list[str]:
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "omnicloud"],
        env={
            **os.environ,
            "_OMNICLOUD_COMPLETE": "bash_complete",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and not result.stderr, result.stderr
    return [line for line in result.stdout.splitlines() if line]  # none: one empty line


def test_name_completion_through_the_environment(env: Path) -> None:
    from omnicloud.cloudstack._discovery import save_apis

    _local_node("alpha")
    _local_node("beta")
    assert _bash_complete("omnicloud --cloud local nodes show al") == ["plain,alpha"]
    assert _bash_complete("omnicloud nodes reboot --cloud local ") == ["plain,alpha", "plain,beta"]
    save_apis("cloud-local", [{"name": "listZones"}])
    assert _bash_complete("omnicloud --cloud local cs listZ") == ["plain,listZones"]
    assert _bash_complete("omnicloud --cloud nosuch nodes show ") == []


def test_cli_start_up_does_not_import_completion_helpers() -> None:
    import subprocess
    import sys

    code = (
        "import sys, omnicloud.cli._root; "
        "print(sorted(m for m in sys.modules if m.startswith(('omnicloud.config', "
        "'omnicloud.drivers', 'omnicloud._connect', 'omnicloud.cli._complete'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]"
