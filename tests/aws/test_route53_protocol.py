"""The REST-XML protocol (Route53) against moto, sync and async: signed requests, XML request
documents, marker and record paging, error codes, throttling retries (a fake server), and
answers read whatever the namespace."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from omnicloud.aws._errors import AwsNotFoundError, AwsRateLimitedError
from omnicloud.aws._rest_xml import RECORD_PAGES, to_xml
from omnicloud.aws._route53 import NAMESPACE, AsyncRoute53Client, Route53Client, caller_reference
from omnicloud.aws._xml import parse_xml, to_value
from omnicloud.errors import NotFoundError, RateLimitedError
from omnicloud.http import HttpConfig
from tests.aws.conftest import QUICK, Moto
from tests.support.modes import Portal, close_in_mode, open_in_mode
from tests.support.stub_server import Reply, StubServer

Factory = Callable[..., Any]


@pytest.fixture
def route53(mode: str, portal: Portal) -> Iterator[Factory]:
    made: list[Any] = []

    def build(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("http", HttpConfig(retry=QUICK))
        client = open_in_mode(mode, portal, Route53Client, AsyncRoute53Client, *args, **kwargs)
        made.append(client)
        return client

    yield build
    for client in made:
        close_in_mode(client, portal)


def _zone(client: Any, name: str) -> str:
    body = to_xml(
        "CreateHostedZoneRequest", {"Name": name, "CallerReference": caller_reference()}, NAMESPACE
    )
    made = client.call("POST", "/hostedzone", body, idempotent=True)
    assert made["ChangeInfo"]["Status"] in ("PENDING", "INSYNC")
    return str(made["HostedZone"]["Id"]).rsplit("/", 1)[-1]


def test_to_xml_builds_request_documents() -> None:
    body = to_xml(
        "ChangeResourceRecordSetsRequest",
        {
            "ChangeBatch": {
                "Comment": None,
                "Changes": {"Change": [{"Action": "UPSERT"}, {"Action": "DELETE"}]},
            },
            "Flag": True,
        },
        NAMESPACE,
    )
    root = parse_xml(body)
    assert root.tag == f"{{{NAMESPACE}}}ChangeResourceRecordSetsRequest"
    value = to_value(root)
    assert value["ChangeBatch"]["Changes"]["Change"] == [{"Action": "UPSERT"}, {"Action": "DELETE"}]
    assert value["Flag"] == "true"
    assert "Comment" not in value["ChangeBatch"]


def test_zones_page_by_marker(moto: Moto, route53: Factory) -> None:
    client = route53(moto.key, moto.secret, endpoint=moto.endpoint)
    suffix = uuid.uuid4().hex[:8]
    made = {_zone(client, f"z{i}-{suffix}.example.com") for i in range(5)}
    listed = client.list("/hostedzone", "HostedZones", page_size=2)
    assert made <= {str(z["Id"]).rsplit("/", 1)[-1] for z in listed}
    theirs = moto.boto3("route53").list_hosted_zones()["HostedZones"]
    assert sorted(z["Id"] for z in listed) == sorted(z["Id"] for z in theirs)


def test_records_page_by_name_and_type(moto: Moto, route53: Factory) -> None:
    client = route53(moto.key, moto.secret, endpoint=moto.endpoint)
    name = f"r-{uuid.uuid4().hex[:8]}.example.org"
    zone = _zone(client, name)
    changes = [
        {
            "Action": "CREATE",
            "ResourceRecordSet": {
                "Name": f"h{i}.{name}",
                "Type": "A",
                "TTL": 60,
                "ResourceRecords": {"ResourceRecord": [{"Value": f"10.0.0.{i}"}]},
            },
        }
        for i in range(7)
    ]
    body = to_xml(
        "ChangeResourceRecordSetsRequest", {"ChangeBatch": {"Changes": {"Change": changes}}},
        NAMESPACE,
    )  # fmt: skip
    client.call("POST", f"/hostedzone/{zone}/rrset", body)
    records = client.list(
        f"/hostedzone/{zone}/rrset", "ResourceRecordSets", pages=RECORD_PAGES, page_size=3
    )
    assert len(records) == 9  # the 7, SOA and NS
    assert {r["Name"] for r in records if r["Type"] == "A"} == {f"h{i}.{name}." for i in range(7)}
    theirs = moto.boto3("route53").list_resource_record_sets(HostedZoneId=zone)
    assert len(theirs["ResourceRecordSets"]) == 9


def test_missing_zone_is_not_found(moto: Moto, route53: Factory) -> None:
    client = route53(moto.key, moto.secret, endpoint=moto.endpoint)
    with pytest.raises(NotFoundError) as caught:
        client.call("GET", "/hostedzone/ZNOSUCHZONE")
    assert isinstance(caught.value, AwsNotFoundError)
    assert caught.value.code == "NoSuchHostedZone"
    assert caught.value.status == 404


def test_signature_matches_botocore() -> None:
    """Our REST-XML signature is botocore's, byte for byte. (moto's Route53 signature check
    rejects boto3's requests too, so a server cannot show it.)"""
    from datetime import UTC, datetime

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials

    from omnicloud.aws._rest_xml import RestXmlService, build_request
    from omnicloud.aws._sigv4 import sign_headers
    from omnicloud.aws.credentials import Credentials, StaticCredentials

    credentials = Credentials("AKIDEXAMPLE", "route53-secret", "a-token")
    service = RestXmlService(
        "route53", "2013-04-01", "https://route53.amazonaws.com", "eu-west-1",
        StaticCredentials(credentials), NAMESPACE,
    )  # fmt: skip
    body = to_xml("ChangeResourceRecordSetsRequest", {"ChangeBatch": {"Comment": "x y"}}, NAMESPACE)
    request = build_request(
        service, "POST", "/hostedzone/Z1/rrset", credentials, query=[("a", "b c")], body=body,
        idempotent=False,
    )  # fmt: skip
    oracle = AWSRequest(
        method="POST", url=request.url, data=body, headers={"Content-Type": "application/xml"}
    )
    SigV4Auth(
        BotoCredentials("AKIDEXAMPLE", "route53-secret", "a-token"), "route53", "us-east-1"
    ).add_auth(oracle)
    moment = datetime.strptime(oracle.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    import hashlib

    again = sign_headers(
        "POST", request.url, {"Content-Type": "application/xml"}, credentials=credentials,
        region="us-east-1", service="route53", payload_hash=hashlib.sha256(body).hexdigest(),
        now=moment,
    )  # fmt: skip
    assert again["Authorization"] == oracle.headers["Authorization"]
    assert request.url == "https://route53.amazonaws.com/2013-04-01/hostedzone/Z1/rrset?a=b%20c"


THROTTLED = (
    "<ErrorResponse><Error><Type>Sender</Type><Code>PriorRequestNotComplete</Code>"
    "<Message>wait</Message></Error><RequestId>r</RequestId></ErrorResponse>"
)
CHANGED = (
    f'<ChangeResourceRecordSetsResponse xmlns="{NAMESPACE}"><ChangeInfo><Id>/change/C1</Id>'
    "<Status>PENDING</Status></ChangeInfo></ChangeResourceRecordSetsResponse>"
)


def test_throttled_change_is_resent(stub: StubServer, route53: Factory) -> None:
    answers = iter([Reply(400, THROTTLED, {"Content-Type": "text/xml"})] * 2)
    stub.handle(lambda seen: next(answers, Reply(200, CHANGED, {"Content-Type": "text/xml"})))
    client = route53("AKIDSTUB", "stub-secret-key", endpoint=stub.url)
    body = to_xml("ChangeResourceRecordSetsRequest", {"ChangeBatch": {}}, NAMESPACE)
    answer = client.call("POST", "/hostedzone/Z1/rrset", body)
    assert answer == {"ChangeInfo": {"Id": "/change/C1", "Status": "PENDING"}}
    assert len(stub.requests) == 3
    assert {seen.body for seen in stub.requests} == {body}
    assert stub.requests[0].path == "/2013-04-01/hostedzone/Z1/rrset"
    auth = {k.lower(): v for k, v in stub.requests[0].headers.items()}["authorization"]
    assert "/us-east-1/route53/aws4_request" in auth


def test_throttling_budget(stub: StubServer, route53: Factory) -> None:
    stub.handle(lambda seen: Reply(400, THROTTLED, {"Content-Type": "text/xml"}))
    client = route53("AKIDSTUB", "stub-secret-key", endpoint=stub.url)
    with pytest.raises(RateLimitedError) as caught:
        client.call("GET", "/hostedzone")
    assert isinstance(caught.value, AwsRateLimitedError)
    assert len(stub.requests) == QUICK.max_attempts
