"""``omnicloud ips``: one command for OpenStack floating IPs, CloudStack public IPs (static NAT)
and, in tests/aws, EC2 elastic IPs; on the built-in clouds, in-process."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from omnicloud.cli import main

Run = Callable[..., tuple[str, str]]


@pytest.fixture
def run(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    def invoke(*argv: str, code: int = 0) -> tuple[str, str]:
        result = main(list(argv))
        out, err = capsys.readouterr()
        assert result == code, f"exit {result}: {err}"
        return out, err

    return invoke


@pytest.fixture(autouse=True)
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The built-in clouds keep their state here, one fresh folder per test."""
    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(tmp_path / "data"))


def _addresses(run: Run, cloud: str) -> list[dict[str, str]]:
    out, _err = run("--cloud", cloud, "ips", "list", "-o", "json")
    rows: list[dict[str, str]] = json.loads(out)
    return rows


def test_openstack_floating_ip_round_trip(run: Run) -> None:
    cloud = "local-openstack"
    # a new server has a private address only: `nodes create` waits for that, not a public one
    out, _ = run("--cloud", cloud, "nodes", "create", "web", "--size", "m1.tiny",
                 "--image", "cirros-0.6.2-x86_64-disk")  # fmt: skip
    assert "running" in out and "10.0.0." in out
    run("--cloud", cloud, "ips", "allocate")
    (row,) = _addresses(run, cloud)
    assert row["address"].startswith("172.24.4.") and row["node"] == ""
    out, _ = run("--cloud", cloud, "ips", "associate", row["address"], "web")
    assert out.strip() == f"associated {row['address']} with web"
    (associated,) = _addresses(run, cloud)
    node_id = json.loads(run("--cloud", cloud, "nodes", "show", "web", "-o", "json")[0])["id"]
    assert associated["node"] == node_id
    run("--cloud", cloud, "ips", "disassociate", row["id"])  # by id works too
    assert _addresses(run, cloud)[0]["node"] == ""
    run("--cloud", cloud, "ips", "release", row["address"])
    assert _addresses(run, cloud) == []


def test_cloudstack_public_ip_with_static_nat(run: Run) -> None:
    before = {r["id"] for r in _addresses(run, "local")}
    zone = "Sandbox-Advanced"  # a Basic zone has no public IPs to hand out
    run("--cloud", "local", "ips", "allocate", "--location", "Sandbox-Basic", code=1)
    out, _ = run("--cloud", "local", "ips", "allocate", "--location", zone, "-o", "json")
    made = json.loads(out)
    assert made["id"] not in before and made["address"]
    run("--cloud", "local", "nodes", "create", "nat-web", "--location", zone)
    run("--cloud", "local", "ips", "associate", made["address"], "nat-web")
    row = next(r for r in _addresses(run, "local") if r["id"] == made["id"])
    assert row["node"]
    run("--cloud", "local", "ips", "disassociate", made["address"])
    run("--cloud", "local", "ips", "release", made["address"])
    assert made["id"] not in {r["id"] for r in _addresses(run, "local")}


def test_a_cloud_without_public_addresses_says_so(run: Run) -> None:
    _out, err = run("--cloud", "local-sigma", "ips", "list", code=2)
    assert err.strip() == "Error: CloudSigmaNodeDriver has no public addresses to manage"


def test_options_of_another_provider_are_usage_errors(run: Run) -> None:
    _out, err = run("--cloud", "local-openstack", "ips", "allocate", "--location", "x", code=2)
    assert "--location is for CloudStack clouds" in err


def test_an_unknown_address_is_a_usage_error(run: Run) -> None:
    _out, err = run("--cloud", "local-openstack", "ips", "release", "192.0.2.99", code=2)
    assert "no public address '192.0.2.99'" in err
