"""The EC2 protocol against moto's server, sync and async: answers as boto3 reads them, lazy
pagination across pages, error codes, signatures moto verifies, and client tokens."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from omnicloud.aws import _query as q
from omnicloud.aws._errors import AwsAuthError, AwsNotFoundError, AwsPermissionError
from omnicloud.aws._xml import child, to_value
from omnicloud.errors import InvalidCredentialsError, NotFoundError, PermissionDeniedError
from tests.aws.conftest import ClientFactory, Moto, fresh_region

AMI = "ami-12c6146b"  # one of moto's built-in images


def test_describe_regions_matches_boto3(moto: Moto, ec2_factory: ClientFactory) -> None:
    client = ec2_factory(moto.key, moto.secret, endpoint=moto.endpoint, region="eu-west-1")
    ours = client.call("DescribeRegions")
    theirs = moto.boto3(region="eu-west-1").describe_regions()
    assert [r["regionName"] for r in ours["regionInfo"]] == [
        r["RegionName"] for r in theirs["Regions"]
    ]
    assert {r["regionEndpoint"] for r in ours["regionInfo"]} == {
        r["Endpoint"] for r in theirs["Regions"]
    }


def test_availability_zones(moto: Moto, ec2_factory: ClientFactory) -> None:
    client = ec2_factory(moto.key, moto.secret, endpoint=moto.endpoint, region="eu-central-1")
    zones = client.list("DescribeAvailabilityZones", "availabilityZoneInfo")
    assert {z["zoneName"] for z in zones} >= {"eu-central-1a", "eu-central-1b"}
    assert all(z["regionName"] == "eu-central-1" for z in zones)


def test_listing_pages_with_next_token(moto: Moto, ec2_factory: ClientFactory) -> None:
    region = fresh_region()
    client = ec2_factory(moto.key, moto.secret, endpoint=moto.endpoint, region=region)
    made = [
        client.call("RunInstances", ImageId=AMI, MinCount=1, MaxCount=1)["instancesSet"][0][
            "instanceId"
        ]
        for _ in range(12)
    ]
    reservations = client.list("DescribeInstances", "reservationSet", page_size=5)
    listed = [i["instanceId"] for r in reservations for i in r["instancesSet"]]
    # the region may hold other tests' instances once the session has used every region
    assert set(made) <= set(listed) and len(set(listed)) == len(listed)
    theirs = moto.boto3(region=region).describe_instances()["Reservations"]
    assert sorted(i["InstanceId"] for r in theirs for i in r["Instances"]) == sorted(listed)


def test_listing_is_lazy(moto: Moto, ec2_factory: ClientFactory) -> None:
    """The flow fetches a page only when the one before has been consumed."""
    region = fresh_region()
    client = ec2_factory(moto.key, moto.secret, endpoint=moto.endpoint, region=region)
    run = uuid.uuid4().hex[:8]  # the region may hold other tests' instances: list only ours
    tags = [{"ResourceType": "instance", "Tag": [{"Key": "run", "Value": run}]}]
    for _ in range(12):
        client.call("RunInstances", ImageId=AMI, MinCount=1, MaxCount=1, TagSpecification=tags)
    ours = {"Filter": [{"Name": "tag:run", "Value": [run]}]}
    pages: list[int] = []

    def extract(root: Any) -> list[Any]:
        items = to_value(child(root, "reservationSet"))
        pages.append(len(items))
        return list(items)

    flow = q.paginate(client.service, "DescribeInstances", ours, extract, page_size=5)
    if getattr(client, "mode", "") == "async":

        async def first_then_rest() -> tuple[list[int], int]:
            iterator = client.driver._http.iterate(flow)
            await iterator.__anext__()
            after_first = list(pages)
            return after_first, len([item async for item in iterator])

        after_first, rest = client.portal.call(first_then_rest)
    else:
        iterator = client._http.iterate(flow)
        next(iterator)
        after_first, rest = list(pages), len(list(iterator))
    assert after_first == [5]
    assert rest == 11
    assert pages == [5, 5, 2]


def test_missing_instance_is_not_found(moto: Moto, ec2_factory: ClientFactory) -> None:
    client = ec2_factory(moto.key, moto.secret, endpoint=moto.endpoint)
    with pytest.raises(NotFoundError) as caught:
        client.call("DescribeInstances", InstanceId=["i-0123456789abcdef0"])
    error = caught.value
    assert isinstance(error, AwsNotFoundError)
    assert error.code == "InvalidInstanceID.NotFound"
    assert error.status == 400
    assert "i-0123456789abcdef0" in str(error)
    assert moto.secret not in str(error)


def test_missing_key_pair_is_not_found(moto: Moto, ec2_factory: ClientFactory) -> None:
    client = ec2_factory(moto.key, moto.secret, endpoint=moto.endpoint)
    with pytest.raises(NotFoundError, match=r"InvalidKeyPair\.NotFound"):
        client.call("DescribeKeyPairs", KeyName=["no-such-key"])


def test_run_instances_carries_a_client_token(moto: Moto, ec2_factory: ClientFactory) -> None:
    client = ec2_factory(moto.key, moto.secret, endpoint=moto.endpoint, region=fresh_region())
    reservation = client.call(
        "RunInstances",
        ImageId=AMI,
        MinCount=2,
        MaxCount=2,
        InstanceType="t3.micro",
        TagSpecification=[{"ResourceType": "instance", "Tag": [{"Key": "Name", "Value": "web"}]}],
    )
    instances = reservation["instancesSet"]
    assert len(instances) == 2
    assert {i["instanceType"] for i in instances} == {"t3.micro"}
    tagged = client.list(
        "DescribeInstances",
        "reservationSet",
        Filter=[{"Name": "tag:Name", "Value": ["web"]}],
    )
    assert sum(len(r["instancesSet"]) for r in tagged) == 2


def test_signatures_are_verified(moto_auth: Moto, ec2_factory: ClientFactory) -> None:
    """moto (with authentication on) accepts our signature and applies the user's policy."""
    good = ec2_factory(moto_auth.key, moto_auth.secret, endpoint=moto_auth.endpoint)
    assert good.list("DescribeAvailabilityZones", "availabilityZoneInfo")
    with pytest.raises(PermissionDeniedError) as denied:
        good.call("CreateKeyPair", KeyName="not-allowed")
    assert isinstance(denied.value, AwsPermissionError)
    assert denied.value.code == "AccessDenied"

    wrong = ec2_factory(moto_auth.key, moto_auth.secret + "x", endpoint=moto_auth.endpoint)
    with pytest.raises(InvalidCredentialsError) as rejected:
        wrong.call("DescribeRegions")
    assert isinstance(rejected.value, AwsAuthError)
    assert rejected.value.code == "AuthFailure"
    assert moto_auth.secret not in str(rejected.value)
