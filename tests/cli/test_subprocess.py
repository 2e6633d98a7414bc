"""Every command group of ``omnicloud`` once, as a real subprocess (``python -m omnicloud``).

The module shares one temporary HOME, config directory and ``OMNICLOUD_DATA_DIR``, so later
commands see what earlier ones created; each command is one process.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("subprocess-home")


@pytest.fixture(scope="module")
def cli(home: Path) -> Cli:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OMNICLOUD_", "CLOUDSTACK_", "AWS_", "XDG_"))
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        OMNICLOUD_DATA_DIR=str(home / "data"),
    )
    work = home / "work"
    work.mkdir()

    def run(
        *argv: str, code: int = 0, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "omnicloud", *argv],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            cwd=work,
            timeout=120,
        )
        assert result.returncode == code, f"{argv}: exit {result.returncode}\n{result.stderr}"
        assert "Traceback" not in result.stderr or "--trace" in argv
        return result

    return run


def test_version_help_and_completion(cli: Cli) -> None:
    assert cli("--version").stdout.startswith("omnicloud, version ")
    listed = cli("--help").stdout
    for group in ("config", "nodes", "sizes", "volumes", "snapshots", "keys", "storage", "sim"):
        assert f"  {group} " in listed
    assert (
        "complete -o nosort -F _omnicloud_completion omnicloud" in cli("completion", "bash").stdout
    )
    assert "#compdef omnicloud" in cli("completion", "zsh").stdout
    assert "complete --no-files --command omnicloud" in cli("completion", "fish").stdout
    assert "is not one of" in cli("completion", "tcsh", code=2).stderr


def test_catalog_in_every_format(cli: Cli) -> None:
    sizes = json.loads(cli("-o", "json", "sizes", "list").stdout)
    assert {"Small Instance", "Medium Instance"} <= {s["name"] for s in sizes}
    images = list(csv.DictReader(io.StringIO(cli("-o", "csv", "images", "list").stdout)))
    assert any(row["name"].startswith("Ubuntu") for row in images)
    locations = yaml.safe_load(cli("-o", "yaml", "locations", "list").stdout)
    assert {loc["name"] for loc in locations} == {"Sandbox-Basic", "Sandbox-Advanced"}


def test_nodes_volumes_snapshots(cli: Cli) -> None:
    out = cli("nodes", "create", "sub", "--count", "2", "--location", "Sandbox-Advanced").stdout
    assert [line.split()[1] for line in out.splitlines()[1:]] == ["sub-1", "sub-2"]
    volume = json.loads(
        cli(
            "-o", "json", "volumes", "create", "sv", "--size", "5", "--location", "Sandbox-Advanced"
        ).stdout
    )
    assert volume["name"] == "sv" and volume["size"] == 5 and volume["state"] == "available"
    snapshot = json.loads(cli("-o", "json", "snapshots", "create", "sv", "--name", "s").stdout)
    assert snapshot["extra"]["volumeid"] == volume["id"]


def test_keys_and_security_groups(cli: Cli, home: Path) -> None:
    created = cli("keys", "create", "subkey")
    assert "private key written to subkey.pem" in created.stderr
    assert "PRIVATE KEY" in (home / "work" / "subkey.pem").read_text()
    assert "PRIVATE KEY" not in created.stdout and "subkey" in created.stdout
    group = json.loads(cli("-o", "json", "security-groups", "create", "subgroup").stdout)
    assert group["name"] == "subgroup"
    failed = cli("--cloud", "local-sigma", "security-groups", "list", code=2)
    assert failed.stderr.strip().splitlines() == [
        f"Error: {failed.stderr.strip().removeprefix('Error: ')}"
    ]
    assert "no security groups" in failed.stderr


def test_storage_cs_sim_and_demo(cli: Cli) -> None:
    cli("storage", "mb", "subbucket")
    cli("storage", "-q", "put", "-", "subbucket/hello.txt", stdin="hello\n")
    assert "hello.txt" in cli("storage", "ls", "subbucket").stdout
    zones = json.loads(cli("--cloud", "local", "cs", "listZones").stdout)
    assert {z["name"] for z in zones["zone"]} == {"Sandbox-Basic", "Sandbox-Advanced"}
    assert "serve" in cli("sim", "--help").stdout
    assert "Usage: omnicloud demo" in cli("demo", "--help").stdout


def test_config_in_the_user_config_directory(cli: Cli, home: Path) -> None:
    cli("config", "add", "sim2", "--kind", "cloudstack-sim")
    written = home / ".config" / "omnicloud" / "omnicloud.yaml"
    assert yaml.safe_load(written.read_text())["cloud"]["sim2"]["kind"] == "cloudstack-sim"
    cli("config", "use", "sim2")
    rows = json.loads(cli("-o", "json", "config", "list").stdout)
    assert {r["name"]: r["default"] for r in rows}["sim2"] == "*"
    assert json.loads(cli("-o", "json", "config", "show").stdout)["name"] == "sim2"
    checked = json.loads(cli("-o", "json", "config", "check").stdout)
    assert checked["cloud"] == "sim2" and checked["status"] == "ok" and checked["locations"] == 2


def test_errors_and_exit_codes(cli: Cli, home: Path) -> None:
    cli("keys", "create", "dupe", "--output", str(home / "dupe.pem"))
    failed = cli("keys", "create", "dupe", "--output", str(home / "dupe2.pem"), code=1)
    assert len(failed.stderr.strip().splitlines()) == 1
    assert failed.stderr.startswith("Error: ") and "dupe" in failed.stderr
    traced = cli("--trace", "keys", "create", "dupe", "--output", str(home / "dupe3.pem"), code=1)
    assert "Traceback (most recent call last)" in traced.stderr
    assert '"errortext"' in traced.stderr  # the provider's error document
    usage = cli("nodes", "frobnicate", code=2)
    assert "No such command 'frobnicate'" in usage.stderr
