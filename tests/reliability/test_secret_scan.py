"""Every CLI command, run with ``--trace`` and ``OMNICLOUD_DEBUG=1`` against the simulators and a
real S3 server, leaks no secret: not in stdout, stderr, the logs or any exception text.

The secrets looked for: the CloudStack secret key (and API key), the CloudSigma password and its
Basic ``Authorization`` value, the S3 secret key, any request signature (CloudStack ``signature=``,
SigV4 ``Signature=``), any ``Authorization`` header value and any private key block.
"""

from __future__ import annotations

import base64
import logging
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from omnicloud.cli import main
from omnicloud.sim.cloudsigma import CloudSigmaState
from omnicloud.sim.cloudstack import CloudStackState
from tests.reliability._ledger import LEDGER
from tests.storage.conftest import S3Server

S3_SECRET = "moto-secret-key"  # the moto fixture's secret; moto accepts any
SIGNATURE = re.compile(r"(?i)signature=(?!REDACTED)([A-Za-z0-9%+/=]{16,})")
AUTHORIZATION = re.compile(r"(?im)^[<> ]*authorization: (?!REDACTED)(\S+)")
PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")


@pytest.fixture
def clouds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moto_server: S3Server
) -> Iterator[list[str]]:
    """A data directory for the built-in clouds, a config with an S3 cloud; the secrets."""
    data = tmp_path / "data"
    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(data))
    config = tmp_path / "omnicloud.yaml"
    clouds = {
        "s3lab": {
            "kind": "s3",
            "credentials": {
                "key": moto_server.key,
                "secret": "${LAB_S3_SECRET}",
                "endpoint": moto_server.endpoint,
                "addressing": "path",
            },
        }
    }
    config.write_text(
        yaml.safe_dump({"cloudmesh": {"default": {"cloud": "local"}, "cloud": clouds}})
    )
    config.chmod(0o600)
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(config))
    monkeypatch.setenv("LAB_S3_SECRET", moto_server.secret)
    monkeypatch.setenv("OMNICLOUD_DEBUG", "1")
    data.mkdir()
    # the built-in clouds create their accounts on first use; read their secrets from the state
    assert main(["sizes", "list"]) == 0
    assert main(["--cloud", "local-sigma", "sizes", "list"]) == 0
    cloudstack = CloudStackState(data / "local-cloudstack.db")
    key, secret = cloudstack.credentials("admin")
    sigma = CloudSigmaState(data / "local-cloudsigma.db")
    user, password = sigma.credentials
    basic = base64.b64encode(f"{user}:{password}".encode()).decode()
    yield [secret, key, password, basic, moto_server.secret, S3_SECRET]
    for state in (cloudstack, sigma):
        close = getattr(state, "close", None)
        if close:
            close()
    sqlite3.connect(":memory:").close()


def commands(tmp: Path) -> list[list[str]]:
    """Every command group, with a failing case or two, on the three kinds of cloud."""
    public = tmp / "id_test.pub"
    public.write_text(
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGu0Zc0Jr6Nf1tB4eO6oQ9JgkVz3cK1ZJxGQwqKf0y2S test\n"
    )
    upload = tmp / "upload.txt"
    upload.write_text("payload for the secret scan\n")
    fetched = tmp / "fetched.txt"
    key_file = tmp / "scan-key.pem"
    lines = [
        "nodes create scan-a --location Sandbox-Basic",
        "nodes list",
        "nodes show scan-a",
        "nodes stop scan-a",
        "nodes start scan-a",
        "nodes reboot scan-a",
        "sizes list",
        "images list",
        "locations list",
        "volumes create scan-vol --size 5 --location Sandbox-Basic",
        "volumes list",
        "snapshots create scan-vol",
        "snapshots list scan-vol",
        f"keys create scan-key --output {key_file}",
        f"keys import scan-imported {public}",
        "keys list",
        "keys delete scan-key",
        "keys delete scan-imported",
        "security-groups create scan-sg",
        "security-groups authorize scan-sg --protocol tcp --port 22 --cidr 0.0.0.0/0",
        "security-groups list",
        "security-groups delete scan-sg",
        "nodes destroy scan-a",
        "nodes show no-such-node",
        "config list",
        "config show local",
        "config show s3lab",
        "config check local",
        "config check s3lab",
        "--cloud local cs listZones",
        "--cloud local cs listVirtualMachines fetch_list=true",
        "--cloud local cs --post listAsyncJobs",
        "--cloud local cs deployVirtualMachine zoneid=nope",
        "--cloud local-sigma nodes list",
        "--cloud local-sigma sizes list",
        "--cloud local-sigma images list",
        "--cloud local-sigma locations list",
        "--cloud local-sigma keys list",
        "--cloud local-sigma nodes show no-such-node",
        "storage mb scan-bucket",
        f"storage put {upload} scan-bucket/file.txt",
        "storage ls",
        "storage ls scan-bucket",
        "storage stat scan-bucket/file.txt",
        f"storage get scan-bucket/file.txt {fetched}",
        "storage rm scan-bucket/file.txt",
        "storage rb scan-bucket",
        "--cloud s3lab storage mb scan-s3-bucket",
        f"--cloud s3lab storage put {upload} scan-s3-bucket/file.txt",
        "--cloud s3lab storage ls scan-s3-bucket",
        "--cloud s3lab storage stat scan-s3-bucket/file.txt",
        f"--cloud s3lab storage get scan-s3-bucket/file.txt {tmp / 'from-s3.txt'}",
        "--cloud s3lab storage get scan-s3-bucket/missing.txt -",
        "--cloud s3lab storage rm scan-s3-bucket/file.txt",
        "--cloud s3lab storage rb scan-s3-bucket",
    ]
    return [line.split() for line in lines]


def leaks(text: str, secrets: list[str]) -> list[str]:
    found = [f"secret {s[:3]}…" for s in secrets if s and s in text]
    found += [f"signature {m[:6]}…" for m in SIGNATURE.findall(text)]
    found += [f"authorization {m[:6]}…" for m in AUTHORIZATION.findall(text)]
    found += ["private key"] * len(PRIVATE_KEY.findall(text))
    return found


def test_no_cli_command_leaks_a_secret(
    clouds: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    outcomes: dict[str, int] = {}
    found: list[str] = []
    traced = 0
    s3_traced = 0
    for argv in commands(tmp_path):
        name = " ".join(argv)
        try:
            code = main(["--trace", *argv])
        except SystemExit as exit_:  # click may exit; still an outcome to scan
            code = int(exit_.code or 0)
        out, err = capsys.readouterr()
        outcomes[name] = code
        text = out + err + caplog.text
        traced += sum(1 for record in caplog.records if record.name == "omnicloud.http")
        s3_traced += caplog.text.lower().count("x-amz-date")  # a SigV4-signed request to moto
        caplog.clear()
        found += [f"{name}: {leak}" for leak in leaks(text, clouds)]
        LEDGER.add("outputs scanned for secrets")
    LEDGER.add("secrets found", len(found))
    assert found == [], found[:10]
    assert traced > 50  # the trace really was on: requests were printed and scanned
    assert s3_traced >= 8  # the S3 profile's commands really went to the S3 server
    failures = {name: code for name, code in outcomes.items() if code != 0}
    expected_failures = {
        "nodes show no-such-node",
        "--cloud local cs deployVirtualMachine zoneid=nope",
        "--cloud local-sigma nodes show no-such-node",
        "--cloud s3lab storage get scan-s3-bucket/missing.txt -",
    }
    assert set(failures) == expected_failures, failures
    assert all(code in (1, 2) for code in failures.values())


def test_scanner_finds_what_it_looks_for() -> None:
    """The scan itself would see a leak (so a clean scan means something)."""
    sample = (
        "> GET http://x/client/api?command=listZones&signature=abcdefghijklmnopqrstuv%3D\n"
        "> authorization: Basic dXNlcjpwYXNz\n"
        "-----BEGIN OPENSSH PRIVATE KEY-----\n"
        "secret value s3cr3t-value\n"
    )
    assert len(leaks(sample, ["s3cr3t-value"])) == 4
    assert leaks("signature=REDACTED authorization: REDACTED", []) == []
