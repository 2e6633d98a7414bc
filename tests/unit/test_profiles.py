"""Profiles: cloudmesh YAML, interpolation, credentials commands, cloudstack.ini, defaults."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from omnicloud.config import load_profiles
from omnicloud.errors import ConfigurationError

CLOUDMESH = """
cloudmesh:
  default:
    cloud: aws
  cloud:
    aws:
      cm:
        active: true
        heading: AWS
        kind: aws
      default:
        size: t2.micro
      credentials:
        EC2_ACCESS_ID: ${AWS_ID}
        EC2_SECRET_KEY: ${AWS_SECRET:-fallback-secret}
    exo:
      kind: exoscale
      credentials:
        key: EXOkey
        secret: verysecret
"""


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    os.chmod(path, mode)
    return path


def test_cloudmesh_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(write(tmp_path / "cm.yaml", CLOUDMESH)))
    monkeypatch.setenv("AWS_ID", "AKIDEXAMPLE")
    profiles = load_profiles()
    assert profiles.default == "aws"
    aws = profiles.get()
    assert aws.kind == "aws"
    assert aws.credentials == {"EC2_ACCESS_ID": "AKIDEXAMPLE", "EC2_SECRET_KEY": "fallback-secret"}
    assert aws.options == {"size": "t2.micro"}
    assert profiles.get("exo").kind == "exoscale"
    assert {"local", "local-sigma", "aws", "exo"} <= set(profiles.names())
    assert "verysecret" not in repr(profiles.get("exo"))
    assert profiles.get("exo").redacted()["credentials"]["secret"] == "REDACTED"


def test_missing_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(write(tmp_path / "cm.yaml", CLOUDMESH)))
    with pytest.raises(ConfigurationError, match="AWS_ID is not set"):
        load_profiles()


def test_credentials_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = write(tmp_path / "creds.py", 'print(\'{"secret": "from-command"}\')', 0o700)
    config = f"""
cloud:
  lab:
    kind: cloudstack
    credentials: {{endpoint: "https://lab/client/api", key: k}}
    credentials_command: {sys.executable} {script}
"""
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(write(tmp_path / "o.yaml", config)))
    lab = load_profiles().get("lab")
    assert lab.credentials == {
        "endpoint": "https://lab/client/api",
        "key": "k",
        "secret": "from-command",
    }


def test_world_readable_file_warns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(write(tmp_path / "o.yaml", "cloud: {}\n", 0o644)))
    with pytest.warns(UserWarning, match="readable by other users"):
        load_profiles()


def test_local_directory_file_and_env_default(monkeypatch: pytest.MonkeyPatch) -> None:
    write(Path.cwd() / "omnicloud.yaml", "default: {cloud: exo}\ncloud:\n  exo: {kind: exoscale}\n")
    assert load_profiles().default == "exo"
    monkeypatch.setenv("OMNICLOUD_CLOUD", "local")
    assert load_profiles().get().kind == "cloudstack-sim"


def test_builtin_default_with_no_files() -> None:
    profiles = load_profiles()
    assert profiles.default == "local"
    assert profiles.get().kind == "cloudstack-sim"
    assert profiles.files == []


def test_cloudstack_ini_regions_become_profiles(clean_env: Path) -> None:
    write(
        clean_env / ".cloudstack.ini",
        "[lab]\nendpoint = https://lab/client/api\nkey = k\nsecret = s\ntimeout = 20\n",
    )
    lab = load_profiles().get("lab")
    assert lab.kind == "cloudstack"
    assert lab.credentials == {"endpoint": "https://lab/client/api", "key": "k", "secret": "s"}
    assert lab.options == {"timeout": 20.0}
    assert lab.source == "cloudstack.ini"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cloud: [1, 2]\n", "'cloud' must map names"),
        ("cloud:\n  x: {credentials: {}}\n", "has no 'kind'"),
        ("cloud:\n  x: {kind: aws, credentials: [1]}\n", "'credentials' must be a mapping"),
        ("- just\n- a list\n", "expected a mapping"),
        ("cloud: {x: {kind: aws}\n", "not valid YAML"),
        ("cloud:\n  x: 3\n", "must be a mapping"),
    ],
)
def test_bad_files_are_clear_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(write(tmp_path / "bad.yaml", text)))
    with pytest.raises(ConfigurationError, match=message):
        load_profiles()


def test_unknown_profile_lists_known() -> None:
    with pytest.raises(
        ConfigurationError, match=r"no cloud profile named 'nope' \(known: local, local-sigma\)"
    ):
        load_profiles().get("nope")


def test_missing_omnicloud_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(tmp_path / "absent.yaml"))
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_profiles()
