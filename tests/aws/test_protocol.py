"""The Query/EC2 protocol without a server: parameter encoding, request signing (botocore as the
oracle), namespace-agnostic reading, error codes, and the region table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omnicloud.aws import _query as q
from omnicloud.aws._errors import (
    AwsAlreadyExistsError,
    AwsAuthError,
    AwsError,
    AwsIdempotencyError,
    AwsNotFoundError,
    AwsPermissionError,
    AwsRateLimitedError,
    error_from,
)
from omnicloud.aws._regions import REGIONS, endpoint_url, signing_region
from omnicloud.aws._xml import parse_xml, to_value
from omnicloud.aws.credentials import Credentials, StaticCredentials
from omnicloud.errors import (
    InvalidCredentialsError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ValidationError,
)
from omnicloud.http import HttpResponse


def test_ec2_lists_and_mappings_flatten() -> None:
    pairs = q.encode_params(
        {
            "InstanceId": ["i-1", "i-2"],
            "Filter": [{"Name": "tag:Name", "Value": ["web", "db"]}],
            "Monitoring": {"Enabled": True},
            "DryRun": False,
            "SubnetId": None,
            "MinCount": 1,
        }
    )
    assert pairs == [
        ("InstanceId.1", "i-1"),
        ("InstanceId.2", "i-2"),
        ("Filter.1.Name", "tag:Name"),
        ("Filter.1.Value.1", "web"),
        ("Filter.1.Value.2", "db"),
        ("Monitoring.Enabled", "true"),
        ("DryRun", "false"),
        ("MinCount", "1"),
    ]


def test_query_protocol_lists_have_member() -> None:
    pairs = q.encode_params({"Names": ["a", "b"], "Tags": [{"Key": "k"}]}, ec2=False)
    assert pairs == [("Names.member.1", "a"), ("Names.member.2", "b"), ("Tags.member.1.Key", "k")]


def _service(**overrides: Any) -> q.QueryService:
    values: dict[str, Any] = {
        "service": "ec2",
        "version": "2016-11-15",
        "endpoint": "https://ec2.eu-west-1.amazonaws.com",
        "region": "eu-west-1",
        "credentials": StaticCredentials(Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG")),
    }
    values.update(overrides)
    return q.QueryService(**values)


def test_signature_matches_botocore() -> None:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials

    credentials = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG", "session-token-value")
    service = _service()
    pairs = q.encode_params({"InstanceId": ["i-1"], "Filter": [{"Name": "a b", "Value": ["c/d"]}]})
    request = q.build_request(service, "DescribeInstances", pairs, credentials, idempotent=True)
    ours = dict(request.headers)
    assert isinstance(request.content, bytes)
    oracle = AWSRequest(
        method="POST",
        url=service.url,
        data=request.content,
        headers={"Content-Type": ours["Content-Type"], "X-Amz-Date": ours["X-Amz-Date"]},
    )
    SigV4Auth(
        BotoCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG", "session-token-value"),
        "ec2",
        "eu-west-1",
    ).add_auth(oracle)
    # botocore re-stamps the date with "now"; sign ours again at exactly its moment.
    stamp = oracle.headers["X-Amz-Date"]
    moment = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    from omnicloud.aws._sigv4 import sign_headers

    again = sign_headers(
        "POST",
        service.url,
        {"Content-Type": ours["Content-Type"]},
        credentials=credentials,
        region="eu-west-1",
        service="ec2",
        payload_hash=__import__("hashlib").sha256(request.content).hexdigest(),
        now=moment,
    )
    assert again["Authorization"] == oracle.headers["Authorization"]
    assert ours["X-Amz-Security-Token"] == "session-token-value"
    body = dict(parse_qsl(request.content.decode()))
    assert body["Action"] == "DescribeInstances"
    assert body["Version"] == "2016-11-15"
    assert body["Filter.1.Value.1"] == "c/d"


def test_request_is_a_post_to_the_endpoint_root() -> None:
    credentials = Credentials("AKID", "secretsecret")
    request = q.build_request(_service(), "RunInstances", [], credentials, idempotent=True)
    assert request.method == "POST"
    assert request.url == "https://ec2.eu-west-1.amazonaws.com/"
    assert request.operation == "ec2 RunInstances"
    assert "Credential=AKID/" in request.headers["Authorization"]
    assert "/eu-west-1/ec2/aws4_request" in request.headers["Authorization"]
    kept = q.build_request(
        _service(endpoint="http://127.0.0.1:9/services/compute/"), "X", [], credentials,
        idempotent=False,
    )  # fmt: skip
    assert kept.url == "http://127.0.0.1:9/services/compute/"


def test_route53_signs_for_us_east_1() -> None:
    service = _service(service="route53", endpoint=endpoint_url("route53", "eu-west-1"))
    request = q.build_request(service, "X", [], Credentials("AKID", "secret"), idempotent=True)
    assert request.url == "https://route53.amazonaws.com/"
    assert "/us-east-1/route53/aws4_request" in request.headers["Authorization"]


DOC = """<DescribeRegionsResponse{ns}>
  <requestId>r-1</requestId>
  <regionInfo>
    <item><regionName>eu-west-1</regionName><regionEndpoint>ec2.eu-west-1.amazonaws.com</regionEndpoint></item>
    <item><regionName>us-east-1</regionName><regionEndpoint>ec2.us-east-1.amazonaws.com</regionEndpoint></item>
  </regionInfo>
  <groupSet/>
  <nextToken>abc</nextToken>
</DescribeRegionsResponse>"""


@pytest.mark.parametrize(
    "ns",
    [
        ' xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"',
        ' xmlns="http://ec2.amazonaws.com/doc/2016-11-15"',
        ' xmlns="urn:something-else"',
        "",
    ],
)
def test_answers_read_the_same_in_any_namespace(ns: str) -> None:
    root = parse_xml(DOC.format(ns=ns).encode())
    value = to_value(root)
    assert value["regionInfo"] == [
        {"regionName": "eu-west-1", "regionEndpoint": "ec2.eu-west-1.amazonaws.com"},
        {"regionName": "us-east-1", "regionEndpoint": "ec2.us-east-1.amazonaws.com"},
    ]
    assert value["groupSet"] == []
    assert q._next_token(root, q.EC2_PAGES) == "abc"


def test_query_protocol_result_and_token() -> None:
    doc = b"""<DescribeLoadBalancersResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
      <DescribeLoadBalancersResult>
        <LoadBalancers><member><LoadBalancerName>a</LoadBalancerName></member></LoadBalancers>
        <NextMarker>m2</NextMarker>
      </DescribeLoadBalancersResult>
      <ResponseMetadata><RequestId>x</RequestId></ResponseMetadata>
    </DescribeLoadBalancersResponse>"""
    root = parse_xml(doc)
    assert to_value(q.result_of(root))["LoadBalancers"] == [{"LoadBalancerName": "a"}]
    pages = q.Pages(token_param="Marker", token_fields=("NextMarker",), size_param="PageSize")
    assert q._next_token(root, pages) == "m2"


def _error(code: str, status: int = 400, query: bool = False) -> AwsError:
    if query:
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
            f"<Message>went wrong</Message></Error><RequestId>rq-9</RequestId></ErrorResponse>"
        )
    else:
        body = (
            f"<Response><Errors><Error><Code>{code}</Code><Message>went wrong</Message>"
            f"</Error></Errors><RequestID>rq-9</RequestID></Response>"
        )
    response = HttpResponse(status, {"content-type": "text/xml"}, body.encode())
    return error_from(response, "ec2 Op")


@pytest.mark.parametrize(
    ("code", "cls", "family"),
    [
        ("AuthFailure", AwsAuthError, InvalidCredentialsError),
        ("SignatureDoesNotMatch", AwsAuthError, InvalidCredentialsError),
        ("ExpiredToken", AwsAuthError, InvalidCredentialsError),
        ("UnauthorizedOperation", AwsPermissionError, PermissionDeniedError),
        ("AccessDenied", AwsPermissionError, PermissionDeniedError),
        ("InvalidInstanceID.NotFound", AwsNotFoundError, NotFoundError),
        ("InvalidInstanceID.Malformed", AwsNotFoundError, NotFoundError),
        ("InvalidAMIID.NotFound", AwsNotFoundError, NotFoundError),
        ("InvalidKeyPair.NotFound", AwsNotFoundError, NotFoundError),
        ("InvalidGroup.NotFound", AwsNotFoundError, NotFoundError),
        ("LoadBalancerNotFound", AwsNotFoundError, NotFoundError),
        ("NoSuchHostedZone", AwsNotFoundError, NotFoundError),
        ("RequestLimitExceeded", AwsRateLimitedError, RateLimitedError),
        ("Throttling", AwsRateLimitedError, RateLimitedError),
        ("IdempotentParameterMismatch", AwsIdempotencyError, AwsError),
        ("InvalidKeyPair.Duplicate", AwsAlreadyExistsError, AwsError),
        ("InvalidParameterValue", AwsError, AwsError),
    ],
)
@pytest.mark.parametrize("query", [False, True])
def test_error_codes_map_to_omnicloud_errors(
    code: str, cls: type[AwsError], family: type[Exception], query: bool
) -> None:
    error = _error(code, query=query)
    assert type(error) is cls
    assert isinstance(error, family)
    assert error.code == code
    assert error.aws_message == "went wrong"
    assert error.request_id == "rq-9"
    assert str(error).startswith(f"ec2 Op: HTTP 400 {code}: went wrong")


def test_error_without_a_document_follows_the_status() -> None:
    html = HttpResponse(403, {"content-type": "text/html"}, b"<html><body>no</body></html>")
    assert isinstance(error_from(html, "ec2 Op"), PermissionDeniedError)
    empty = HttpResponse(401, {}, b"")
    assert isinstance(error_from(empty, "ec2 Op"), InvalidCredentialsError)


def test_region_table() -> None:
    assert len(REGIONS) >= 34
    assert endpoint_url("ec2", "eu-west-1") == "https://ec2.eu-west-1.amazonaws.com"
    assert endpoint_url("ec2", "cn-north-1") == "https://ec2.cn-north-1.amazonaws.com.cn"
    assert endpoint_url("ec2", "xx-newplace-3") == "https://ec2.xx-newplace-3.amazonaws.com"
    assert endpoint_url("route53", "eu-west-1") == "https://route53.amazonaws.com"
    assert signing_region("route53", "eu-west-1") == "us-east-1"
    assert signing_region("ec2", "eu-west-1") == "eu-west-1"
    with pytest.raises(ValidationError, match="not an AWS region"):
        endpoint_url("ec2", "eu west")


def test_region_table_matches_botocore() -> None:
    import boto3

    assert set(REGIONS) == set(boto3.session.Session().get_available_regions("ec2"))


def test_service_repr_and_bad_endpoint() -> None:
    service = _service()
    assert "wJalrXUtnFEMI" not in repr(service)
    assert "AKIDEXAMPLE" in repr(service)
    from omnicloud.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="http"):
        _service(endpoint="ftp://example.com")


def _reference_value(element: Any) -> Any:
    """to_value's documented rules, spelled out plainly (the test's oracle)."""
    name = element.tag.rsplit("}", 1)[-1]
    kids = list(element)
    if not kids:
        return [] if name.endswith("Set") else element.text or ""
    names = [kid.tag.rsplit("}", 1)[-1] for kid in kids]
    if all(n in ("item", "member") for n in names):
        return [_reference_value(kid) for kid in kids]
    out: dict[str, Any] = {}
    for n in dict.fromkeys(names):
        values = [_reference_value(k) for k, m in zip(kids, names, strict=True) if m == n]
        out[n] = values[0] if len(values) == 1 else values
    return out


_TAGS = st.sampled_from(["item", "member", "name", "groupSet", "Value", "{urn:x}item", "{urn:x}id"])
_TREES = st.recursive(
    st.builds(lambda text: ("leaf", text), st.sampled_from(["", "a", "1"])),
    lambda inner: st.lists(st.tuples(_TAGS, inner), min_size=1, max_size=5),
    max_leaves=25,
)


def _build(tag: str, tree: Any) -> Any:
    from xml.etree.ElementTree import Element

    element = Element(tag)
    if isinstance(tree, tuple):
        element.text = tree[1] or None
    else:
        element.extend(_build(kid_tag, kid) for kid_tag, kid in tree)
    return element


@given(_TREES)
def test_to_value_follows_its_rules_on_any_tree(tree: Any) -> None:
    # the one-pass reader must give what the rules say for every mix of entries, names,
    # repeats, empty sets and namespaces
    root = _build("root", tree)
    assert to_value(root) == _reference_value(root)


@given(st.lists(st.tuples(st.text(max_size=12), st.text(max_size=24)), max_size=8))
def test_form_encoding_is_urlencode_whatever_the_text(pairs: list[tuple[str, str]]) -> None:
    from urllib.parse import urlencode

    assert q.form_encode(pairs) == urlencode(pairs).encode()
