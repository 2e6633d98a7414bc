"""read_config(): the cs configuration scheme and its precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from omnicloud.cloudstack import read_config
from omnicloud.errors import ConfigurationError


def test_env_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDSTACK_ENDPOINT", "https://e/client/api")
    monkeypatch.setenv("CLOUDSTACK_KEY", "k")
    monkeypatch.setenv("CLOUDSTACK_SECRET", "s")
    monkeypatch.setenv("CLOUDSTACK_TIMEOUT", "30")
    monkeypatch.setenv("CLOUDSTACK_RETRY", "2")
    monkeypatch.setenv("CLOUDSTACK_JOB_TIMEOUT", "90")
    monkeypatch.setenv("CLOUDSTACK_POLL_INTERVAL", "0.5")
    monkeypatch.setenv("CLOUDSTACK_EXPIRATION", "-1")
    monkeypatch.setenv("CLOUDSTACK_VERIFY", "/ca.pem")
    monkeypatch.setenv("CLOUDSTACK_CERT", "/c.pem")
    monkeypatch.setenv("CLOUDSTACK_CERT_KEY", "/k.pem")
    monkeypatch.setenv("CLOUDSTACK_METHOD", "post")
    assert read_config() == {
        "endpoint": "https://e/client/api",
        "key": "k",
        "secret": "s",
        "timeout": 30.0,
        "retry": 2,
        "job_timeout": 90.0,
        "poll_interval": 0.5,
        "expiration": -1.0,
        "verify": "/ca.pem",
        "cert": "/c.pem",
        "cert_key": "/k.pem",
        "method": "post",
        "name": "cloudstack",
    }


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o600)  # a readable file holding a secret warns (tests/unit/test_config_trust.py)
    return path


def test_ini_precedence_home_cwd_config(
    clean_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        clean_env / ".cloudstack.ini",
        "[cloudstack]\nendpoint = https://home\nkey = hk\nsecret = hs\ntimeout = 5\n",
    )
    assert read_config()["endpoint"] == "https://home"
    write(Path.cwd() / "cloudstack.ini", "[cloudstack]\nendpoint = https://cwd\n")
    config = read_config()
    assert (config["endpoint"], config["key"], config["timeout"]) == ("https://cwd", "hk", 5.0)
    extra = write(tmp_path / "extra.ini", "[cloudstack]\nendpoint = https://extra\n")
    monkeypatch.setenv("CLOUDSTACK_CONFIG", str(extra))
    assert read_config()["endpoint"] == "https://extra"


def test_region_sections_and_headers(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(
        clean_env / ".cloudstack.ini",
        "[cloudstack]\nendpoint = https://a\nkey = a\nsecret = a\n"
        "[exo]\nendpoint = https://b\nkey = b\nsecret = b\nheader_x-env = prod\n"
        "dangerous_no_tls_verify = true\nother = ignored\n",
    )
    assert read_config("exo") == {
        "endpoint": "https://b",
        "key": "b",
        "secret": "b",
        "headers": {"x-env": "prod"},
        "dangerous_no_tls_verify": True,
        "name": "exo",
    }
    monkeypatch.setenv("CLOUDSTACK_REGION", "exo")
    assert read_config()["endpoint"] == "https://b"
    with pytest.raises(
        ConfigurationError, match=r"region 'nope' not found.*regions: cloudstack, exo"
    ):
        read_config("nope")


def test_ini_beats_env_unless_overridden(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(
        clean_env / ".cloudstack.ini",
        "[cloudstack]\nendpoint = https://ini\nkey = ik\nsecret = is\n",
    )
    monkeypatch.setenv("CLOUDSTACK_ENDPOINT", "https://env")
    assert read_config()["endpoint"] == "https://ini"
    monkeypatch.setenv("CLOUDSTACK_OVERRIDES", "endpoint")
    assert read_config()["endpoint"] == "https://env"


def test_missing_is_configuration_error_not_systemexit() -> None:
    with pytest.raises(ConfigurationError, match="missing endpoint, key, secret"):
        read_config()


def test_bad_values_named(clean_env: Path) -> None:
    write(
        clean_env / ".cloudstack.ini",
        "[cloudstack]\nendpoint = https://a\nkey = a\nsecret = a\ntimeout = soon\n",
    )
    with pytest.raises(ConfigurationError, match="timeout = 'soon'"):
        read_config()
    write(clean_env / ".cloudstack.ini", "not an ini file")
    with pytest.raises(ConfigurationError, match="not a valid ini file"):
        read_config()
