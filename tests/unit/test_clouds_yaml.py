"""OpenStack's clouds.yaml, secure.yaml and OS_* variables read as omnicloud profiles."""

from __future__ import annotations

from pathlib import Path

import pytest

from omnicloud.config import load_profiles
from omnicloud.errors import ConfigurationError

CLOUDS = """
clouds:
  devstack:
    auth:
      auth_url: http://127.0.0.1:5000/identity/v3
      username: admin
      project_name: demo
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    interface: public
  appcred:
    auth_type: v3applicationcredential
    auth:
      auth_url: http://127.0.0.1:5000/v3
      application_credential_id: 0123abcd
      application_credential_secret: app-secret-value
  old:
    auth:
      auth_url: http://127.0.0.1:5000/v2.0
      username: u
      password: p
      tenant_name: t
"""
SECURE = """
clouds:
  devstack:
    auth:
      password: secure-yaml-password
"""


def _write(folder: Path, clouds: str = CLOUDS, secure: str | None = SECURE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "clouds.yaml").write_text(clouds)
    (folder / "clouds.yaml").chmod(0o600)
    if secure is not None:
        (folder / "secure.yaml").write_text(secure)
        (folder / "secure.yaml").chmod(0o600)
    return folder / "clouds.yaml"


def test_clouds_yaml_clouds_are_openstack_profiles(clean_env: Path) -> None:
    path = _write(clean_env / ".config" / "openstack")
    profiles = load_profiles()
    devstack = profiles.get("devstack")
    assert devstack.kind == "openstack" and devstack.source == str(path)
    assert devstack.credentials == {
        "auth_url": "http://127.0.0.1:5000/identity/v3",
        "auth_version": "3.x_password",
        "username": "admin",
        "password": "secure-yaml-password",  # merged from secure.yaml
        "project": "demo",
        "domain": "Default",
        "region": "RegionOne",
        "interface": "public",
    }
    assert "secure-yaml-password" not in repr(devstack)
    appcred = profiles.get("appcred").credentials
    assert appcred["auth_version"] == "3.x_appcred"
    assert (appcred["username"], appcred["password"]) == ("0123abcd", "app-secret-value")
    old = profiles.get("old").credentials
    assert old["auth_version"] == "2.0_password" and old["project"] == "t"


def test_os_client_config_file_and_os_cloud_default(
    clean_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "elsewhere", secure=None)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    monkeypatch.setenv("OS_CLOUD", "old")
    profiles = load_profiles()
    assert profiles.default == "old"
    assert "password" not in profiles.get("devstack").credentials  # no secure.yaml there
    # omnicloud's own choice wins over OpenStack's
    monkeypatch.setenv("OMNICLOUD_CLOUD", "local")
    assert load_profiles().default == "local"


def test_the_working_directorys_clouds_yaml_is_not_read(clean_env: Path) -> None:
    _write(Path.cwd())  # os-client-config would read ./clouds.yaml; omnicloud does not
    with pytest.raises(ConfigurationError):
        load_profiles().get("devstack")


def test_os_variables_make_the_envvars_profile(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "OS_AUTH_URL": "http://127.0.0.1:5000/v3",
        "OS_USERNAME": "me",
        "OS_PASSWORD": "env-password",
        "OS_PROJECT_NAME": "proj",
        "OS_USER_DOMAIN_NAME": "Default",
        "OS_REGION_NAME": "RegionTwo",
    }.items():
        monkeypatch.setenv(name, value)
    profile = load_profiles().get("envvars")
    assert profile.kind == "openstack" and profile.source == "OS_* variables"
    assert profile.credentials["password"] == "env-password"
    assert profile.credentials["region"] == "RegionTwo"
    assert "env-password" not in repr(profile)


def test_a_broken_clouds_yaml_fails_only_when_used(clean_env: Path) -> None:
    _write(clean_env / ".config" / "openstack", clouds="clouds: [not, a, mapping]\n")
    profiles = load_profiles()
    assert profiles.get("local").kind == "cloudstack-sim"  # everything else still works
    assert any("clouds" in problem for problem in profiles.problems.values())


def test_omnicloud_yaml_overrides_a_cloud_of_the_same_name(clean_env: Path) -> None:
    _write(clean_env / ".config" / "openstack")
    config = clean_env / ".config" / "omnicloud" / "omnicloud.yaml"
    config.parent.mkdir(parents=True)
    config.write_text("cloud:\n  devstack:\n    kind: local\n")
    config.chmod(0o600)
    assert load_profiles().get("devstack").kind == "local"
