"""``omnicloud --cloud NAME ...`` with a profile of kind ``aws`` pointing at moto's server:
nodes, sizes, images, locations, keys, security groups, volumes and snapshots, as tables and
JSON; errors in one line (exit 1 from the API, 2 for usage); secrets never printed."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from omnicloud.cli import main
from tests.aws.conftest import Moto, fresh_region

AMI = "ami-12c6146b"
Run = Callable[..., tuple[str, str]]


@pytest.fixture
def run(
    moto: Moto, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Run:
    """``run(*argv, code=0)`` against a profile ``lab`` (kind aws, a fresh moto region)."""
    config = tmp_path / "omnicloud.yaml"
    config.write_text(
        "cloud:\n  lab:\n    kind: aws\n    credentials:\n"
        f"      key: {moto.key}\n      secret: {moto.secret}\n"
        f"      region: {fresh_region()}\n      endpoint: {moto.endpoint}\n"
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


def unique() -> str:
    """A name part no other test uses (moto's regions are shared once they run out)."""
    return uuid.uuid4().hex[:8]


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    return lines[0]


def rows(out: str) -> list[list[str]]:
    return [line.split() for line in out.splitlines()]


def test_catalogue(run: Run) -> None:
    out, _ = run("sizes", "list")
    header, *body = rows(out)
    assert header[:4] == ["ID", "NAME", "RAM", "DISK"]
    assert ["t3.micro", "t3.micro", "1024", "0"] in [row[:4] for row in body]
    out, _ = run("images", "list")
    assert rows(out)[0] == ["ID", "NAME"] and AMI in out
    zones = json.loads(run("-o", "json", "locations", "list")[0])
    assert zones and all(z["id"] == z["name"] for z in zones)


def test_keys(run: Run, tmp_path: Path) -> None:
    made, imported = f"key-{unique()}", f"imported-{unique()}"
    out, err = run("keys", "create", made)
    pem = tmp_path / f"{made}.pem"
    assert "BEGIN" in pem.read_text() and (pem.stat().st_mode & 0o777) == 0o600
    assert "BEGIN" not in out + err and f"written to {pem.name}" in err
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    public = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    )
    (tmp_path / "id.pub").write_bytes(public + b"\n")
    run("keys", "import", imported, str(tmp_path / "id.pub"))
    out, _ = run("keys", "list")
    assert rows(out)[0] == ["NAME", "FINGERPRINT"]
    assert {made, imported} <= {row[0] for row in rows(out)[1:]}
    run("keys", "delete", imported)
    assert imported not in run("keys", "list")[0]
    assert "no-such-key" in one_line(run("keys", "delete", "no-such-key", code=1)[1])


def test_security_groups(run: Run) -> None:
    web = f"web-{unique()}"
    out, _ = run("security-groups", "create", web, "--description", "web servers")
    assert "sg-" in out and "web servers" in out
    out, _ = run("security-groups", "authorize", web, "--port", "22", "--cidr", "10.0.0.0/8")
    assert "tcp 22 10.0.0.0/8" in out
    run("security-groups", "authorize", web, "--protocol", "udp", "--port", "53-54")
    run("security-groups", "authorize", web, "--protocol", "icmp")
    run("security-groups", "authorize", web, "--egress", "--port", "443")
    out, _ = run("security-groups", "list")
    header, *body = out.splitlines()
    assert header.split() == ["ID", "NAME", "DESCRIPTION", "INGRESS_RULES", "EGRESS_RULES"]
    line = next(line for line in body if f" {web} " in line)
    assert "tcp 22 10.0.0.0/8,udp 53-54 0.0.0.0/0,icmp 0.0.0.0/0" in line
    assert "Rule(" not in out and "{" not in out  # rules read as rules, not reprs or dicts
    groups = json.loads(run("-o", "json", "security-groups", "list")[0])
    (data,) = [g for g in groups if g["name"] == web]
    assert {(r["protocol"], r["from_port"]) for r in data["ingress_rules"]} == {
        ("tcp", 22), ("udp", 53), ("icmp", -1),
    }  # fmt: skip
    assert any(r["from_port"] == 443 for r in data["egress_rules"])
    out, _ = run("security-groups", "revoke", web, "--port", "22", "--cidr", "10.0.0.0/8")
    assert "tcp 22 10.0.0.0/8" not in out and "udp 53-54" in out
    run("security-groups", "revoke", web, "--protocol", "icmp")
    out, _ = run("security-groups", "revoke", web, "--egress", "--port", "443")
    assert "tcp 443" not in out
    after = next(
        g for g in json.loads(run("-o", "json", "security-groups", "list")[0]) if g["name"] == web
    )
    assert [(r["protocol"], r["from_port"]) for r in after["ingress_rules"]] == [("udp", 53)]
    assert "no ids" in one_line(run("security-groups", "revoke", web, "--rule", "r1", code=2)[1])
    assert "--port is required" in one_line(run("security-groups", "revoke", web, code=2)[1])
    err = run("security-groups", "create", web, code=1)[1]
    assert web in one_line(err) and "already exists" in err
    assert "no security group" in one_line(run("security-groups", "delete", "nope", code=2)[1])
    run("security-groups", "delete", data["id"])  # by id
    assert f" {web} " not in run("security-groups", "list")[0]


def test_nodes_and_volumes(run: Run) -> None:
    u = unique()
    key, group, base, vol = f"k-{u}", f"s-{u}", f"n{u}", f"v-{u}"
    one, two = f"{base}-1", f"{base}-2"
    run("keys", "create", key)
    run("security-groups", "create", group)
    zone = json.loads(run("-o", "json", "locations", "list")[0])[0]["name"]
    out, _ = run(
        "nodes", "create", base, "--count", "2", "--size", "t3.micro", "--image", AMI,
        "--location", zone, "--keypair", key, "--security-group", group,
    )  # fmt: skip
    header, *body = rows(out)
    assert header[:3] == ["ID", "NAME", "STATE"] and [r[1:3] for r in body] == [
        [one, "running"], [two, "running"],
    ]  # fmt: skip
    listed = json.loads(run("-o", "json", "nodes", "list")[0])
    nodes = sorted((n for n in listed if n["name"].startswith(base)), key=lambda n: n["name"])
    assert [n["name"] for n in nodes] == [one, two]
    assert all(n["extra"]["key_name"] == key and n["public_ips"] for n in nodes)
    assert all(n["extra"]["groups"][0]["group_name"] == group for n in nodes)
    out, _ = run("nodes", "stop", one)
    assert rows(out)[1][1:3] == [one, "stopped"]
    out, _ = run("nodes", "start", one)
    assert rows(out)[1][1:3] == [one, "running"]
    run("nodes", "reboot", two)
    shown = run("nodes", "show", two)[0]
    assert two in shown and "running" in shown

    out, _ = run("volumes", "create", vol, "--size", "2", "--location", zone)
    assert vol in out and "vol-" in out
    run("volumes", "attach", vol, one)
    volumes = json.loads(run("-o", "json", "volumes", "list")[0])
    (volume,) = [v for v in volumes if v["name"] == vol]  # besides the root volumes
    assert (volume["state"], volume["extra"]["instance_id"]) == ("inuse", nodes[0]["id"])
    assert volume["extra"]["device"] == "/dev/sdh"
    run("snapshots", "create", vol, "--name", "nightly")
    out, _ = run("snapshots", "list", vol)
    assert "nightly" in out and "snap-" in out
    run("volumes", "detach", vol)
    run("snapshots", "destroy", vol, "nightly")
    run("volumes", "destroy", vol)
    assert vol not in {row[1] for row in rows(run("volumes", "list")[0])}

    run("nodes", "destroy", one, two)
    listed = json.loads(run("-o", "json", "nodes", "list")[0])
    states = {n["name"]: n["state"] for n in listed if n["name"] in (one, two)}
    assert set(states) == {one, two} and set(states.values()) <= {"terminated", "stopping"}


def test_usage_and_api_errors(run: Run) -> None:
    assert "no size 'x9.huge'" in one_line(
        run("nodes", "create", "n", "--size", "x9.huge", "--image", AMI, code=2)[1]
    )
    # the region may hold other tests' nodes (regions are reused once all are used)
    missing = one_line(run("nodes", "stop", "ghost", code=2)[1])
    assert "has no nodes" in missing or "no node 'ghost'" in missing
    err = run("volumes", "create", "v", "--size", "1", "--location", "nowhere-1z", code=2)[1]
    assert "no location 'nowhere-1z'" in one_line(err)
    _, err = run("nodes", "destroy", "x", "--expunge", code=2)
    assert "--expunge is for CloudStack" in err


def test_revoke_by_rule_id_on_cloudstack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same command on the built-in CloudStack cloud, whose rules have ids."""
    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(tmp_path / "none.yaml"))

    def local(*argv: str, code: int = 0) -> str:
        assert main(["--cloud", "local", *argv]) == code
        out, err = capsys.readouterr()
        return out + err

    local("security-groups", "create", "cs-web")
    local("security-groups", "authorize", "cs-web", "--port", "80")
    groups = json.loads(local("-o", "json", "security-groups", "list"))
    (rule,) = next(g for g in groups if g["name"] == "cs-web")["ingress_rules"]
    assert "--rule is required" in local("security-groups", "revoke", "cs-web", code=2)
    local("security-groups", "revoke", "cs-web", "--rule", rule["id"])
    groups = json.loads(local("-o", "json", "security-groups", "list"))
    assert next(g for g in groups if g["name"] == "cs-web")["ingress_rules"] == []


def test_elastic_ips_through_the_ips_command(run: Run) -> None:
    import json

    out, _ = run("nodes", "create", f"eip-{unique()}", "--image", AMI, "--size", "t2.micro")
    node = rows(out)[1][1]
    out, _ = run("ips", "allocate", "-o", "json")
    made = json.loads(out)
    assert made["address"] and made["node"] == ""
    run("ips", "associate", made["address"], node)
    listed = {r["address"]: r for r in json.loads(run("ips", "list", "-o", "json")[0])}
    assert listed[made["address"]]["node"].startswith("i-")
    run("ips", "disassociate", made["address"])
    run("ips", "release", made["address"])
    assert made["address"] not in {
        r["address"] for r in json.loads(run("ips", "list", "-o", "json")[0])
    }
