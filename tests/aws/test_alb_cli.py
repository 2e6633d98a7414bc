"""``omnicloud lb ...`` for both load balancer drivers: ELBv2 (a profile of kind ``aws``
pointing at moto, via ``OMNICLOUD_CONFIG``) and CloudStack (the built-in ``local`` cloud):
every output format, members with ports, errors in one line with exit 1 (API) or 2 (usage),
secrets never printed, and ``omnicloud --help`` not importing the load balancer code."""

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
from tests.aws.conftest import Moto, fresh_region

Run = Callable[..., tuple[str, str]]
AMI = "ami-12c6146b"


@pytest.fixture
def region() -> str:
    return fresh_region()


@pytest.fixture
def run(
    moto: Moto,
    region: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Run:
    """``run(*argv, code=0)``: ``--cloud lab`` is an aws profile on moto in ``region``; argv
    starting with ``--cloud`` picks another cloud."""
    config = tmp_path / "omnicloud.yaml"
    config.write_text(
        "cloud:\n  lab:\n    kind: aws\n    credentials:\n"
        f"      key: {moto.key}\n      secret: {moto.secret}\n"
        f"      region: {region}\n      endpoint: {moto.endpoint}\n"
    )
    config.chmod(0o600)
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(config))
    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)

    def invoke(*argv: str, code: int = 0) -> tuple[str, str]:
        args = list(argv) if argv[0] == "--cloud" else ["--cloud", "lab", *argv]
        result = main(args)
        out, err = capsys.readouterr()
        assert result == code, f"exit {result}: {err}"
        assert moto.secret not in out + err
        return out, err

    return invoke


def test_elbv2_round_trip(run: Run, moto: Moto, region: str) -> None:
    ec2 = moto.boto3("ec2", region)
    made = ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2, InstanceType="t3.micro")
    first, second = (i["InstanceId"] for i in made["Instances"])
    name = f"cli-{uuid.uuid4().hex[:8]}"

    out, _ = run("lb", "protocols", "-o", "json")
    assert {"protocol": "http"} in json.loads(out)
    out, _ = run(
        "lb", "create", name, "--port", "8080", "--member", f"{first}:9000",
        "--private-port", "9000", "--algorithm", "least_connections", "-o", "json",
    )  # fmt: skip
    balancer = json.loads(out)
    assert balancer["name"] == name and balancer["port"] == 8080
    assert balancer["id"].startswith("arn:aws:elasticloadbalancing:")
    assert balancer["extra"]["type"] == "application"
    assert balancer["extra"]["algorithm"] == "least_connections"

    out, _ = run("lb", "list")
    header, *rows = [line.split() for line in out.splitlines()]
    assert header == ["ID", "NAME", "STATE", "IP", "PORT"]
    assert balancer["id"] in [row[0] for row in rows]

    out, _ = run("lb", "show", name, "-o", "yaml")
    shown = yaml.safe_load(out)
    assert shown["id"] == balancer["id"] and shown["port"] == 8080

    out, _ = run("lb", "attach", name, second, "-o", "json")
    assert [(m["id"], m["port"]) for m in json.loads(out)] == [(second, 9000)]
    out, _ = run("lb", "members", balancer["id"], "-o", "csv")
    rows_csv = list(csv.DictReader(io.StringIO(out)))
    assert {(r["id"], r["port"]) for r in rows_csv} == {(first, "9000"), (second, "9000")}
    assert list(rows_csv[0])[:4] == ["id", "ip", "port", "health"]

    _, err = run("lb", "detach", name, first)
    assert "detached 1 member" in err
    out, _ = run("lb", "members", name, "-o", "json")
    assert [m["id"] for m in json.loads(out)] == [second]
    _, err = run("lb", "detach", name, first, code=2)
    assert err.count("\n") == 1 and f"not members of {name}: {first}" in err

    _, err = run("lb", "delete", name)
    assert f"deleted load balancer {name}" in err
    out, _ = run("lb", "list", "-o", "json")
    assert balancer["id"] not in [b["id"] for b in json.loads(out)]


def test_elbv2_errors_are_one_line(run: Run) -> None:
    _, err = run("lb", "show", "no-such-balancer", code=2)
    assert err.count("\n") == 1 and "no load balancer 'no-such-balancer'" in err
    _, err = run("lb", "create", "x", "--network", "n-1", code=2)
    assert err.count("\n") == 1 and "take no --network" in err
    _, err = run("lb", "create", "x", "--protocol", "tcp", "--type", "application", code=2)
    assert err.count("\n") == 1 and "speaks http, https" in err
    # an API error: moto refuses a subnet that does not exist
    _, err = run("lb", "create", f"e-{uuid.uuid4().hex[:8]}", "--subnet", "subnet-nope", code=1)
    assert err.count("\n") == 1 and "Traceback" not in err


def test_cloudstack_local_round_trip(run: Run) -> None:
    import omnicloud

    with omnicloud.connect("local") as compute:
        offering = next(
            o
            for o in compute.ex_list_network_offerings()
            if o.name == "DefaultIsolatedNetworkOfferingWithSourceNatService"
        )
        zone = next(loc for loc in compute.list_locations() if loc.network_type == "Advanced")
        network = compute.ex_create_network(
            "lb-cli", f"lbcli-{uuid.uuid4().hex[:6]}", offering, zone,
            gateway="10.72.3.1", netmask="255.255.255.0",
        )  # fmt: skip
        size = compute.list_sizes()[0]
        image = next(i for i in compute.list_images() if i.name.startswith("Ubuntu"))
        vms = [
            compute.create_node(f"lbweb-{n}", size, image, location=zone, networks=[network]).id
            for n in range(2)
        ]
    local = ("--cloud", "local")
    out, _ = run(*local, "lb", "protocols")
    assert "tcp" in out.split()
    out, _ = run(
        *local, "lb", "create", "web", "--port", "80", "--network", network.id,
        "--private-port", "8080", "--member", vms[0], "-o", "json",
    )  # fmt: skip
    balancer = json.loads(out)
    assert balancer["name"] == "web" and balancer["port"] == 80 and balancer["ip"]
    out, _ = run(*local, "lb", "list", "-o", "csv")
    assert balancer["id"] in {r["id"] for r in csv.DictReader(io.StringIO(out))}
    run(*local, "lb", "attach", balancer["id"], vms[1])
    out, _ = run(*local, "lb", "members", balancer["id"], "-o", "json")
    assert {m["id"] for m in json.loads(out)} == set(vms)
    assert {m["port"] for m in json.loads(out)} == {8080}
    run(*local, "lb", "detach", balancer["id"], vms[0])
    out, _ = run(*local, "lb", "members", balancer["id"])
    assert vms[1] in out and vms[0] not in out
    _, err = run(*local, "lb", "create", "x", "--subnet", "s-1", code=2)
    assert "take no --subnet" in err
    run(*local, "lb", "delete", balancer["id"])
    out, _ = run(*local, "lb", "list", "-o", "json")
    assert balancer["id"] not in [b["id"] for b in json.loads(out)]


def test_help_stays_cheap() -> None:
    code = (
        "import sys; from omnicloud.cli import main; "
        "sys.argv = ['omnicloud', '--help']\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "assert 'omnicloud.cli.lb_cmd' not in sys.modules\n"
        "assert 'omnicloud.loadbalancer.drivers.alb' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert " lb " in done.stdout and "Load balancers" in done.stdout
