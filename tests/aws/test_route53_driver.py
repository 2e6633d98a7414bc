"""The Route53 DNS driver beyond the conformance suite, sync and async: multi-value sets,
aliases, wildcards, routing sets, change batches, waiting for INSYNC (a fake server), zone
comments and private zones, errors, the registry and the credentials chain."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import omnicloud
import omnicloud.aio
from omnicloud.dns import (
    RecordDoesNotExistError,
    RecordType,
    ZoneDoesNotExistError,
)
from omnicloud.dns.drivers.route53 import AsyncRoute53DNSDriver, Route53DNSDriver
from omnicloud.errors import JobTimeoutError, NotSupportedError, ValidationError
from omnicloud.http import HttpConfig
from tests.aws.conftest import QUICK, Moto
from tests.support.modes import Portal, close_in_mode, open_in_mode
from tests.support.s3servers import SELECTED
from tests.support.stub_server import Reply, Seen, StubServer

Factory = Callable[..., Any]


@pytest.fixture
def route53(mode: str, portal: Portal) -> Iterator[Factory]:
    made: list[Any] = []

    def build(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("http", HttpConfig(retry=QUICK))
        driver = open_in_mode(
            mode, portal, Route53DNSDriver, AsyncRoute53DNSDriver, *args, **kwargs
        )
        made.append(driver)
        return driver

    yield build
    for driver in made:
        close_in_mode(driver, portal)


SERVERS = [name for name in ("moto", "ministack") if name == "moto" or name in SELECTED]


@pytest.fixture(params=SERVERS)
def r53_server(request: pytest.FixtureRequest) -> Moto:
    """moto, and ministack when the session runs it."""
    server: Any = request.getfixturevalue(f"{request.param}_server")
    return Moto(server.endpoint, server.key, server.secret)


@pytest.fixture
def r53(r53_server: Moto, route53: Factory) -> Any:
    """A driver on that server."""
    server = r53_server
    return route53(server.key, server.secret, endpoint=server.endpoint, poll_interval=0.05)


def _domain() -> str:
    return f"t-{uuid.uuid4().hex[:10]}.example.org"


def _values(d: Any, zone: Any, name: str) -> list[str]:
    return sorted(r.data for r in d.list_records(zone) if r.name == name)


def test_multi_value_set(r53: Any, r53_server: Moto) -> None:
    zone = r53.create_zone(_domain())
    made = r53.ex_create_multi_value_record(
        "pool", zone, RecordType.A, "192.0.2.1\n192.0.2.2\n192.0.2.3", {"ttl": 30}
    )
    assert [r.data for r in made] == ["192.0.2.1", "192.0.2.2", "192.0.2.3"]
    assert {r.id for r in made} == {"A:pool"}
    listed = [r for r in r53.list_records(zone) if r.name == "pool"]
    assert len(listed) == 3 and all(r.extra["_multi_value"] for r in listed)
    assert sorted(listed[0].extra["values"]) == ["192.0.2.1", "192.0.2.2", "192.0.2.3"]
    theirs = r53_server.boto3("route53").list_resource_record_sets(
        HostedZoneId=zone.id, StartRecordName=f"pool.{zone.domain}", StartRecordType="A"
    )["ResourceRecordSets"][0]
    assert sorted(v["Value"] for v in theirs["ResourceRecords"]) == [r.data for r in made]

    second = next(r for r in listed if r.data == "192.0.2.2")
    r53.update_record(second, None, None, "192.0.2.22", None)
    assert _values(r53, zone, "pool") == ["192.0.2.1", "192.0.2.22", "192.0.2.3"]
    first = next(r for r in r53.list_records(zone) if r.data == "192.0.2.1")
    assert r53.delete_record(first) is True
    assert _values(r53, zone, "pool") == ["192.0.2.22", "192.0.2.3"]
    assert first.ttl == 30
    with pytest.raises(RecordDoesNotExistError):
        r53.delete_record(first)  # its value is gone, the set is not
    for record in [r for r in r53.list_records(zone) if r.name == "pool"]:
        r53.delete_record(record)
    assert _values(r53, zone, "pool") == []
    assert r53.delete_zone(zone) is True


def test_mx_srv_txt_and_wildcard_values(r53: Any) -> None:
    zone = r53.create_zone(_domain())
    r53.create_record("", zone, "MX", "mx1.example.net.", {"priority": 5})
    r53.create_record(
        "_sip._tcp", zone, "SRV", "sip.example.net.", {"priority": 1, "weight": 2, "port": 5060}
    )
    txt = r53.create_record("note", zone, "TXT", 'say "hi"')
    assert txt.data == '"say \\"hi\\""'  # quoted for Route53, as Libcloud does
    r53.create_record("*", zone, "A", "192.0.2.50")
    found = {(r.name, str(r.type)): r for r in r53.list_records(zone)}
    mx = found[("", "MX")]
    assert (mx.data, mx.extra["priority"], mx.extra["value"]) == (
        "mx1.example.net.",
        5,
        "5 mx1.example.net.",
    )
    srv = found[("_sip._tcp", "SRV")]
    assert (srv.extra["priority"], srv.extra["weight"], srv.extra["port"]) == (1, 2, 5060)
    assert found[("note", "TXT")].data == txt.data
    assert ("*", "A") in found and found[("*", "A")].id == "A:*"
    r53.delete_zone(zone, ex_delete_records=True)
    with pytest.raises(ZoneDoesNotExistError):
        r53.get_zone(zone.id)


def test_alias_and_routing_sets(r53: Any) -> None:
    zone = r53.create_zone(_domain())
    target = {
        "HostedZoneId": zone.id,
        "DNSName": f"www.{zone.domain}",
        "EvaluateTargetHealth": False,
    }
    r53.create_record("www", zone, "A", "192.0.2.60")
    alias = r53.create_record("", zone, "A", "", {"alias_target": target})
    assert alias.data == f"www.{zone.domain}" and alias.extra["alias_target"]["DNSName"]
    listed = {r.id: r for r in r53.list_records(zone)}
    dns_name = listed["A:"].extra["alias_target"]["DNSName"]
    assert dns_name.rstrip(".") == f"www.{zone.domain.rstrip('.')}"
    assert r53.delete_record(listed["A:"]) is True
    for ident, weight in (("blue", 70), ("green", 30)):
        r53.create_record(
            "api", zone, "A", f"192.0.2.{weight}",
            {"set_identifier": ident, "routing_weight": weight, "ttl": 60},
        )  # fmt: skip
    weighted = sorted((r for r in r53.list_records(zone) if r.name == "api"), key=lambda r: r.id)
    assert [r.id for r in weighted] == ["A:api:blue", "A:api:green"]
    assert [int(r.extra["routing_weight"]) for r in weighted] == [70, 30]
    assert r53.get_record(zone.id, "A:api:green").data == "192.0.2.30"
    r53.delete_zone(zone, ex_delete_records=True)


def test_change_batch_and_wait(r53: Any) -> None:
    zone = r53.create_zone(_domain())
    change = r53.ex_change_resource_record_sets(
        zone,
        [
            {
                "Action": "UPSERT",
                "ResourceRecordSet": {
                    "Name": f"b{n}.{zone.domain}",
                    "Type": "A",
                    "TTL": 60,
                    "ResourceRecords": {"ResourceRecord": [{"Value": f"192.0.2.{n}"}]},
                },
            }
            for n in range(3)
        ],
        comment="three at once",
    )
    assert change["id"] and change["status"] in ("PENDING", "INSYNC")
    assert r53.ex_wait_for_change(change)["status"] == "INSYNC"
    assert sorted(r.name for r in r53.list_records(zone) if r.type == RecordType.A) == [
        "b0", "b1", "b2",
    ]  # fmt: skip
    record = r53.get_record(zone.id, "A:b1")
    assert record.ttl == 60
    with pytest.raises(ValidationError):
        r53.ex_change_resource_record_sets(zone, [])
    r53.delete_zone(zone, ex_delete_records=True)


def test_zone_comment_update_and_extras(r53: Any, r53_server: Moto) -> None:
    zone = r53.create_zone(_domain(), extra={"Comment": "first"})
    assert zone.extra["Comment"] == "first" and zone.extra["name_servers"]
    assert zone.extra["change_id"]
    updated = r53.update_zone(zone, zone.domain, extra={"Comment": "second"})
    assert updated.extra["Comment"] == "second"
    assert r53.get_zone(zone.id).extra["Comment"] == "second"
    theirs = r53_server.boto3("route53").get_hosted_zone(Id=zone.id)["HostedZone"]
    assert theirs["Config"]["Comment"] == "second"
    with pytest.raises(ValidationError, match="rename"):
        r53.update_zone(zone, "other.example.org")
    with pytest.raises(ValidationError, match="master"):
        r53.create_zone(_domain(), type="slave")
    assert r53.get_zone(f"/hostedzone/{zone.id}").id == zone.id
    r53.delete_zone(zone)


def test_unknown_type_and_record_ids(r53: Any) -> None:
    zone = r53.create_zone(_domain())
    with pytest.raises(ValidationError, match="no WKS records"):
        r53.create_record("x", zone, RecordType.WKS, "x")
    with pytest.raises(ValidationError, match="TYPE:name"):
        r53.get_record(zone.id, "www")
    with pytest.raises(RecordDoesNotExistError):
        r53.get_record(zone.id, "CNAME:nothing")
    assert RecordType.CAA in r53.list_record_types()
    r53.delete_zone(zone)


def test_missing_zone_listing_is_zone_error(r53: Any) -> None:
    from omnicloud.dns import Zone

    ghost = Zone("ZNOSUCHZONE1", "ghost.example.org.", "master", None, r53)
    with pytest.raises(ZoneDoesNotExistError) as caught:
        r53.list_records(ghost)
    assert caught.value.zone_id == "ZNOSUCHZONE1" and caught.value.code == "NoSuchHostedZone"
    with pytest.raises(ZoneDoesNotExistError):
        r53.delete_zone(ghost)
    with pytest.raises(ZoneDoesNotExistError):
        r53.delete_zone(ghost, ex_delete_records=True)
    with pytest.raises(ZoneDoesNotExistError):
        r53.create_record("x", ghost, "A", "192.0.2.1")


PENDING = (
    '<GetChangeResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeInfo>'
    "<Id>/change/C9</Id><Status>{}</Status><SubmittedAt>2026-01-01T00:00:00Z</SubmittedAt>"
    "</ChangeInfo></GetChangeResponse>"
)


def test_wait_polls_get_change_until_insync(stub: StubServer, route53: Factory) -> None:
    states = iter(["PENDING", "PENDING"])

    def answer(seen: Seen) -> Reply:
        return Reply(200, PENDING.format(next(states, "INSYNC")), {"Content-Type": "text/xml"})

    stub.handle(answer)
    driver = route53("AKIDSTUB", "stub-secret-key", endpoint=stub.url, poll_interval=0.02)
    seen: list[Any] = []
    done = driver.ex_wait_for_change("/change/C9", on_progress=seen.append)
    assert done == {"id": "C9", "status": "INSYNC", "submitted_at": "2026-01-01T00:00:00Z"}
    assert seen == ["PENDING", "PENDING", "INSYNC"]
    assert [s.path for s in stub.requests] == ["/2013-04-01/change/C9"] * 3
    assert all(s.method == "GET" for s in stub.requests)


def test_wait_times_out(stub: StubServer, route53: Factory) -> None:
    stub.handle(lambda seen: Reply(200, PENDING.format("PENDING"), {"Content-Type": "text/xml"}))
    driver = route53("AKIDSTUB", "stub-secret-key", endpoint=stub.url, poll_interval=0.02)
    with pytest.raises(JobTimeoutError, match="route53 change C9"):
        driver.ex_wait_for_change("C9", timeout=0.2)
    with pytest.raises(ValidationError, match="no change id"):
        driver.ex_wait_for_change({"status": "PENDING"})


def test_registry_profile_and_credentials_chain(
    moto: Moto, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert omnicloud.get_driver(omnicloud.DriverType.DNS, "route53") is Route53DNSDriver
    assert omnicloud.aio.get_driver("route53") is AsyncRoute53DNSDriver
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret-value-123")
    with Route53DNSDriver(endpoint=moto.endpoint) as driver:
        assert "env-secret-value-123" not in repr(driver)
        assert isinstance(driver.list_zones(), list)
    config = tmp_path / "omnicloud.yaml"
    config.write_text(
        f"cloud:\n  aws: {{kind: aws, credentials: {{endpoint: '{moto.endpoint}'}}}}\n"
    )
    config.chmod(0o600)
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(config))
    with omnicloud.connect("aws", "dns") as driver:
        assert isinstance(driver, Route53DNSDriver) and driver.endpoint == moto.endpoint
        zone = driver.create_zone(_domain())
        assert zone.id in {z.id for z in driver.list_zones()}
        driver.delete_zone(zone)


def test_core_without_provider_raises_not_supported() -> None:
    from omnicloud._shell import SyncShell
    from omnicloud.dns import DNSDriverCore

    class Bare(SyncShell, DNSDriverCore):
        def __init__(self) -> None:
            from omnicloud.http import Redactor

            self._open(HttpConfig(), Redactor())

    bare = Bare()
    with pytest.raises(NotSupportedError, match="Bare does not support iterate_zones"):
        bare.list_zones()
    with pytest.raises(NotSupportedError, match="create_record"):
        bare.create_record("a", None, "A", "x")  # type: ignore[arg-type]
    assert bare.list_record_types() == []
    bare.close()


def _rrset_page(names: list[str], following: str | None) -> str:
    sets = "".join(
        f"<ResourceRecordSet><Name>{n}.example.com.</Name><Type>A</Type><TTL>60</TTL>"
        f"<ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord>"
        f"</ResourceRecords></ResourceRecordSet>"
        for n in names
    )
    tail = (
        f"<IsTruncated>true</IsTruncated><NextRecordName>{following}.example.com.</NextRecordName>"
        "<NextRecordType>A</NextRecordType>"
        if following
        else "<IsTruncated>false</IsTruncated>"
    )
    return (
        '<ListResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">'
        f"<ResourceRecordSets>{sets}</ResourceRecordSets>{tail}<MaxItems>300</MaxItems>"
        "</ListResourceRecordSetsResponse>"
    )


def test_records_page_lazily_by_name_and_type(
    mode: str, stub: StubServer, route53: Factory
) -> None:
    from omnicloud.dns import Zone

    def answer(seen: Seen) -> Reply:
        first = "name" not in seen.params
        body = _rrset_page(["a", "b"], "c") if first else _rrset_page(["c"], None)
        return Reply(200, body, {"Content-Type": "text/xml"})

    stub.handle(answer)
    driver = route53("AKIDSTUB", "stub-secret-key", endpoint=stub.url)
    zone = Zone("Z1", "example.com.", "master", None, driver)
    if mode == "sync":  # lazily: the second page only once the first is consumed
        records = driver.iterate_records(zone)
        assert next(records).name == "a" and len(stub.requests) == 1
        assert [r.name for r in records] == ["b", "c"]
    else:
        assert [r.name for r in driver.iterate_records(zone)] == ["a", "b", "c"]
    assert [s.pairs for s in stub.requests] == [
        [("maxitems", "300")],
        [("maxitems", "300"), ("name", "c.example.com."), ("type", "A")],
    ]
    assert all(s.path == "/2013-04-01/hostedzone/Z1/rrset" for s in stub.requests)
