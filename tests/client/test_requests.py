"""The CloudStack client against a real HTTP server on 127.0.0.1: requests, errors, retries."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from omnicloud.errors import (
    CloudStackApiError,
    CloudStackAuthError,
    CloudStackPermissionError,
    CloudStackRateLimitedError,
    MalformedResponseError,
    OutcomeUnknownError,
    RequestNotSentError,
)
from tests.client.conftest import Invoke
from tests.support.fake_cloudstack import KEY, SECRET, FakeCloudStack, error, ok
from tests.support.server_rule import verify
from tests.support.stub_server import Reply, Seen, StubServer


def test_signed_get_with_v3_expiry(stub: StubServer, invoke: Invoke) -> None:
    stub.handle(
        FakeCloudStack(listZones=lambda s: ok("listZones", {"count": 1, "zone": [{"id": "z"}]}))
    )
    assert invoke("listZones", available=True) == {"count": 1, "zone": [{"id": "z"}]}
    (seen,) = stub.requests
    assert seen.method == "GET"
    assert seen.params["signatureVersion"] == "3"
    assert seen.params["expires"].endswith("+0000")
    assert seen.params["available"] == "true"
    assert seen.params["response"] == "json"


def test_special_characters_pass_the_server_rule(stub: StubServer, invoke: Invoke) -> None:
    stub.handle(FakeCloudStack(createTags=lambda s: ok("createTags", {"jobid": "j"})))
    tags = [{"key": "note", "value": "a~b *c+d/e=f&g%h é 日"}]
    assert invoke("createTags", tags=tags, resourceids=["x", "y"]) == {"jobid": "j"}
    (seen,) = stub.requests
    assert seen.params["tags[0].value"] == "a~b *c+d/e=f&g%h é 日"
    assert seen.params["resourceids"] == "x,y"


def test_expiration_negative_disables_v3(stub: StubServer, invoke: Invoke) -> None:
    stub.handle(FakeCloudStack(listZones=lambda s: ok("listZones", {})))
    assert invoke("listZones", client_options={"expiration": -1}) == {}
    assert "expires" not in stub.requests[0].params
    assert "signatureVersion" not in stub.requests[0].params


def test_post_on_request_and_for_long_queries(stub: StubServer, invoke: Invoke) -> None:
    stub.handle(
        FakeCloudStack(
            deployVirtualMachine=lambda s: ok("deployVirtualMachine", {"jobid": "1", "id": "vm"})
        )
    )
    invoke("deployVirtualMachine", client_options={"method": "post"}, zoneid="z")
    assert stub.requests[0].method == "POST"
    assert stub.requests[0].body  # parameters travel in the form body
    userdata = "QUJD" * 5000  # 20 kB of base64
    stub.handle(
        FakeCloudStack(deployVirtualMachine=lambda s: ok("deployVirtualMachine", {"jobid": "1"}))
    )
    invoke("deployVirtualMachine", userdata=userdata)
    (seen,) = stub.requests
    assert seen.method == "POST"
    assert seen.params["userdata"] == userdata
    assert verify(seen.params, SECRET)


def test_api_error_carries_codes(stub: StubServer, invoke: Invoke) -> None:
    stub.handle(
        FakeCloudStack(
            createVolume=lambda s: error("createVolume", 431, "Unable to find zone", 4350)
        )
    )
    with pytest.raises(CloudStackApiError) as info:
        invoke("createVolume", zoneid="nope")
    assert info.value.status == 431
    assert info.value.errorcode == 431
    assert info.value.cserrorcode == 4350
    assert info.value.errortext == "Unable to find zone"
    assert "Unable to find zone" in str(info.value)


def test_401_explains_unknown_command(stub: StubServer, invoke: Invoke) -> None:
    stub.handle(FakeCloudStack())
    with pytest.raises(CloudStackAuthError, match="command name does not exist"):
        invoke("listVirtualMachinez")


def test_531_is_permission_error(stub: StubServer, invoke: Invoke) -> None:
    stub.handle(FakeCloudStack(listHosts=lambda s: error("listHosts", 531, "not allowed", 4365)))
    with pytest.raises(CloudStackPermissionError):
        invoke("listHosts")


def test_html_from_proxy_is_a_clear_error(stub: StubServer, invoke: Invoke) -> None:
    stub.handle(
        lambda s: Reply(404, "<html><body>Not Found</body></html>", {"Content-Type": "text/html"})
    )
    with pytest.raises(MalformedResponseError, match="text/html, not JSON") as info:
        invoke("listZones")
    assert info.value.status == 404
    assert "Not Found" in str(info.value)


def test_bad_json_is_malformed(stub: StubServer, invoke: Invoke) -> None:
    stub.handle(
        lambda s: Reply(200, '{"listzonesresponse": {', {"Content-Type": "application/json"})
    )
    with pytest.raises(MalformedResponseError, match="not valid JSON"):
        invoke("listZones")


def test_429_waits_the_time_in_errortext(stub: StubServer, invoke: Invoke) -> None:
    calls: list[float] = []

    def handler(seen: Seen) -> Reply:
        import time

        calls.append(time.monotonic())
        if len(calls) < 3:
            return error(
                "deployVirtualMachine",
                429,
                "The given user has reached his/her account api limit, "
                "please retry after [150] ms.",
                4545,
            )
        return ok("deployVirtualMachine", {"jobid": "j1"})

    stub.handle(FakeCloudStack(deployVirtualMachine=handler))
    assert invoke("deployVirtualMachine", zoneid="z") == {"jobid": "j1"}
    assert len(calls) == 3
    assert calls[1] - calls[0] >= 0.14
    assert calls[2] - calls[1] >= 0.14


def test_429_beyond_budget_raises_rate_limited(stub: StubServer, invoke: Invoke) -> None:
    stub.handle(
        FakeCloudStack(
            listZones=lambda s: error(
                "listZones",
                429,
                "The given user has reached his/her account api limit, please retry after [10] ms.",
                4545,
            )
        )
    )
    with pytest.raises(CloudStackRateLimitedError) as info:
        invoke("listZones", client_options={"retry": 1})
    assert info.value.retry_after == pytest.approx(0.01)
    assert len(stub.requests) == 2


def test_reads_retried_after_connection_reset(stub: StubServer, invoke: Invoke) -> None:
    answers = iter([Reply(reset=True), Reply(reset=True)])

    def handler(seen: Seen) -> Reply:
        return next(answers, None) or ok("listZones", {"count": 1, "zone": [{"id": "z"}]})

    stub.handle(FakeCloudStack(listZones=handler))
    assert invoke("listZones")["count"] == 1
    assert len(stub.requests) == 3


def test_reads_retried_after_502(stub: StubServer, invoke: Invoke) -> None:
    answers = iter([Reply(502, "<html>Bad Gateway</html>", {"Content-Type": "text/html"})])
    stub.handle(FakeCloudStack(listZones=lambda s: next(answers, None) or ok("listZones", {})))
    assert invoke("listZones") == {}
    assert len(stub.requests) == 2


def test_non_idempotent_never_resent_after_reset(stub: StubServer, invoke: Invoke) -> None:
    stub.handle(FakeCloudStack(deployVirtualMachine=lambda s: Reply(reset=True)))
    with pytest.raises(OutcomeUnknownError, match="deployVirtualMachine") as info:
        invoke("deployVirtualMachine", zoneid="z")
    assert info.value.operation == "CloudStack deployVirtualMachine"
    assert len(stub.requests) == 1


def test_non_idempotent_never_resent_after_gateway_html(stub: StubServer, invoke: Invoke) -> None:
    stub.handle(
        FakeCloudStack(
            deployVirtualMachine=lambda s: Reply(
                504, "<html>Gateway Timeout</html>", {"Content-Type": "text/html"}
            )
        )
    )
    with pytest.raises(OutcomeUnknownError, match="deployVirtualMachine"):
        invoke("deployVirtualMachine", zoneid="z")
    assert len(stub.requests) == 1


def test_non_idempotent_timeout_is_outcome_unknown(stub: StubServer, invoke: Invoke) -> None:
    stub.handle(
        FakeCloudStack(
            createVolume=lambda s: Reply(200, {"createvolumeresponse": {"jobid": "j"}}, delay=1.5)
        )
    )
    with pytest.raises(OutcomeUnknownError, match="createVolume"):
        invoke("createVolume", client_options={"timeout": 0.5}, name="v")
    assert len(stub.requests) == 1


def test_connection_refused_is_not_sent(
    invoke: Invoke, stub: StubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(stub, "url", f"http://127.0.0.1:{port}")
    with pytest.raises(RequestNotSentError, match="could not connect"):
        invoke("deployVirtualMachine", client_options={"retry": 1}, zoneid="z")


def test_trace_redacts_secrets(
    stub: StubServer, invoke: Invoke, caplog: pytest.LogCaptureFixture
) -> None:
    body = {
        "listuserkeysresponse": {"userkeys": {"apikey": "leaked-api", "secretkey": "leaked-secret"}}
    }
    stub.handle(FakeCloudStack(getUserKeys=lambda s: Reply(200, body)))
    with caplog.at_level(logging.DEBUG, logger="omnicloud.http"):
        result: Any = invoke("getUserKeys", id="u")
    assert result["userkeys"]["secretkey"] == "leaked-secret"
    text = caplog.text
    assert "> GET http://127.0.0.1" in text and "< HTTP 200" in text
    assert "command=getUserKeys" in text
    for secret in (
        KEY,
        SECRET,
        "leaked-api",
        "leaked-secret",
        stub.requests[0].params["signature"],
    ):
        assert secret not in text
    assert "REDACTED" in text


def test_repr_and_errors_hide_secrets(stub: StubServer) -> None:
    from omnicloud.cloudstack import CloudStack

    client = CloudStack(f"{stub.url}/client/api", KEY, SECRET, name="lab")
    assert repr(client) == "<CloudStack: lab>"
    assert SECRET not in repr(vars(client))
