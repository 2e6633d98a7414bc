"""The Compute Engine driver's protocol layer against a scripted stand-in (httpx.MockTransport):
authentication and token renewal, error answers, failed operations, paging, state mapping and
secrets kept out of reprs and messages. Sync and async drivers alike."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from omnicloud.compute import NodeState
from omnicloud.compute.drivers.gce import (
    NODE_STATES,
    AsyncGCENodeDriver,
    GCENodeDriver,
    GCEOperationError,
    GCEQuotaError,
    node_state,
)
from omnicloud.errors import (
    ConfigurationError,
    InvalidCredentialsError,
    NotFoundError,
    NotSupportedError,
    ValidationError,
)
from tests.support.modes import Portal, close_in_mode, open_in_mode

from ._fake import BASE, EMAIL, PROJECT, FakeGce, make_key, op, reply

ZONE = "us-central1-a"


@pytest.fixture(scope="module")
def key_info() -> dict[str, Any]:
    return make_key()


@pytest.fixture
def fake() -> FakeGce:
    return FakeGce()


@pytest.fixture
def d(mode: str, portal: Portal, fake: FakeGce, key_info: dict[str, Any]) -> Iterator[Any]:
    driver = open_in_mode(
        mode, portal, GCENodeDriver, AsyncGCENodeDriver, EMAIL, key_info,
        datacenter=ZONE, endpoint="http://fake.gce", transport=fake.transport(),
        poll_interval=0.01, wait_timeout=5,
    )  # fmt: skip
    yield driver
    close_in_mode(driver, portal)


def instance(name: str, status: str = "RUNNING", **more: Any) -> dict[str, Any]:
    return {
        "kind": "compute#instance",
        "id": str(abs(hash(name)) % 10**12),
        "name": name,
        "status": status,
        "zone": f"https://compute.googleapis.com{BASE}/zones/{ZONE}",
        "machineType": f"https://compute.googleapis.com{BASE}/zones/{ZONE}/machineTypes/e2-micro",
        "networkInterfaces": [
            {
                "networkIP": "10.128.0.5",
                "accessConfigs": [{"type": "ONE_TO_ONE_NAT", "natIP": "34.1.2.3"}],
            }
        ],
        "disks": [{"boot": True, "source": f"{BASE}/zones/{ZONE}/disks/{name}"}],
        "creationTimestamp": "2024-05-01T10:00:00.000-07:00",
        **more,
    }


def test_every_state_maps_and_unknown_is_unknown() -> None:
    expected = {
        "PROVISIONING": NodeState.PENDING,
        "STAGING": NodeState.PENDING,
        "RUNNING": NodeState.RUNNING,
        "STOPPING": NodeState.STOPPING,
        "STOPPED": NodeState.STOPPED,
        "TERMINATED": NodeState.STOPPED,
        "SUSPENDING": NodeState.SUSPENDED,
        "SUSPENDED": NodeState.SUSPENDED,
        "REPAIRING": NodeState.ERROR,
    }
    assert {k: node_state(k) for k in expected} == expected
    assert set(NODE_STATES) == set(expected)
    for odd in ("HIBERNATING", "", None, 42):
        assert node_state(odd) is NodeState.UNKNOWN


def test_list_nodes_follows_aggregated_pages_and_maps_addresses(d: Any, fake: FakeGce) -> None:
    first = {
        "items": {
            f"zones/{ZONE}": {"instances": [instance("web-1")]},
            "zones/europe-west1-b": {"warning": {"code": "NO_RESULTS_ON_PAGE"}},
        },
        "nextPageToken": "t2",
    }
    second = {"items": {"zones/us-east1-b": {"instances": [instance("web-2", "TERMINATED")]}}}

    def pages(request: Any) -> Any:
        assert request.url.params["maxResults"] == "500"
        return reply(200, second if request.url.params.get("pageToken") == "t2" else first)

    fake.routes[("GET", f"{BASE}/aggregated/instances")] = pages
    nodes = d.list_nodes()
    assert [(n.name, n.state) for n in nodes] == [
        ("web-1", NodeState.RUNNING),
        ("web-2", NodeState.STOPPED),
    ]
    assert nodes[0].public_ips == ["34.1.2.3"] and nodes[0].private_ips == ["10.128.0.5"]
    assert nodes[0].extra["zone"] == ZONE and nodes[0].extra["machineType"] == "e2-micro"
    assert nodes[0].extra["boot_disk"] == "web-1"
    assert [n.name for n in d.iterate_nodes()] == ["web-1", "web-2"]
    # the token was fetched once and reused
    assert fake.tokens_issued == 1


def test_ex_zone_lists_one_zone(d: Any, fake: FakeGce) -> None:
    fake.routes[("GET", f"{BASE}/zones/{ZONE}/instances")] = reply(
        200, {"items": [instance("only")]}
    )
    assert [n.name for n in d.list_nodes(ex_zone=ZONE)] == ["only"]


def test_404_is_not_found_with_googles_message(d: Any, fake: FakeGce) -> None:
    with pytest.raises(NotFoundError) as caught:
        d.ex_get_node("nope", ZONE)
    assert "was not found" in str(caught.value) and caught.value.status == 404


def test_401_renews_the_token_once(d: Any, fake: FakeGce) -> None:
    path = f"{BASE}/zones/{ZONE}/instances/web-1"
    fake.routes[("GET", path)] = [
        reply(401, {"error": {"code": 401, "message": "Invalid Credentials"}}),
        reply(200, instance("web-1")),
    ]
    assert d.ex_get_node("web-1", ZONE).name == "web-1"
    assert fake.tokens_issued == 2
    sent = [r.headers["authorization"] for r in fake.seen if r.url.path == path]
    assert sent == ["Bearer ya29.secret-1", "Bearer ya29.secret-2"]


def test_401_twice_is_invalid_credentials_without_the_token(d: Any, fake: FakeGce) -> None:
    path = f"{BASE}/zones/{ZONE}/instances/web-1"
    fake.routes[("GET", path)] = reply(
        401, {"error": {"code": 401, "message": "Request had invalid credentials"}}
    )
    with pytest.raises(InvalidCredentialsError) as caught:
        d.ex_get_node("web-1", ZONE)
    assert fake.tokens_issued == 2  # one renewal, no more
    assert len([r for r in fake.seen if r.url.path == path]) == 2
    assert "ya29" not in str(caught.value) and "invalid credentials" in str(caught.value)


def test_a_refused_key_is_invalid_credentials(d: Any, fake: FakeGce) -> None:
    fake.token_status = 400
    with pytest.raises(InvalidCredentialsError) as caught:
        d.list_locations()
    assert "Invalid JWT Signature" in str(caught.value)
    assert caught.value.provider == "gce"


def test_quota_error_of_an_operation_carries_googles_message(d: Any, fake: FakeGce) -> None:
    fake.routes[("GET", "/compute/v1/projects/debian-cloud/global/images/family/debian-12")] = (
        reply(200, {"id": "77", "name": "debian-12-x", "family": "debian-12",
                    "selfLink": "https://x/compute/v1/projects/debian-cloud/global/images/"
                    "debian-12-x"})
    )  # fmt: skip
    failed = op(
        "op-q",
        "DONE",
        error={
            "errors": [
                {
                    "code": "QUOTA_EXCEEDED",
                    "message": "Quota 'CPUS' exceeded.  Limit: 24.0 in region us-central1.",
                }
            ]
        },
        httpErrorStatusCode=403,
        httpErrorMessage="FORBIDDEN",
    )
    fake.routes[("POST", f"{BASE}/zones/{ZONE}/instances")] = reply(200, op("op-q", "RUNNING"))
    fake.routes[("GET", f"{BASE}/zones/{ZONE}/operations/op-q")] = [
        reply(200, op("op-q", "RUNNING")),
        reply(200, failed),
    ]
    with pytest.raises(GCEQuotaError) as caught:
        d.create_node("big", "n2-standard-16", "debian-12")
    error = caught.value
    assert isinstance(error, GCEOperationError)
    assert "Quota 'CPUS' exceeded" in str(error) and error.code == "QUOTA_EXCEEDED"
    assert error.status == 403
    body = json.loads(next(r for r in fake.seen if r.url.path.endswith("/instances")).content)
    assert body["disks"][0]["initializeParams"]["sourceImage"] == (
        "projects/debian-cloud/global/images/debian-12-x"
    )
    assert body["networkInterfaces"][0]["accessConfigs"][0]["type"] == "ONE_TO_ONE_NAT"


def test_unknown_image_is_a_clear_not_found(d: Any, fake: FakeGce) -> None:
    with pytest.raises(NotFoundError) as caught:
        d.create_node("web", "e2-micro", "debian-99")
    text = str(caught.value)
    assert "debian-99" in text and "debian-cloud" in text
    assert not any(r.method == "POST" and "instances" in r.url.path for r in fake.seen)


def test_bad_names_fail_before_any_request(d: Any, fake: FakeGce) -> None:
    for bad in ("Web", "1web", "a" * 64, "web_1", ""):
        with pytest.raises(ValidationError):
            d.create_node(bad, "e2-micro", "debian-12")
    assert fake.paths() == []


def test_secrets_stay_out_of_reprs_logs_and_errors(
    d: Any, fake: FakeGce, key_info: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.routes[("GET", f"{BASE}/zones")] = reply(
        500, {"error": {"code": 500, "message": "backend echoed ya29.secret-1"}}
    )
    with pytest.raises(Exception) as caught:
        d.list_locations()
    pem_line = key_info["private_key"].splitlines()[1]
    native = getattr(d, "driver", d)
    for text in (str(caught.value), repr(native), repr(native.ex_auth), repr(native.client),
                 caplog.text):  # fmt: skip
        assert "ya29.secret" not in text
        assert pem_line not in text and "PRIVATE KEY" not in text


def test_key_file_path_gives_project_and_email(tmp_path: Path, key_info: dict[str, Any]) -> None:
    path = tmp_path / "key.json"
    path.write_text(json.dumps(key_info))
    with GCENodeDriver(None, str(path), datacenter=ZONE) as driver:
        assert driver.project == PROJECT and driver.region == "us-central1"
        assert driver.ex_auth.client_email == EMAIL  # type: ignore[attr-defined]


def test_google_application_credentials_is_the_default_key(
    tmp_path: Path, key_info: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "adc.json"
    path.write_text(json.dumps(key_info))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    with GCENodeDriver() as driver:
        assert driver.project == PROJECT and driver.zone is None


def test_configuration_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    with pytest.raises(ConfigurationError):
        GCENodeDriver()
    with pytest.raises(ConfigurationError):
        GCENodeDriver(ex_token="tok")  # no project
    with pytest.raises(ConfigurationError):
        GCENodeDriver(EMAIL, "/nonexistent/key.json", project="p")
    with pytest.raises(NotSupportedError):
        GCENodeDriver(EMAIL, {"type": "authorized_user"}, project="p")
    with pytest.raises(NotSupportedError):
        GCENodeDriver(EMAIL, "k.json", project="p", auth_type="IA")
    with pytest.raises(ValidationError):
        GCENodeDriver(ex_token="tok", project="p", page_size=0)
    with pytest.raises(ConfigurationError):
        GCENodeDriver(EMAIL, 42, project="p")


def test_access_token_is_sent_as_is_and_never_renewed(fake: FakeGce) -> None:
    path = f"{BASE}/zones"
    fake.routes[("GET", path)] = reply(401, {"error": {"code": 401, "message": "expired"}})
    driver = GCENodeDriver(
        ex_token="ya29.given", project=PROJECT, endpoint="http://fake.gce",
        transport=fake.transport(),
    )  # fmt: skip
    with driver, pytest.raises(InvalidCredentialsError) as caught:
        driver.list_locations()
    assert "ya29.given" not in str(caught.value) and "ya29.given" not in repr(driver)
    assert [r.headers["authorization"] for r in fake.seen] == ["Bearer ya29.given"]


def test_bad_arguments_fail_before_any_request(d: Any, fake: FakeGce) -> None:
    with pytest.raises(ValidationError):
        d.create_node("web", "e2-micro", "debian-12", ex_disk_size="big")
    with pytest.raises(ValidationError):
        d.create_node("web", "e2-micro", "debian-12", ex_labels="team=blue")
    with pytest.raises(ValidationError):
        d.create_node("web", "e2-micro", "debian-12", ex_metadata=["startup-script"])
    for bad in ("ten", 0, -5, 2.5, True):
        with pytest.raises(ValidationError):
            d.create_volume(bad, "vol")
    with pytest.raises(ValidationError):
        d.create_volume(10, "Bad_Vol")
    with pytest.raises(ValidationError):
        d.ex_create_firewall("Bad Rule")
    assert fake.paths() == []


def test_no_zone_anywhere_is_a_validation_error(fake: FakeGce) -> None:
    driver = GCENodeDriver(
        ex_token="t", project=PROJECT, endpoint="http://fake.gce", transport=fake.transport()
    )
    with driver:
        with pytest.raises(ValidationError) as caught:
            driver.create_node("web", "e2-micro", "debian-12")
        assert "zone" in str(caught.value)
        with pytest.raises(ValidationError):
            driver.ex_create_address("ip-1")
    assert fake.paths() == []
