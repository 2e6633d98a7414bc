"""Which config files are trusted, lazy profiles, and TLS switches that must not be misread."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import pytest

from omnicloud import connect
from omnicloud.cloudstack import read_config
from omnicloud.config import load_profiles
from omnicloud.errors import ConfigurationError, ValidationError
from omnicloud.http import HttpConfig


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(path, mode)
    return path


def marker_command(marker: Path) -> str:
    """A credentials_command that leaves ``marker`` behind when it runs."""
    code = f"open({str(marker)!r}, 'w').close(); print('{{}}')"
    return f"{sys.executable} -c {code!r}"


def hostile(directory: Path) -> Path:
    """A project ``omnicloud.yaml`` whose unused profile runs a command and takes the default."""
    return write(
        directory / "omnicloud.yaml",
        "default: {cloud: evil}\n"
        "cloud:\n"
        "  evil:\n"
        "    kind: cloudstack\n"
        "    credentials: {endpoint: 'http://127.0.0.1:9/client/api', key: k, secret: s}\n"
        f"    credentials_command: {marker_command(directory / 'PWNED')}\n"
        "  lab: {kind: exoscale, credentials: {key: project-key, secret: project-secret}}\n",
    )


def user_file(home: Path) -> Path:
    return write(
        home / ".config" / "omnicloud" / "omnicloud.yaml",
        "default: {cloud: lab}\ncloud:\n  lab: {kind: cloudstack, credentials: {key: mine}}\n",
    )


def test_working_directory_file_never_runs_a_command() -> None:
    hostile(Path.cwd())
    profiles = load_profiles()
    assert "evil" not in profiles and profiles.files == []
    assert profiles.get("local").kind == "cloudstack-sim"
    assert profiles.get().name == "local"
    connect("local").close()
    connect("local", "storage")
    assert not (Path.cwd() / "PWNED").exists()


def test_working_directory_file_keeps_the_users_profiles_and_default(clean_env: Path) -> None:
    mine = user_file(clean_env)
    hostile(Path.cwd())
    profiles = load_profiles()
    assert profiles.default == "lab"
    lab = profiles.get()
    assert (lab.kind, lab.credentials, lab.source) == ("cloudstack", {"key": "mine"}, str(mine))
    assert profiles.files == [str(mine)]


def test_ignored_working_directory_file_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    local = hostile(Path.cwd())
    with caplog.at_level(logging.INFO, logger="omnicloud.config"):
        load_profiles()
    assert any(
        str(local) in r.getMessage() and "--config" in r.getMessage() for r in caplog.records
    )


def test_opting_in_reads_it_and_names_the_file_that_shadows(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    mine = user_file(clean_env)
    local = hostile(Path.cwd())
    monkeypatch.setenv("OMNICLOUD_CONFIG", "omnicloud.yaml")
    profiles = load_profiles()
    assert profiles.default == "evil" and "evil" in profiles
    with caplog.at_level(logging.WARNING, logger="omnicloud.config"):
        lab = profiles.get("lab")
    assert lab.kind == "exoscale" and lab.source == str(local.resolve())
    text = " ".join(r.getMessage() for r in caplog.records)
    assert str(local.resolve()) in text and str(mine) in text and "'lab'" in text
    assert not (Path.cwd() / "PWNED").exists()  # evil's command runs only when evil is used
    assert profiles.get("evil").credentials["key"] == "k"
    assert (Path.cwd() / "PWNED").exists()


def test_a_command_runs_only_for_the_profile_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    markers = {name: tmp_path / f"ran-{name}" for name in ("a", "b")}
    body = "".join(
        f"  {name}:\n    kind: exoscale\n    credentials: {{key: k, secret: s}}\n"
        f"    credentials_command: {marker_command(marker)}\n"
        for name, marker in markers.items()
    )
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(write(tmp_path / "o.yaml", "cloud:\n" + body)))
    profiles = load_profiles()
    assert {"a", "b"} <= set(profiles.names())
    assert profiles.describe("a").kind == "exoscale"
    assert not any(marker.exists() for marker in markers.values())
    profiles.get("a")
    assert markers["a"].exists() and not markers["b"].exists()


BROKEN = """
cloud:
  bad:
    kind: exoscale
    credentials: {key: '${UNSET_FOR_OMNICLOUD_TEST}', secret: s}
  good: {kind: exoscale, credentials: {key: k, secret: s}}
"""


def test_one_broken_profile_fails_only_when_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "o.yaml", BROKEN)
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(path))
    profiles = load_profiles()
    assert profiles.get("good").credentials == {"key": "k", "secret": "s"}
    assert profiles.problem("good") is None
    with pytest.raises(ConfigurationError) as caught:
        profiles.get("bad")
    assert str(path) in str(caught.value) and "'bad'" in str(caught.value)
    assert "UNSET_FOR_OMNICLOUD_TEST is not set" in str(caught.value)
    assert "UNSET_FOR_OMNICLOUD_TEST" in (profiles.problem("bad") or "")
    connect("local").close()


def test_malformed_file_leaves_the_built_ins_working(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "o.yaml", "default: {cloud: lab}\ncloud: {lab: {kind: x}\n")
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(path))
    profiles = load_profiles()
    assert profiles.get("local").kind == "cloudstack-sim"
    assert profiles.get("local-sigma").kind == "cloudsigma-sim"
    connect("local").close()
    with pytest.raises(ConfigurationError, match="not valid YAML") as caught:
        profiles.get("lab")
    assert str(path) in str(caught.value)
    with pytest.raises(ConfigurationError, match="not valid YAML"):
        profiles.get()  # the default cloud may be named in the broken file
    assert profiles.problems == {str(path): profiles.problems[str(path)]}


def test_working_directory_cloudstack_ini_does_not_become_a_profile(clean_env: Path) -> None:
    write(clean_env / ".cloudstack.ini", "[lab]\nendpoint = https://mine\nkey = k\nsecret = s\n")
    write(
        Path.cwd() / "cloudstack.ini",
        "[lab]\nendpoint = https://project\n[extra]\nendpoint = https://x\nkey = k\nsecret = s\n",
    )
    profiles = load_profiles()
    assert profiles.get("lab").credentials["endpoint"] == "https://mine"
    assert "extra" not in profiles


def test_broken_ini_region_fails_only_when_used(clean_env: Path) -> None:
    write(
        clean_env / ".cloudstack.ini",
        "[ok]\nendpoint = https://a\nkey = k\nsecret = s\n"
        "[bad]\nendpoint = https://b\nkey = k\nsecret = s\ntimeout = soon\n",
    )
    profiles = load_profiles()
    assert profiles.get("ok").credentials["endpoint"] == "https://a"
    with pytest.raises(ConfigurationError, match=r"'bad'.*timeout = 'soon'"):
        profiles.get("bad")


@pytest.mark.parametrize("mode", [0o644, 0o640])
def test_readable_cloudstack_ini_with_a_secret_warns(clean_env: Path, mode: int) -> None:
    path = write(
        clean_env / ".cloudstack.ini",
        "[cloudstack]\nendpoint = https://a\nkey = k\nsecret = s\n",
        mode,
    )
    with pytest.warns(UserWarning, match=rf"{path} is readable by other users.*chmod 600"):
        read_config()


def test_readable_cloudstack_config_file_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(
        tmp_path / "cs.ini", "[cloudstack]\nendpoint = https://a\nkey = k\nsecret = s\n", 0o604
    )
    monkeypatch.setenv("CLOUDSTACK_CONFIG", str(path))
    with pytest.warns(UserWarning, match="readable by other users"):
        read_config()


def test_private_or_secretless_ini_does_not_warn(clean_env: Path) -> None:
    import warnings

    write(clean_env / ".cloudstack.ini", "[cloudstack]\nendpoint = https://a\nkey = k\n", 0o644)
    write(Path.cwd() / "cloudstack.ini", "[cloudstack]\nsecret = s\n", 0o600)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_config()["secret"] == "s"


@pytest.mark.parametrize("value", ["false", "False", "0", "no", "off"])
def test_verify_false_in_ini_is_refused(clean_env: Path, value: str) -> None:
    write(
        clean_env / ".cloudstack.ini",
        f"[cloudstack]\nendpoint = https://a\nkey = k\nsecret = s\nverify = {value}\n",
    )
    with pytest.raises(ConfigurationError, match="dangerous_no_tls_verify") as caught:
        read_config()
    assert "[cloudstack]" in str(caught.value)


def test_verify_false_in_environment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "ENDPOINT": "https://e",
        "KEY": "k",
        "SECRET": "s",
        "VERIFY": "false",
    }.items():
        monkeypatch.setenv(f"CLOUDSTACK_{name}", value)
    with pytest.raises(ConfigurationError, match=r"CLOUDSTACK_VERIFY.*DANGEROUS_NO_TLS_VERIFY"):
        read_config()
    monkeypatch.setenv("CLOUDSTACK_DANGEROUS_NO_TLS_VERIFY", "true")
    config = read_config()  # the explicit switch says what was meant
    assert config["dangerous_no_tls_verify"] is True and "verify" not in config


def test_verify_true_and_a_path_still_work(clean_env: Path) -> None:
    base = "[cloudstack]\nendpoint = https://a\nkey = k\nsecret = s\n"
    write(clean_env / ".cloudstack.ini", base + "verify = yes\n")
    assert read_config()["verify"] is True
    write(clean_env / ".cloudstack.ini", base + "verify = /etc/ca.pem\n")
    assert read_config()["verify"] == "/etc/ca.pem"


@pytest.mark.parametrize("value", ["false", "FALSE", "0", "no", "off"])
def test_http_config_never_takes_false_as_a_path(value: str) -> None:
    with pytest.raises(ValidationError, match="insecure=True"):
        HttpConfig(verify=value)


def test_http_config_reads_true_as_true() -> None:
    assert HttpConfig(verify="true").verify is True


@pytest.mark.parametrize("value", ["false", "no", False])
def test_profile_verify_false_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: object
) -> None:
    text = (
        "cloud:\n  lab:\n    kind: cloudstack\n"
        "    credentials: {endpoint: 'https://127.0.0.1:9/client/api', key: k, secret: s}\n"
    )
    rendered = "false" if value is False else repr(value)
    write(tmp_path / "o.yaml", text + f"    default: {{verify: {rendered}}}\n")
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(tmp_path / "o.yaml"))
    with pytest.raises(ConfigurationError, match=r"cloud 'lab'.*dangerous_no_tls_verify"):
        connect("lab")
