"""``omnicloud --cloud NAME dns zones|records ...`` with a profile of kind ``aws`` pointing at
moto's server (via ``OMNICLOUD_CONFIG``): every output format, multi-value records, errors in
one line, secrets never printed, and ``omnicloud --help`` not importing the DNS code."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from omnicloud.cli import main
from tests.aws.conftest import Moto

Run = Callable[..., tuple[str, str]]


@pytest.fixture
def run(
    moto: Moto, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Run:
    """``run(*argv, code=0)`` against a profile ``lab`` of kind aws."""
    config = tmp_path / "omnicloud.yaml"
    config.write_text(
        "cloud:\n  lab:\n    kind: aws\n    credentials:\n"
        f"      key: {moto.key}\n      secret: {moto.secret}\n"
        f"      endpoint: {moto.endpoint}\n"
    )
    config.chmod(0o600)
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(config))
    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)

    def invoke(*argv: str, code: int = 0) -> tuple[str, str]:
        result = main(["--cloud", "lab", *argv])
        out, err = capsys.readouterr()
        assert result == code, f"exit {result}: {err}"
        assert moto.secret not in out + err
        return out, err

    return invoke


def _domain() -> str:
    return f"cli-{uuid.uuid4().hex[:10]}.example.com"


def test_zones_and_records_round_trip(run: Run, moto: Moto) -> None:
    domain = _domain()
    out, _ = run("dns", "zones", "create", domain, "--comment", "made by the cli", "-o", "json")
    zone = json.loads(out)
    assert zone["domain"] == f"{domain}." and zone["extra"]["Comment"] == "made by the cli"
    out, _ = run("dns", "zones", "list")
    header, *body = [line.split() for line in out.splitlines()]
    assert header == ["ID", "DOMAIN", "TYPE", "TTL"]
    assert [zone["id"], f"{domain}.", "master"] in [row[:3] for row in body]

    run("dns", "records", "create", domain, "www", "A", "192.0.2.1", "--ttl", "60")
    run("dns", "records", "create", domain, "@", "MX", "mail.example.net.", "--priority", "10")
    out, _ = run("dns", "records", "create", zone["id"], "pool", "a", "192.0.2.5", "192.0.2.6")
    assert [line.split()[3] for line in out.splitlines()[1:]] == ["192.0.2.5", "192.0.2.6"]

    out, _ = run("dns", "records", "list", domain, "-o", "csv")
    listed = list(csv.DictReader(io.StringIO(out)))
    assert list(listed[0]) == ["id", "name", "type", "data", "ttl"]
    mine = {(r["id"], r["data"], r["ttl"]) for r in listed if r["type"] in ("A", "MX")}
    assert mine == {
        ("A:www", "192.0.2.1", "60"),
        ("MX:", "mail.example.net.", "300"),
        ("A:pool", "192.0.2.5", "300"),
        ("A:pool", "192.0.2.6", "300"),
    }
    out, _ = run("dns", "records", "list", domain, "--type", "mx", "-o", "yaml")
    (mx,) = yaml.safe_load(out)
    assert (mx["data"], mx["extra"]["priority"], mx["zone"]["id"]) == (
        "mail.example.net.", 10, zone["id"],
    )  # fmt: skip
    theirs = moto.boto3("route53").list_resource_record_sets(HostedZoneId=zone["id"])
    assert {s["Name"] for s in theirs["ResourceRecordSets"]} >= {f"www.{domain}.", f"{domain}."}

    _, err = run("dns", "records", "delete", domain, "A:pool", "--data", "192.0.2.5")
    assert "deleted A:pool (1 value)" in err
    out, _ = run("dns", "records", "list", domain, "--type", "A", "-o", "json")
    assert sorted(r["data"] for r in json.loads(out)) == ["192.0.2.1", "192.0.2.6"]
    run("dns", "records", "delete", domain, "A:www")

    _, err = run("dns", "zones", "delete", domain, code=1)  # Route53: not empty
    assert "HostedZoneNotEmpty" in err and len(err.strip().splitlines()) == 1
    _, err = run("dns", "zones", "delete", domain, "--force")
    assert f"deleted zone {domain}." in err
    out, _ = run("dns", "zones", "list", "-o", "json")
    assert zone["id"] not in {z["id"] for z in json.loads(out)}


def test_usage_errors(run: Run) -> None:
    _, err = run("dns", "records", "list", "nowhere.example.com", code=2)
    assert "no zone 'nowhere.example.com'" in err
    domain = _domain()
    run("dns", "zones", "create", domain)
    _, err = run("dns", "records", "create", domain, "x", "BOGUS", "1", code=2)
    assert "unknown record type 'BOGUS'" in err
    _, err = run("dns", "records", "delete", domain, "A:ghost", code=2)
    assert "no record 'A:ghost'" in err
    _, err = run("dns", "records", "create", domain, "x", "WKS", "1", code=2)  # no request
    assert "Route53 has no WKS records" in err
    out, _ = run("dns", "records", "list", domain, "--type", "A", "-o", "table")
    assert out.split() == ["ID", "NAME", "TYPE", "DATA", "TTL"]  # empty: the header only
    run("dns", "zones", "delete", domain)


def test_cloud_without_dns_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "omnicloud.yaml"
    config.write_text("cloud:\n  box: {kind: s3, credentials: {key: k, secret: s3cr3t-value}}\n")
    config.chmod(0o600)
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(config))
    assert main(["--cloud", "box", "dns", "zones", "list"]) != 0
    err = capsys.readouterr().err
    assert "no dns driver" in err and "kinds with dns drivers: aws" in err
    assert "s3cr3t-value" not in err


def test_help_lists_dns_without_importing_it() -> None:
    code = (
        "import sys; from omnicloud.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "names = ('omnicloud.dns', 'omnicloud.cli.dns')\n"
        "print(sorted(m for m in sys.modules if m.startswith(names)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "dns   " in done.stdout and "DNS zones and records." in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"
