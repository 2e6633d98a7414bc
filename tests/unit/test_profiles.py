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
    profiles = load_profiles()  # only using the profile fails
    assert profiles.get("exo").kind == "exoscale"
    with pytest.raises(ConfigurationError, match=r"cloud 'aws'.*AWS_ID is not set"):
        profiles.get()


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


def test_local_directory_file_only_when_named_and_env_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write(Path.cwd() / "omnicloud.yaml", "default: {cloud: exo}\ncloud:\n  exo: {kind: exoscale}\n")
    assert load_profiles().default == "local" and "exo" not in load_profiles()
    monkeypatch.setenv("OMNICLOUD_CONFIG", "omnicloud.yaml")  # opting in
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
    path = write(tmp_path / "bad.yaml", text)
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(path))
    profiles = load_profiles()  # reading never fails; using what the file holds does
    assert profiles.get("local").kind == "cloudstack-sim"
    with pytest.raises(ConfigurationError, match=message) as caught:
        profiles.get("x")
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


def test_unknown_profile_lists_known() -> None:
    with pytest.raises(
        ConfigurationError,
        match=r"no cloud profile named 'nope' "
        r"\(known: local, local-azure, local-gce, local-openstack, local-sigma\)",
    ):
        load_profiles().get("nope")


def test_missing_omnicloud_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(tmp_path / "absent.yaml"))
    profiles = load_profiles()
    assert profiles.get("local").kind == "cloudstack-sim"
    with pytest.raises(ConfigurationError, match=r"absent\.yaml, which does not exist"):
        profiles.get()


def layer(name: str, kind: str, default: str | None = None) -> str:
    head = f"default: {{cloud: {default}}}\n" if default else ""
    return head + f"cloud:\n  {name}: {{kind: {kind}, credentials: {{key: from-{kind}}}}}\n"


def test_user_config_file_honours_xdg_config_home(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    xdg = tmp_path / "elsewhere"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    user_file = xdg / "omnicloud" / "omnicloud.yaml"
    user_file.parent.mkdir(parents=True)
    write(user_file, layer("mine", "exoscale", default="mine"))
    from omnicloud.config import config_files

    assert config_files()[0] == user_file
    profiles = load_profiles()
    assert profiles.default == "mine" and profiles.get().kind == "exoscale"
    assert profiles.get().source == str(user_file) and profiles.files == [str(user_file)]


def test_both_locations_and_their_precedence(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    user_file = clean_env / ".config" / "omnicloud" / "omnicloud.yaml"
    user_file.parent.mkdir(parents=True)
    local_file = Path.cwd() / "omnicloud.yaml"
    env_file = tmp_path / "env.yaml"
    write(
        user_file, layer("shared", "exoscale", default="shared") + "  user-only: {kind: ikoula}\n"
    )
    write(local_file, layer("shared", "cloudstack") + "  local-only: {kind: cloudsigma}\n")
    write(env_file, layer("shared", "cloudsigma", default="env-only") + "  env-only: {kind: s3}\n")

    only_user = load_profiles()  # ./omnicloud.yaml is not read unless named
    assert only_user.files == [str(user_file)]
    assert only_user.get("shared").kind == "exoscale"
    assert only_user.get("shared").credentials == {"key": "from-exoscale"}
    assert only_user.default == "shared"
    assert "local-only" not in only_user

    monkeypatch.setenv("OMNICLOUD_CONFIG", str(env_file))
    everything = load_profiles()
    assert everything.files == [str(user_file), str(env_file)]
    assert everything.get("shared").kind == "cloudsigma"  # $OMNICLOUD_CONFIG wins
    assert everything.get("shared").source == str(env_file)
    assert everything.get("user-only").source == str(user_file)
    assert everything.default == "env-only"
    assert {"user-only", "env-only"} <= set(everything.names())

    monkeypatch.setenv("OMNICLOUD_CLOUD", "user-only")  # the environment beats every file
    assert load_profiles().get().kind == "ikoula"


# Seed 003's cloudmesh.yaml (cloudmesh-community/cm), with the kinds omnicloud has no driver for.
SEED_003 = """
cloudmesh:
  profile:
    firstname: TBD
    lastname: TBD
  default:
    cloud: aws
  cloud:
    aws:
      cm:
        active: true
        heading: AWS
        host: aws.amazon.com
        label: aws
        kind: aws
        version: TBD
      default:
        image: ami-0f65671a86f061fcd
        size: t2.micro
        location: us-east-1
      credentials:
        EC2_ACCESS_ID: TBD
        EC2_SECRET_KEY: TBD
        EC2_PRIVATE_KEY_FILE_PATH: ~/.cloudmesh/aws_cert.pem
        EC2_PRIVATE_KEY_FILE_NAME: aws_cert
    azure:
      cm:
        active: true
        heading: Azure
        host: azure.microsoft.com
        label: azure
        kind: azure
        version: TBD
      default:
        image: Canonical:UbuntuServer:16.04-LTS:latest
        size: Basic_A0
      credentials:
        AZURE_SUBSCRIPTION_ID: TBD
        AZURE_MANAGEMENT_CERT_PATH: C:/Demo/azure_cert.pem
"""


def test_seed_003_cloudmesh_yaml_loads_as_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(write(tmp_path / "cloudmesh.yaml", SEED_003)))
    profiles = load_profiles()
    assert profiles.default == "aws"
    aws, azure = profiles.get(), profiles.get("azure")
    assert (aws.kind, azure.kind) == ("aws", "azure")
    assert aws.options["size"] == "t2.micro" and azure.options["size"] == "Basic_A0"
    assert azure.credentials["AZURE_SUBSCRIPTION_ID"] == "TBD"
    assert "profile" not in profiles  # cloudmesh's other sections are not clouds
