"""EC2 driver behaviour beyond the conformance suite: the seed's calls, what create_node puts on
the wire (client token, tags, placement, user data), filters and paging, states, the
credentials chain, and secrets out of sight. Sync and async, on moto or a fake server."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

import omnicloud
import omnicloud.aio
from omnicloud import Provider
from omnicloud.compute import NodeImage, NodeLocation, NodeSize, NodeState
from omnicloud.compute.drivers.ec2 import NODE_STATES, AsyncEC2NodeDriver, EC2NodeDriver, node_state
from omnicloud.errors import NotFoundError, ValidationError
from omnicloud.http import HttpConfig, RetryPolicy
from tests.aws.conftest import EC2_SERVERS, QUICK, Moto, fresh_region
from tests.aws.test_credentials import process_script, write
from tests.support.modes import Portal, close_in_mode, open_in_mode
from tests.support.stub_server import Reply, Seen, StubServer

AMI = "ami-12c6146b"
Factory = Callable[..., Any]


@pytest.fixture
def make(mode: str, portal: Portal) -> Iterator[Factory]:
    """``make(*args, **kwargs)``: an EC2 driver in this test's mode, closed afterwards."""
    made: list[Any] = []

    def build(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("http", HttpConfig(retry=QUICK))
        driver = open_in_mode(mode, portal, EC2NodeDriver, AsyncEC2NodeDriver, *args, **kwargs)
        made.append(driver)
        return driver

    yield build
    for driver in made:
        close_in_mode(driver, portal)


def test_seed_calls_with_only_the_import_changed(moto: Moto) -> None:
    cls = omnicloud.get_driver(Provider.EC2)
    assert cls is EC2NodeDriver
    assert omnicloud.aio.get_driver(Provider.EC2) is AsyncEC2NodeDriver
    driver = cls(moto.key, moto.secret, region=fresh_region(), endpoint=moto.endpoint)
    with driver:
        size = NodeSize("t3.micro", "t3.micro", 1024, 0, None, None, driver)
        image = NodeImage(AMI, "", driver)
        node = driver.create_node("seed-node", size, image)
        # the region may hold other tests' nodes once the session has used every region
        assert [n.name for n in driver.list_nodes() if n.id == node.id] == ["seed-node"]
        assert driver.stop_node(node) is True
        assert driver.ex_get_node(node.id).state is NodeState.STOPPED
        assert driver.start_node(node) is True
        assert driver.ex_get_node(node.id).state is NodeState.RUNNING


def test_list_nodes_pages_and_filters(moto: Moto, make: Factory) -> None:
    driver = make(moto.key, moto.secret, region=fresh_region(), endpoint=moto.endpoint, page_size=5)
    (size,) = driver.list_sizes(ex_instance_types=["t3.micro"])
    image = driver.get_image(AMI)
    run = uuid.uuid4().hex[:8]  # the region may hold other tests' nodes once all are used
    made = {
        driver.create_node(
            f"n{index}", size, image, ex_metadata={"team": f"{run}-{'a' if index < 3 else 'b'}"}
        ).id: f"n{index}"
        for index in range(12)
    }
    nodes = driver.list_nodes()  # pages of 5
    assert {n.id: n.name for n in nodes if n.id in made} == made
    assert len({n.id for n in nodes}) == len(nodes)  # no page read twice
    assert all(n.driver is getattr(driver, "driver", driver) for n in nodes)
    team_a = driver.list_nodes(ex_filters={"tag:team": f"{run}-a"})
    assert sorted(n.name for n in team_a) == ["n0", "n1", "n2"]
    assert [n.id for n in driver.list_nodes(ex_node_ids=[nodes[4].id])] == [nodes[4].id]
    assert sorted(n.id for n in driver.iterate_nodes()) == sorted(n.id for n in nodes)


def test_sizes_and_images(moto: Moto, make: Factory) -> None:
    driver = make(moto.key, moto.secret, region="eu-west-1", endpoint=moto.endpoint)
    (size,) = driver.list_sizes(ex_instance_types=["m5.large"])
    oracle = moto.boto3(region="eu-west-1").describe_instance_types(InstanceTypes=["m5.large"])
    spec = oracle["InstanceTypes"][0]
    assert (size.id, size.ram) == ("m5.large", spec["MemoryInfo"]["SizeInMiB"])
    assert size.extra["cpu"] == spec["VCpuInfo"]["DefaultVCpus"]
    amazon = driver.list_images(ex_owner="amazon", ex_filters={"architecture": "x86_64"})
    assert amazon and all(i.extra["owner_alias"] == "amazon" for i in amazon)
    assert all(i.extra["architecture"] == "x86_64" for i in amazon)
    with pytest.raises(NotFoundError):
        driver.get_image("ami-0123456789abcdef0")
    zones = driver.list_locations()
    assert {z.country for z in zones} == {"Ireland"}
    assert all(isinstance(z, NodeLocation) and z.id == z.name for z in zones)


def test_import_key_pair(moto: Moto, make: Factory) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    driver = make(moto.key, moto.secret, region=fresh_region(), endpoint=moto.endpoint)
    pair = driver.import_key_pair_from_string("imported", public.decode())
    assert pair.name == "imported" and pair.fingerprint and pair.private_key is None
    assert driver.get_key_pair("imported").fingerprint == pair.fingerprint


def test_node_states_are_total() -> None:
    assert set(NODE_STATES) == {
        "pending", "running", "shutting-down", "terminated", "stopping", "stopped",
    }  # fmt: skip
    assert node_state({"code": "16", "name": "running"}) is NodeState.RUNNING
    assert node_state({"code": "99", "name": "hibernating"}) is NodeState.UNKNOWN
    assert node_state(None) is NodeState.UNKNOWN


NS = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"'
RUN_OK = (
    f"<RunInstancesResponse {NS}><reservationId>r-1</reservationId><instancesSet><item>"
    "<instanceId>i-0abc</instanceId><instanceState><code>0</code><name>pending</name>"
    "</instanceState><placement><availabilityZone>eu-west-1b</availabilityZone></placement>"
    "</item></instancesSet></RunInstancesResponse>"
)
THROTTLED = (
    "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>slow down</Message>"
    "</Error></Errors><RequestID>x</RequestID></Response>"
)


def _form(seen: Seen) -> dict[str, str]:
    return dict(parse_qsl(seen.body.decode()))


def test_create_node_on_the_wire(stub: StubServer, make: Factory) -> None:
    answers = iter([Reply(503, THROTTLED, {"Content-Type": "text/xml"})])
    stub.handle(lambda seen: next(answers, Reply(200, RUN_OK, {"Content-Type": "text/xml"})))
    policy = RetryPolicy(max_attempts=3, backoff=0.01, backoff_cap=0.02)
    driver = make("AKID", "stub-secret-key", endpoint=stub.url, http=HttpConfig(retry=policy))
    node = driver.create_node(
        "web",
        NodeSize("t3.micro", "t3.micro", 1024, 0, None, None),
        NodeImage("ami-1", "x"),
        location=NodeLocation("eu-west-1b", "eu-west-1b", "Ireland", None),
        ex_keyname="mykey",
        ex_userdata="#!/bin/sh\necho hi\n",
        ex_security_groups=["web", "ssh"],
        ex_metadata={"env": "prod"},
        ex_blockdevicemappings=[{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 20}}],
    )
    assert (node.id, node.name, node.state) == ("i-0abc", "web", NodeState.PENDING)
    assert len(stub.requests) == 2
    first, second = (_form(seen) for seen in stub.requests)
    assert first["ClientToken"] == second["ClientToken"]
    assert first == second  # the resend is the same request, token and all
    assert first["Action"] == "RunInstances"
    assert (first["ImageId"], first["InstanceType"]) == ("ami-1", "t3.micro")
    assert (first["MinCount"], first["MaxCount"]) == ("1", "1")
    assert first["KeyName"] == "mykey"
    assert base64.b64decode(first["UserData"]) == b"#!/bin/sh\necho hi\n"
    assert (first["SecurityGroup.1"], first["SecurityGroup.2"]) == ("web", "ssh")
    assert first["Placement.AvailabilityZone"] == "eu-west-1b"
    assert first["TagSpecification.1.ResourceType"] == "instance"
    assert (first["TagSpecification.1.Tag.1.Key"], first["TagSpecification.1.Tag.1.Value"]) == (
        "Name",
        "web",
    )
    assert first["TagSpecification.1.Tag.2.Key"] == "env"
    assert first["BlockDeviceMapping.1.Ebs.VolumeSize"] == "20"


def test_create_node_refuses_auth(stub: StubServer, make: Factory) -> None:
    from omnicloud.compute import NodeAuthSSHKey

    driver = make("AKID", "stub-secret-key", endpoint=stub.url)
    with pytest.raises(ValidationError, match="ex_keyname"):
        driver.create_node(
            "x", NodeSize("t3.micro", "", 0, 0, None, None), NodeImage("ami-1", ""),
            auth=NodeAuthSSHKey("ssh-ed25519 AAAA"),
        )  # fmt: skip
    assert stub.requests == []
    with pytest.raises(ValidationError, match="page_size"):
        EC2NodeDriver("AKID", "secret", page_size=2000)


def test_driver_from_an_aws_profile(
    moto: Moto, make: Factory, clean_env: Path, tmp_path: Path
) -> None:
    document = {"Version": 1, "AccessKeyId": moto.key, "SecretAccessKey": "process-secret"}
    command = process_script(tmp_path / "p", document)
    write(
        clean_env / ".aws" / "config",
        f"[profile lab]\ncredential_process = {command}\nregion = sa-east-1\n",
    )
    driver = make(profile="lab", endpoint=moto.endpoint)
    assert driver.region == "sa-east-1"
    zones = driver.list_locations()
    assert {z.extra["region_name"] for z in zones} == {"sa-east-1"}
    native = getattr(driver, "driver", driver)
    assert "process-secret" not in repr(native)
    assert "credential_process of AWS profile 'lab'" in repr(native)


def test_libcloud_host_port_secure(moto: Moto, make: Factory) -> None:
    host, port = moto.endpoint.removeprefix("http://").split(":")
    driver = make(moto.key, moto.secret, False, host, int(port), "ca-central-1")
    assert driver.endpoint == f"{moto.endpoint}/"
    assert {z.name for z in driver.list_locations()} >= {"ca-central-1a"}


@pytest.mark.parametrize("server_name", EC2_SERVERS)
def test_volume_snapshots(request: pytest.FixtureRequest, make: Factory, server_name: str) -> None:
    server: Any = request.getfixturevalue("moto" if server_name == "moto" else "ministack_server")
    region = fresh_region() if server_name == "moto" else "us-east-1"
    driver = make(server.key, server.secret, region=region, endpoint=server.endpoint)
    volume = driver.create_volume(3, "data")
    snapshot = driver.create_volume_snapshot(volume, "nightly")
    assert snapshot.id.startswith("snap-") and snapshot.name == "nightly"
    assert snapshot.size == 3
    listed = driver.list_volume_snapshots(volume)
    assert [s.id for s in listed] == [snapshot.id]
    assert listed[0].extra["volume_id"] == volume.id
    restored = driver.create_volume(3, "restored", snapshot=snapshot)
    assert restored.extra["snapshot_id"] == snapshot.id
    assert driver.destroy_volume_snapshot(snapshot) is True
    assert driver.list_volume_snapshots(volume) == []
    for made in (restored, volume):
        assert driver.destroy_volume(made) is True


def test_size_prices_come_from_a_libcloud_pricing_file(
    moto: Moto, make: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from omnicloud.pricing import clear_pricing_data

    prices = {"m5.large": {"eu-west-1": 0.107, "us-east-1": 0.096}, "t3.micro": 0.0104}
    pricing = tmp_path / "pricing.json"
    pricing.write_text(json.dumps({"compute": {"ec2_linux": prices}, "storage": {}}))
    monkeypatch.setenv("OMNICLOUD_PRICING_FILE", str(pricing))
    clear_pricing_data()
    try:
        driver = make(moto.key, moto.secret, region="eu-west-1", endpoint=moto.endpoint)
        sizes = {s.id: s for s in driver.list_sizes(ex_instance_types=["m5.large", "t3.micro"])}
        assert sizes["m5.large"].price == pytest.approx(0.107)  # this region's price
        assert sizes["t3.micro"].price == pytest.approx(0.0104)  # one price for every region
        (other,) = driver.list_sizes(ex_instance_types=["c5.large"])
        assert other.price is None  # not in the file: unknown, never zero
    finally:
        clear_pricing_data()
