"""Throttling, client tokens and odd answers, against a programmable server on a free port:
AWS's throttling codes are retried with backoff (re-signed, same ClientToken), other errors
are not, and a create whose answer is unreadable is reported as outcome-unknown."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from omnicloud.aws._errors import AwsError, AwsRateLimitedError
from omnicloud.errors import MalformedResponseError, OutcomeUnknownError, RateLimitedError
from omnicloud.http import HttpConfig, RetryPolicy
from tests.aws.conftest import ClientFactory
from tests.support.stub_server import Reply, Seen, StubServer

NS = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"'
RUN_OK = f"""<?xml version="1.0" encoding="UTF-8"?>
<RunInstancesResponse {NS}><requestId>req-ok</requestId><reservationId>r-1</reservationId>
<instancesSet><item><instanceId>i-0abc</instanceId><instanceState><code>0</code>
<name>pending</name></instanceState></item></instancesSet></RunInstancesResponse>"""


def _throttle(code: str = "RequestLimitExceeded") -> str:
    return (
        f"<Response><Errors><Error><Code>{code}</Code><Message>Request limit exceeded."
        f"</Message></Error></Errors><RequestID>req-slow</RequestID></Response>"
    )


def _form(seen: Seen) -> dict[str, str]:
    return dict(parse_qsl(seen.body.decode()))


def _client(factory: ClientFactory, stub: StubServer, **retry: float) -> object:
    policy = RetryPolicy(
        max_attempts=int(retry.get("max_attempts", 4)), backoff=0.01, backoff_cap=0.02,
        total_seconds=10,
    )  # fmt: skip
    return factory("AKIDSTUB", "stub-secret-key", endpoint=stub.url, http=HttpConfig(retry=policy))


@pytest.mark.parametrize(("status", "code"), [(503, "RequestLimitExceeded"), (400, "Throttling")])
def test_throttled_create_is_retried_with_the_same_client_token(
    stub: StubServer, ec2_factory: ClientFactory, status: int, code: str
) -> None:
    answers = iter([Reply(status, _throttle(code), {"Content-Type": "text/xml"})] * 2)
    stub.handle(lambda seen: next(answers, Reply(200, RUN_OK, {"Content-Type": "text/xml"})))
    client = _client(ec2_factory, stub)
    result = client.call("RunInstances", ImageId="ami-1", MinCount=1, MaxCount=1)  # type: ignore[attr-defined]
    assert result["instancesSet"][0]["instanceId"] == "i-0abc"
    assert len(stub.requests) == 3
    tokens = {_form(seen)["ClientToken"] for seen in stub.requests}
    assert len(tokens) == 1
    assert len(tokens.pop()) >= 32
    assert all(_form(seen)["Action"] == "RunInstances" for seen in stub.requests)


def test_throttled_action_without_token_is_resent_too(
    stub: StubServer, ec2_factory: ClientFactory
) -> None:
    """Throttling means AWS did nothing, so even a non-idempotent call goes again."""
    answers = iter([Reply(400, _throttle("Throttling"), {"Content-Type": "text/xml"})])
    ok = f"<CreateKeyPairResponse {NS}><keyName>k</keyName></CreateKeyPairResponse>"
    stub.handle(lambda seen: next(answers, Reply(200, ok, {"Content-Type": "text/xml"})))
    client = _client(ec2_factory, stub)
    assert client.call("CreateKeyPair", KeyName="k")["keyName"] == "k"  # type: ignore[attr-defined]
    assert len(stub.requests) == 2
    assert all("ClientToken" not in _form(seen) for seen in stub.requests)


@pytest.mark.parametrize("status", [503, 400])
def test_throttling_gives_up_after_the_budget(
    stub: StubServer, ec2_factory: ClientFactory, status: int
) -> None:
    stub.handle(lambda seen: Reply(status, _throttle(), {"Content-Type": "text/xml"}))
    client = _client(ec2_factory, stub, max_attempts=3)
    with pytest.raises(RateLimitedError) as caught:
        client.call("RunInstances", ImageId="ami-1", MinCount=1, MaxCount=1)  # type: ignore[attr-defined]
    assert isinstance(caught.value, AwsRateLimitedError)
    assert caught.value.code == "RequestLimitExceeded"
    assert len(stub.requests) == 3


def test_other_errors_are_not_retried(stub: StubServer, ec2_factory: ClientFactory) -> None:
    body = (
        "<Response><Errors><Error><Code>InvalidParameterValue</Code><Message>bad</Message>"
        "</Error></Errors><RequestID>r</RequestID></Response>"
    )
    stub.handle(lambda seen: Reply(400, body, {"Content-Type": "text/xml"}))
    client = _client(ec2_factory, stub)
    with pytest.raises(AwsError, match="InvalidParameterValue: bad"):
        client.call("RunInstances", ImageId="ami-1", MinCount=1, MaxCount=1)  # type: ignore[attr-defined]
    assert len(stub.requests) == 1


def test_client_token_given_by_the_caller_is_kept(
    stub: StubServer, ec2_factory: ClientFactory
) -> None:
    stub.handle(lambda seen: Reply(200, RUN_OK, {"Content-Type": "text/xml"}))
    client = _client(ec2_factory, stub)
    client.call("RunInstances", ImageId="ami-1", MinCount=1, MaxCount=1, ClientToken="mine")  # type: ignore[attr-defined]
    assert [_form(seen)["ClientToken"] for seen in stub.requests] == ["mine"]


def test_unreadable_answer_to_a_create_without_token_is_outcome_unknown(
    stub: StubServer, ec2_factory: ClientFactory
) -> None:
    stub.handle(lambda seen: Reply(200, "<html><p>proxy says hi", {"Content-Type": "text/html"}))
    client = _client(ec2_factory, stub)
    with pytest.raises(OutcomeUnknownError, match="ec2 CreateKeyPair"):
        client.call("CreateKeyPair", KeyName="k")  # type: ignore[attr-defined]
    assert len(stub.requests) == 1


def test_unreadable_answer_to_a_token_create_is_resent(
    stub: StubServer, ec2_factory: ClientFactory
) -> None:
    """With a ClientToken the resend cannot make a second instance, so it is safe."""
    answers = iter([Reply(200, "<RunInstancesResponse><cut", {"Content-Type": "text/xml"})])
    stub.handle(lambda seen: next(answers, Reply(200, RUN_OK, {"Content-Type": "text/xml"})))
    client = _client(ec2_factory, stub)
    client.call("RunInstances", ImageId="ami-1", MinCount=1, MaxCount=1)  # type: ignore[attr-defined]
    assert len(stub.requests) == 2
    assert len({_form(seen)["ClientToken"] for seen in stub.requests}) == 1


def test_repeated_page_token_stops_the_listing(
    stub: StubServer, ec2_factory: ClientFactory
) -> None:
    page = (
        f"<DescribeInstancesResponse {NS}><reservationSet><item><reservationId>r-1"
        "</reservationId></item></reservationSet><nextToken>same</nextToken>"
        "</DescribeInstancesResponse>"
    )
    stub.handle(lambda seen: Reply(200, page, {"Content-Type": "text/xml"}))
    client = _client(ec2_factory, stub)
    with pytest.raises(MalformedResponseError, match="repeated a page token"):
        client.list("DescribeInstances", "reservationSet", page_size=5)  # type: ignore[attr-defined]
    assert len(stub.requests) == 2
    forms = [_form(seen) for seen in stub.requests]
    assert "NextToken" not in forms[0]
    assert forms[1]["NextToken"] == "same"
    assert forms[0]["MaxResults"] == "5"


def test_answers_without_namespace_read_the_same(
    stub: StubServer, ec2_factory: ClientFactory
) -> None:
    stub.handle(lambda seen: Reply(200, RUN_OK.replace(f" {NS}", ""), {"Content-Type": "text/xml"}))
    client = _client(ec2_factory, stub)
    result = client.call("RunInstances", ImageId="ami-1", MinCount=1, MaxCount=1)  # type: ignore[attr-defined]
    assert result["instancesSet"][0]["instanceState"]["name"] == "pending"


def test_signed_headers_reach_the_server(stub: StubServer, ec2_factory: ClientFactory) -> None:
    stub.handle(lambda seen: Reply(200, RUN_OK, {"Content-Type": "text/xml"}))
    client = ec2_factory("AKIDSTUB", "stub-secret-key", "stub-session-token", endpoint=stub.url)
    client.call("DescribeRegions")
    headers = {k.lower(): v for k, v in stub.requests[0].headers.items()}
    assert headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDSTUB/")
    assert "/us-east-1/ec2/aws4_request" in headers["authorization"]
    assert headers["x-amz-security-token"] == "stub-session-token"
    assert headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert "stub-secret-key" not in str(stub.requests[0])
