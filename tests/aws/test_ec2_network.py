"""EC2 security groups and rules, elastic IPs, tags, images made/copied/deleted and several
instances per RunInstances, on moto's server, sync and async (boto3 as the oracle where it
helps); what goes on the wire, on a stub server."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qsl

import pytest

from omnicloud.compute import Node, NodeImage, NodeSize, NodeState
from omnicloud.compute.drivers.ec2 import EC2SecurityGroup, EC2SecurityGroupRule, ElasticIP
from omnicloud.errors import NotFoundError, ValidationError
from tests.aws._ec2_support import AMI, Factory, make, on_moto
from tests.aws.conftest import EC2_SERVERS, Moto, fresh_region
from tests.support.stub_server import Reply, StubServer

__all__ = ["make"]

T3 = NodeSize("t3.micro", "t3.micro", 1024, 0, None, None)


def _node(driver: Any, name: str = "web", **kwargs: Any) -> Node:
    node: Node = driver.create_node(name, T3, NodeImage(AMI, ""), **kwargs)
    return node


def test_security_groups_and_rules(moto: Moto, make: Factory) -> None:
    region = fresh_region()
    driver = on_moto(make, moto, region)
    web, lb = f"web-{uuid.uuid4().hex[:8]}", f"lb-{uuid.uuid4().hex[:8]}"
    group = driver.ex_create_security_group(web, "web servers", ex_metadata={"team": "a"})
    assert isinstance(group, EC2SecurityGroup)
    assert group.id.startswith("sg-") and group["group_id"] == group.id
    assert (group.name, group.description) == (web, "web servers")
    assert web in driver.ex_list_security_groups()
    assert "default" in driver.ex_list_security_groups()

    assert driver.ex_authorize_security_group_ingress(group.id, 22, 22, ["10.0.0.0/8"]) is True
    assert driver.ex_authorize_security_group_ingress(
        group.id, 8000, 8080, ["0.0.0.0/0"], protocol="udp", description="app"
    )
    other = driver.ex_create_security_group(lb)  # description defaults to the name
    assert other.description == lb
    driver.ex_authorize_security_group_ingress(
        group.id, 443, 443, group_pairs=[{"group_id": other.id}]
    )
    driver.ex_authorize_security_group_egress(group.id, 5432, 5432, ["10.1.0.0/16"])

    (listed,) = driver.ex_get_security_groups(group_ids=[group.id])
    assert listed.extra["tags"] == {"team": "a"} and listed.driver is getattr(
        driver, "driver", driver
    )
    rules = {(r.protocol, r.from_port, r.to_port): r for r in listed.ingress_rules}
    assert set(rules) == {("tcp", 22, 22), ("udp", 8000, 8080), ("tcp", 443, 443)}
    assert rules["tcp", 22, 22].cidr_ips == ["10.0.0.0/8"]
    assert rules["udp", 8000, 8080]["description"] == "app"
    assert [p["group_id"] for p in rules["tcp", 443, 443].group_pairs] == [other.id]
    assert str(rules["tcp", 22, 22]) == "tcp 22 10.0.0.0/8"
    assert str(rules["udp", 8000, 8080]) == "udp 8000-8080 0.0.0.0/0"
    assert any(r.from_port == 5432 for r in listed.egress_rules)

    theirs = moto.boto3(region=region).describe_security_groups(GroupIds=[group.id])
    perms = theirs["SecurityGroups"][0]["IpPermissions"]
    assert {(p["IpProtocol"], p.get("FromPort")) for p in perms} == {
        ("tcp", 22), ("udp", 8000), ("tcp", 443),
    }  # fmt: skip

    assert driver.ex_revoke_security_group_ingress(group.id, 22, 22, ["10.0.0.0/8"]) is True
    driver.ex_revoke_security_group_egress(group.id, 5432, 5432, ["10.1.0.0/16"])
    (after,) = driver.ex_get_security_groups(group_names=[web])
    assert {r.from_port for r in after.ingress_rules} == {8000, 443}
    assert all(r.from_port != 5432 for r in after.egress_rules)
    by_filter = driver.ex_get_security_groups(filters={"group-name": lb})
    assert [g.id for g in by_filter] == [other.id]

    driver.ex_revoke_security_group_ingress(
        group.id, 443, 443, group_pairs=[{"group_id": other.id}]
    )
    assert driver.ex_delete_security_group_by_id(other.id) is True
    assert driver.ex_delete_security_group(web) is True
    assert {web, lb}.isdisjoint(driver.ex_list_security_groups())
    with pytest.raises(NotFoundError):
        driver.ex_get_security_groups(group_ids=[group.id])


def test_nodes_in_a_group(moto: Moto, make: Factory) -> None:
    driver = on_moto(make, moto)
    name = f"ssh-{uuid.uuid4().hex[:8]}"
    group = driver.ex_create_security_group(name, "ssh in")
    node = _node(driver, ex_security_groups=[name])
    groups = driver.ex_get_node(node.id).extra["groups"]
    assert {"group_id": group.id, "group_name": name} in groups


def test_elastic_ips(moto: Moto, make: Factory) -> None:
    region = fresh_region()
    driver = on_moto(make, moto, region)
    node = _node(driver)
    address = driver.ex_allocate_address(domain="vpc")
    assert isinstance(address, ElasticIP)
    assert address.domain == "vpc" and address.extra["allocation_id"].startswith("eipalloc-")
    assert address.instance_id is None and address.id == address.extra["allocation_id"]
    assert address.ip in [a.ip for a in driver.ex_describe_all_addresses()]
    associated = driver.ex_describe_all_addresses(only_associated=True)
    assert address.ip not in [a.ip for a in associated]

    association = driver.ex_associate_address_with_node(node, address)
    assert association and association.startswith("eipassoc-")
    (listed,) = [
        a for a in driver.ex_describe_all_addresses(only_associated=True) if a.ip == address.ip
    ]
    assert (listed.ip, listed.instance_id) == (address.ip, node.id)
    assert driver.ex_describe_addresses([node]) == {node.id: [address.ip]}
    assert driver.ex_describe_addresses_for_node(node) == [address.ip]
    assert address.ip in driver.ex_get_node(node.id).public_ips
    oracle = moto.boto3(region=region).describe_addresses(PublicIps=[address.ip])["Addresses"]
    assert [(a["PublicIp"], a.get("InstanceId")) for a in oracle] == [(address.ip, node.id)]

    assert driver.ex_disassociate_address(address) is True  # association id looked up
    assert driver.ex_describe_addresses_for_node(node) == []
    with pytest.raises(ValidationError, match="not associated"):
        driver.ex_disassociate_address(address)
    assert driver.ex_release_address(address) is True
    assert address.ip not in [a.ip for a in driver.ex_describe_all_addresses()]
    assert driver.ex_describe_addresses([]) == {}
    with pytest.raises(ValidationError, match="vpc"):
        driver.ex_release_address(address, domain="standard")


def test_tags(moto: Moto, make: Factory) -> None:
    driver = on_moto(make, moto)
    node = _node(driver, ex_metadata={"env": "dev"})
    assert driver.ex_describe_tags(node) == {"Name": "web", "env": "dev"}
    assert driver.ex_create_tags(node, {"owner": "me", "env": "prod"}) is True
    assert driver.ex_describe_tags(node.id) == {"Name": "web", "env": "prod", "owner": "me"}
    assert driver.ex_delete_tags(node, {"owner": None, "env": "stale"}) is True
    assert driver.ex_describe_tags(node) == {"Name": "web", "env": "prod"}  # value must match
    assert driver.ex_delete_tags(node, {"env": "prod"}) is True
    fresh = driver.ex_get_node(node.id)
    assert driver.ex_get_metadata_for_node(fresh) == {"Name": "web"}
    assert driver.ex_create_tags(node, {}) is False
    volume = driver.create_volume(1, "data")
    driver.ex_create_tags(volume, {"backup": "daily"})
    assert driver.ex_describe_tags(volume) == {"Name": "data", "backup": "daily"}


def test_images_create_copy_delete(moto: Moto, make: Factory) -> None:
    source_region = fresh_region()
    driver = on_moto(make, moto, source_region)
    node = _node(driver)
    image = driver.create_image(node, "golden", "from web", ex_metadata={"v": "1"})
    assert image.id.startswith("ami-") and image.name == "golden"
    found = driver.get_image(image.id)
    assert (found.name, found.extra["description"]) == ("golden", "from web")
    assert found.extra["tags"] == {"v": "1"}
    assert image.id in [i.id for i in driver.list_images(ex_owner="self")]

    target = on_moto(make, moto)
    copied = target.copy_image(image, source_region, description="copy")
    assert copied.id.startswith("ami-") and copied.id != image.id and copied.name == "golden"
    assert target.get_image(copied.id).name == "golden"
    generic = target.copy_image(source_region, image, "by-generic-order")
    assert target.get_image(generic.id).name == "by-generic-order"

    assert driver.delete_image(image) is True
    with pytest.raises(NotFoundError):
        driver.get_image(image.id)
    assert target.delete_image(copied.id) is True


def test_several_instances_per_call(moto: Moto, make: Factory) -> None:
    driver = on_moto(make, moto)
    batch = f"batch-{uuid.uuid4().hex[:8]}"
    nodes = _node(driver, batch, ex_mincount=2, ex_maxcount=3)
    assert isinstance(nodes, list) and 2 <= len(nodes) <= 3  # moto starts the minimum
    assert {n.name for n in nodes} == {batch}
    assert sorted(n.id for n in driver.list_nodes(ex_filters={"tag:Name": batch})) == sorted(
        n.id for n in nodes
    )
    one = _node(driver, "single")
    assert isinstance(one, Node) and one.state in {NodeState.PENDING, NodeState.RUNNING}
    with pytest.raises(ValidationError):
        _node(driver, "bad", ex_mincount=3, ex_maxcount=2)


NS = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"'


def test_wire_of_rules_copies_and_counts(stub: StubServer, make: Factory) -> None:
    replies = {
        "AuthorizeSecurityGroupIngress": "<return>true</return>",
        "CopyImage": "<imageId>ami-copy</imageId>",
        "CreateImage": "<imageId>ami-made</imageId>",
        "RunInstances": "<instancesSet><item><instanceId>i-1</instanceId></item>"
        "<item><instanceId>i-2</instanceId></item></instancesSet>",
    }

    def answer(seen: Any) -> Reply:
        action = dict(parse_qsl(seen.body.decode()))["Action"]
        body = f"<{action}Response {NS}>{replies[action]}</{action}Response>"
        return Reply(200, body, {"Content-Type": "text/xml"})

    stub.handle(answer)
    driver = make("AKID", "stub-secret-key", endpoint=stub.url, region="eu-west-1")
    driver.ex_authorize_security_group_ingress(
        "sg-1", 22, 22, ["10.0.0.0/8", "192.168.0.0/16"], [{"group_id": "sg-2"}], description="ssh"
    )
    copied = driver.copy_image(NodeImage("ami-src", "base"), "us-east-1")
    made = driver.create_image(Node("i-9", "x", NodeState.RUNNING), "img", reboot=True)
    nodes = driver.create_node("two", T3, NodeImage(AMI, ""), ex_mincount=1, ex_maxcount=2)
    forms = [dict(parse_qsl(seen.body.decode())) for seen in stub.requests]
    rule, copy, image, run = forms
    assert rule["GroupId"] == "sg-1" and rule["IpPermissions.1.IpProtocol"] == "tcp"
    assert (rule["IpPermissions.1.FromPort"], rule["IpPermissions.1.ToPort"]) == ("22", "22")
    assert rule["IpPermissions.1.IpRanges.2.CidrIp"] == "192.168.0.0/16"
    assert rule["IpPermissions.1.IpRanges.1.Description"] == "ssh"
    assert rule["IpPermissions.1.Groups.1.GroupId"] == "sg-2"
    assert "ClientToken" not in rule
    assert (copy["SourceRegion"], copy["SourceImageId"], copy["Name"]) == (
        "us-east-1", "ami-src", "base",
    )  # fmt: skip
    assert copy["ClientToken"]  # CopyImage is resent safely
    assert copied.id == "ami-copy" and copied.extra["source_region"] == "us-east-1"
    assert (image["InstanceId"], image["NoReboot"]) == ("i-9", "false")
    assert made.id == "ami-made"
    assert (run["MinCount"], run["MaxCount"]) == ("1", "2") and run["ClientToken"]
    assert [n.id for n in nodes] == ["i-1", "i-2"] and {n.name for n in nodes} == {"two"}


def test_rule_model_reads_odd_answers() -> None:
    from omnicloud._wire import from_wire

    rule = from_wire(EC2SecurityGroupRule, {"ipProtocol": "-1", "ipRanges": "", "groups": ""})
    assert (rule.protocol, rule.from_port, rule.cidr_ips, rule.group_pairs) == ("-1", None, [], [])
    assert str(rule) == "all -"
    group = from_wire(EC2SecurityGroup, {"groupId": "sg-1", "groupName": "x", "vpcId": ""})
    assert group.vpc_id is None and group.ingress_rules == [] and group["group_name"] == "x"


def test_client_token_actions_match_the_ec2_model() -> None:
    """Every create-like action of EC2 that takes a ``ClientToken`` gets one automatically,
    and no action without one is in the table (botocore's EC2 model as the reference)."""
    import re

    from omnicloud.aws._ec2 import CLIENT_TOKEN_ACTIONS

    session = pytest.importorskip("botocore.session").get_session()
    model = session.get_service_model("ec2")
    creates = re.compile(r"(Create|Copy|Run|Allocate|Import|Request|Purchase|Export|Provision)")
    with_token = {
        name
        for name in model.operation_names
        if model.operation_model(name).input_shape is not None
        and "ClientToken" in model.operation_model(name).input_shape.members
    }
    assert {n for n in with_token if creates.match(n)} <= CLIENT_TOKEN_ACTIONS
    assert CLIENT_TOKEN_ACTIONS.issubset(with_token)
    assert {"RunInstances", "CreateVolume", "CopyImage"} <= CLIENT_TOKEN_ACTIONS
    assert not {"CreateSecurityGroup", "AllocateAddress", "CreateImage"} & CLIENT_TOKEN_ACTIONS


@pytest.mark.parametrize("server_name", EC2_SERVERS)
def test_groups_addresses_tags_on_each_server(
    request: pytest.FixtureRequest, make: Factory, server_name: str
) -> None:
    """The same round trip on moto and ministack (one shared region there: unique names)."""
    server: Any = request.getfixturevalue("moto" if server_name == "moto" else "ministack_server")
    region = fresh_region() if server_name == "moto" else "us-east-1"
    driver = make(server.key, server.secret, region=region, endpoint=server.endpoint)
    name = f"round-{uuid.uuid4().hex[:8]}"
    group = driver.ex_create_security_group(name, "round trip")
    driver.ex_authorize_security_group_ingress(group.id, 80, 80, ["0.0.0.0/0"])
    (listed,) = driver.ex_get_security_groups(group_ids=[group.id])
    assert [(r.protocol, r.from_port, r.cidr_ips) for r in listed.ingress_rules] == [
        ("tcp", 80, ["0.0.0.0/0"])
    ]
    assert name in driver.ex_list_security_groups()
    driver.ex_revoke_security_group_ingress(group.id, 80, 80, ["0.0.0.0/0"])
    assert driver.ex_get_security_groups(group_ids=[group.id])[0].ingress_rules == []

    node = _node(driver, name, ex_security_group_ids=[group.id])
    driver.ex_create_tags(node, {"round": "trip"})
    assert driver.ex_describe_tags(node)["round"] == "trip"
    driver.ex_delete_tags(node, {"round": None})
    assert "round" not in driver.ex_describe_tags(node)

    address = driver.ex_allocate_address(domain="vpc")
    driver.ex_associate_address_with_node(node, address)
    assert driver.ex_describe_addresses_for_node(node) == [address.ip]
    assert driver.ex_disassociate_address(address) is True
    assert driver.ex_release_address(address) is True
    assert address.ip not in [a.ip for a in driver.ex_describe_all_addresses()]
    driver.destroy_node(node)
