"""Every cloud command of the CLI against the built-in local clouds (in-process and subprocess)."""

from __future__ import annotations

import csv
import dataclasses
import enum
import io
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from omnicloud.cli import main

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("omnicloud-data")
    saved = os.environ.get("OMNICLOUD_DATA_DIR")
    os.environ["OMNICLOUD_DATA_DIR"] = str(path)
    yield path
    if saved is None:
        os.environ.pop("OMNICLOUD_DATA_DIR", None)
    else:
        os.environ["OMNICLOUD_DATA_DIR"] = saved


@pytest.fixture
def run(data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(data_dir))

    def invoke(*argv: str, code: int = 0) -> tuple[str, str]:
        result = main(list(argv))
        out, err = capsys.readouterr()
        assert result == code, f"exit {result}: {err}"
        return out, err

    return invoke


def test_catalog_golden_table(run) -> None:  # type: ignore[no-untyped-def]
    out, _ = run("sizes", "list")
    assert out == (GOLDEN / "sizes.txt").read_text()
    out, _ = run("locations", "list")
    assert "Sandbox-Basic" in out and "Sandbox-Advanced" in out
    out, _ = run("images", "list")
    assert "Ubuntu 22.04" in out


_HIDDEN = {"driver", "private_key", "password", "secret"}


def expected(value: Any) -> Any:
    """What -o json must show for a library value: the documented mapping, written afresh."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: expected(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in _HIDDEN
        }
    if isinstance(value, Mapping):
        return {str(k): expected(v) for k, v in value.items() if k not in _HIDDEN}
    if isinstance(value, list | tuple):
        return [expected(v) for v in value]
    return value


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(cell(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(getattr(value, "name", value))


def test_output_formats(run) -> None:  # type: ignore[no-untyped-def]
    """Each list command's JSON, YAML and CSV carry the library's own objects' values."""
    import omnicloud

    run("nodes", "create", "fmt", "--location", "Sandbox-Advanced")
    run("volumes", "create", "fmtvol", "--size", "5", "--location", "Sandbox-Advanced")
    run("snapshots", "create", "fmtvol", "--name", "fmtsnap")
    run("keys", "import", "fmtkey", str(Path(__file__).parent / "golden" / "id_test.pub"))
    run("security-groups", "create", "fmtgroup", "--description", "formats")
    with omnicloud.connect("local") as driver:
        volume = next(v for v in driver.list_volumes() if v.name == "fmtvol")
        listings = {
            ("sizes", "list"): driver.list_sizes(),
            ("images", "list"): driver.list_images(),
            ("locations", "list"): driver.list_locations(),
            ("nodes", "list"): driver.list_nodes(),
            ("volumes", "list"): driver.list_volumes(),
            ("snapshots", "list", "fmtvol"): driver.list_volume_snapshots(volume),
            ("keys", "list"): driver.list_key_pairs(),
            ("security-groups", "list"): driver.ex_list_security_groups(),
        }
    for argv, objects in listings.items():
        assert objects, argv
        data = json.loads(run("-o", "json", *argv)[0])
        assert data == [expected(obj) for obj in objects], argv
        assert yaml.safe_load(run("-o", "yaml", *argv)[0]) == data, argv
        rows = list(csv.reader(io.StringIO(run("-o", "csv", *argv)[0])))
        header, body = rows[0], rows[1:]
        assert {"id", "name"} & set(header) and len(body) == len(objects), argv
        for row, obj in zip(body, objects, strict=True):
            for column, text in zip(header, row, strict=True):
                want = expected(getattr(obj, column))
                if isinstance(want, list) and want and isinstance(want[0], dict):
                    assert text == str(len(want)), (argv, column)  # rules: counted
                else:
                    assert text == cell(want), (argv, column)
    sizes = json.loads(run("-o", "json", "sizes", "list")[0])
    assert {s["name"] for s in sizes} >= {"Small Instance", "Large Instance"}
    profiles = json.loads(run("-o", "json", "config", "list")[0])
    assert profiles == [
        {
            "default": "*",
            "kind": "cloudstack-sim",
            "name": "local",
            "source": "built-in",
            "status": "ok",
        },
        {
            "default": "",
            "kind": "azure-sim",
            "name": "local-azure",
            "source": "built-in",
            "status": "ok",
        },
        {
            "default": "",
            "kind": "gce-sim",
            "name": "local-gce",
            "source": "built-in",
            "status": "ok",
        },
        {
            "default": "",
            "kind": "openstack-sim",
            "name": "local-openstack",
            "source": "built-in",
            "status": "ok",
        },
        {
            "default": "",
            "kind": "cloudsigma-sim",
            "name": "local-sigma",
            "source": "built-in",
            "status": "ok",
        },
    ]
    run("security-groups", "delete", "fmtgroup")
    run("keys", "delete", "fmtkey")
    run("nodes", "destroy", "fmt")


def test_node_lifecycle(run) -> None:  # type: ignore[no-untyped-def]
    out, err = run(
        "nodes",
        "create",
        "web",
        "--count",
        "3",
        "--size",
        "Small Instance",
        "--location",
        "Sandbox-Basic",
    )
    assert [line.split()[1] for line in out.splitlines()[1:]] == ["web-1", "web-2", "web-3"]
    assert err.count("created web-") == 3
    nodes = json.loads(run("-o", "json", "nodes", "list")[0])
    assert {n["name"] for n in nodes} >= {"web-1", "web-2", "web-3"}
    shown = json.loads(run("-o", "json", "nodes", "show", "web-2")[0])
    assert shown["state"] == "running" and shown["extra"]["serviceofferingname"] == "Small Instance"
    run("nodes", "stop", "web-2")
    assert json.loads(run("-o", "json", "nodes", "show", "web-2")[0])["state"] == "stopped"
    run("nodes", "start", "web-2")
    run("nodes", "reboot", "web-2")
    assert json.loads(run("-o", "json", "nodes", "show", "web-2")[0])["state"] == "running"
    _, err = run("nodes", "destroy", "web-1", "web-2", "web-3")
    assert err.count("destroyed") == 3
    _, err = run("nodes", "show", "nope", code=2)
    assert "no node 'nope'" in err


def test_bad_choices_are_usage_errors(run) -> None:  # type: ignore[no-untyped-def]
    _, err = run("nodes", "create", "x", "--size", "Enormous", code=2)
    assert "no size 'Enormous'" in err
    run("-o", "xml", "sizes", "list", code=2)
    run("nodes", "create", "x", "--count", "0", code=2)


def test_volumes_and_snapshots(run) -> None:  # type: ignore[no-untyped-def]
    run("nodes", "create", "db", "--location", "Sandbox-Advanced")
    volume = json.loads(
        run(
            "-o",
            "json",
            "volumes",
            "create",
            "data1",
            "--size",
            "5",
            "--location",
            "Sandbox-Advanced",
        )[0]
    )
    assert volume["name"] == "data1" and volume["size"] == 5
    run("volumes", "attach", "data1", "db")
    snapshot = json.loads(run("-o", "json", "snapshots", "create", "data1", "--name", "s1")[0])
    assert snapshot["id"]
    assert snapshot["id"] in run("snapshots", "list", "data1")[0]
    run("snapshots", "destroy", "data1", snapshot["id"])
    run("volumes", "detach", "data1")
    run("volumes", "destroy", "data1")
    assert "data1" not in run("volumes", "list")[0]
    run("nodes", "destroy", "db")


def test_keys(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    out, err = run("keys", "create", "deployer")
    pem = tmp_path / "deployer.pem"
    assert "PRIVATE KEY" in pem.read_text()
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert "PRIVATE KEY" not in out + err
    run("keys", "create", "deployer", code=2)  # refuses to overwrite the file
    public = tmp_path / "id.pub"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "id")], check=True
    )
    run("keys", "import", "laptop", str(public))
    listed = run("keys", "list")[0]
    assert "deployer" in listed and "laptop" in listed
    run("keys", "delete", "laptop")
    run("keys", "delete", "deployer")
    assert "laptop" not in run("keys", "list")[0]


def test_security_groups(run) -> None:  # type: ignore[no-untyped-def]
    run("security-groups", "create", "web", "--description", "HTTP in")
    run("security-groups", "authorize", "web", "--protocol", "tcp", "--port", "80-81")
    run("security-groups", "authorize", "web", "--protocol", "icmp")
    groups = json.loads(run("-o", "json", "security-groups", "list")[0])
    web = next(g for g in groups if g["name"] == "web")
    assert {(r["protocol"], r["start_port"]) for r in web["ingress_rules"]} >= {("tcp", 80)}
    run("security-groups", "authorize", "web", "--port", "99999", code=2)
    run("security-groups", "delete", "web")
    _, err = run("--cloud", "local-sigma", "security-groups", "list", code=2)
    assert "no security groups" in err


def test_destroy_with_expunge_frees_the_security_group(run) -> None:  # type: ignore[no-untyped-def]
    run("security-groups", "create", "held")
    run("nodes", "create", "holder", "--location", "Sandbox-Basic", "--security-group", "held")
    run("nodes", "destroy", "holder")  # destroyed, not expunged: the group is still in use
    _, err = run("security-groups", "delete", "held", code=1)
    assert "in use" in err
    run("security-groups", "create", "freed")
    run("nodes", "create", "holder2", "--location", "Sandbox-Basic", "--security-group", "freed")
    run("nodes", "destroy", "holder2", "--expunge")
    names = {n["name"] for n in json.loads(run("-o", "json", "nodes", "list")[0])}
    assert "holder2" not in names
    run("security-groups", "delete", "freed")  # expunged at once: nothing holds the group
    _, err = run("--cloud", "local-sigma", "nodes", "destroy", "x", "--expunge", code=2)
    assert "--expunge is for CloudStack" in err


def test_other_cloud_by_flag(run) -> None:  # type: ignore[no-untyped-def]
    out, _ = run("--cloud", "local-sigma", "sizes", "list")
    assert out.splitlines()[0].startswith("ID")
    _, err = run("--cloud", "nowhere", "sizes", "list", code=2)
    assert "no cloud profile named 'nowhere'" in err


def test_config_commands(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "omnicloud.yaml"
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(config))
    run(
        "config",
        "add",
        "lab",
        "--kind",
        "cloudstack",
        "--cred",
        "endpoint=http://127.0.0.1:9/client/api",
        "--cred",
        "key=k",
        "--cred",
        "secret=${LAB_SECRET}",
        "--default",
        "size=Small Instance",
    )
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    monkeypatch.setenv("LAB_SECRET", "do-not-print-me")
    listed = run("config", "list")[0]
    assert "lab" in listed and "cloudstack" in listed
    shown = run("-o", "json", "config", "show", "lab")[0]
    assert (
        "do-not-print-me" not in shown
        and json.loads(shown)["credentials"].get("secret", "REDACTED") == "REDACTED"
    )
    run("config", "use", "lab")
    assert "* " in next(line for line in run("config", "list")[0].splitlines() if " lab " in line)
    _, err = run("config", "check", code=1)  # nothing listens on port 9
    assert "could not connect" in err
    assert json.loads(run("-o", "json", "config", "check", "local")[0])["status"] == "ok"
    run("config", "use", "nope", code=2)
    run("config", "add", "bad", "--kind", "x", "--cred", "novalue", code=2)


def test_nodes_ssh_runs_the_ssh_client(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    run("nodes", "create", "jump", "--location", "Sandbox-Basic")
    fake = tmp_path / "bin" / "ssh"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\necho "ssh $*"\n')
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{fake.parent}:{os.environ['PATH']}"}
    result = subprocess.run(
        [sys.executable, "-m", "omnicloud", "nodes", "ssh", "jump", "-l", "ubuntu", "uptime"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ssh -p 22 ubuntu@198.18.") and result.stdout.strip().endswith(
        "uptime"
    )
    run("nodes", "destroy", "jump")


def test_completion_and_subprocess_exit_codes(data_dir: Path) -> None:
    env = {**os.environ, "OMNICLOUD_DATA_DIR": str(data_dir)}
    script = subprocess.run(
        [sys.executable, "-m", "omnicloud", "completion", "bash"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert script.returncode == 0 and "_OMNICLOUD_COMPLETE" in script.stdout
    listed = subprocess.run(
        [sys.executable, "-m", "omnicloud", "-o", "json", "locations", "list"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 2
    bad = subprocess.run(
        [sys.executable, "-m", "omnicloud", "nodes", "show", "missing"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
