"""CloudSigma documents map through wire() schemas to the same public models as before."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from omnicloud.compute._models import KeyPair, Node, NodeImage, NodeLocation, StorageVolume
from omnicloud.compute._types import NodeState, StorageVolumeState
from omnicloud.compute.drivers import cloudsigma_convert as convert
from omnicloud.compute.drivers.cloudsigma_models import (
    GIB,
    CloudSigmaBalance,
    CloudSigmaCapabilities,
    CloudSigmaDrive,
    CloudSigmaFirewallPolicyRule,
    CloudSigmaPricing,
    CloudSigmaUsage,
)


def test_drive_and_volume_keep_their_types_units_and_fallbacks() -> None:
    doc = {"uuid": 5, "name": 0, "size": GIB + 1, "status": "mounted", "media": ""}
    drive = convert.DRIVE(doc, driver="d")
    assert type(drive) is CloudSigmaDrive
    assert (drive.id, drive.name, drive.media, drive.driver) == ("5", "", "disk", "d")
    assert drive.size == (GIB + 1) / GIB and drive.extra["size_bytes"] == GIB + 1
    volume = convert.VOLUME(doc, driver="d")
    assert type(volume) is StorageVolume
    assert (volume.size, volume.state) == (2, StorageVolumeState.INUSE)
    assert volume.extra["media"] == "disk" and volume.extra["status"] == "mounted"
    with pytest.raises(KeyError):
        convert.DRIVE({"name": "no uuid"}, driver="d")


def test_node_takes_size_image_and_addresses_from_context() -> None:
    server = {
        "uuid": "s1",
        "name": "web",
        "status": "running",
        "cpu": 4000,
        "mem": 2 * GIB,
        "drives": [{"boot_order": 1, "drive": {"uuid": "d1"}}],
        "nics": [{"mac": "m", "ip_v4_conf": {"ip": {"uuid": "1.2.3.4"}}}],
    }
    boot = {"uuid": "d1", "name": "disk", "size": 10 * GIB, "meta": {"distribution": "Ubuntu"}}
    node = convert.NODE(server, driver="d", drives={"d1": boot}, mhz_per_core=2000)
    assert type(node) is Node and node.state is NodeState.RUNNING
    assert node.public_ips == ["1.2.3.4"] and node.private_ips == []
    assert node.image is not None and node.image.name == "Ubuntu"
    assert node.size is not None and node.size.disk == 10
    assert node.extra["cpus"] == 2 and node.extra["boot_drive"] == boot
    bare = convert.NODE({"uuid": "s2"}, driver="d", drives={}, mhz_per_core=2000)
    assert (bare.size, bare.image, bare.state) == (None, None, NodeState.UNKNOWN)


def test_subscription_policy_tag_and_key_pair() -> None:
    sub = convert.SUBSCRIPTION(
        {"uuid": "u", "amount": "bad", "start_time": "2024-01-01T00:00:00Z", "auto_renew": 1},
        driver="d",
    )
    assert (sub.id, sub.amount, sub.auto_renew, sub.end_time) == ("u", 0, True, None)
    assert sub.start_time == datetime(2024, 1, 1, tzinfo=UTC)
    policy = convert.POLICY(
        {"uuid": "p", "rules": [{"action": "drop", "direction": "in", "junk": 1}]}, driver="d"
    )
    assert policy.rules == [CloudSigmaFirewallPolicyRule("drop", "in")]
    tag = convert.TAG({"uuid": "t", "resources": [{"uuid": "a"}, None, "b"]}, driver="d")
    assert tag.resources == ["a", "b"] and tag.extra["meta"] == {}
    key = convert.KEY_PAIR({"name": "k", "private_key": "PRIV"}, driver="d")
    assert type(key) is KeyPair and key.private_key == "PRIV" and "PRIV" not in repr(key)
    assert key.extra == {"uuid": None, "tags": [], "meta": {}, "resource_uri": None}


# What the hand-written conversions did before the schemas (the oracle for the ones below).
_RULE_FIELDS = CloudSigmaFirewallPolicyRule.__dataclass_fields__


def _old_rules(value: Any) -> list[CloudSigmaFirewallPolicyRule]:
    return [
        CloudSigmaFirewallPolicyRule(**{k: v for k, v in rule.items() if k in _RULE_FIELDS})
        for rule in value or []
    ]


def _old_location(o: dict[str, Any], driver: Any) -> NodeLocation:
    return NodeLocation(
        id=str(o.get("id", "")).lower(),
        name=str(o.get("display_name") or o.get("id")),
        country=str(o.get("country_code") or ""),
        driver=driver,
        extra=dict(o),
    )


def _old_balance(raw: dict[str, Any]) -> CloudSigmaBalance:
    return CloudSigmaBalance(str(raw.get("balance")), str(raw.get("currency")), raw=raw)


def _old_pricing(raw: dict[str, Any]) -> CloudSigmaPricing:
    return CloudSigmaPricing(
        objects=list(raw.get("objects") or []),
        current=dict(raw.get("current") or {}),
        next=dict(raw.get("next") or {}),
        raw=raw,
    )


def _old_usage(raw: dict[str, Any]) -> CloudSigmaUsage:
    return CloudSigmaUsage(
        balance=dict(raw.get("balance") or {}), usage=dict(raw.get("usage") or {}), raw=raw
    )


def _fields(model: Any) -> dict[str, Any]:
    return {f.name: getattr(model, f.name) for f in dataclasses.fields(model)}


def _outcome(convert: Any, doc: Any) -> tuple[type[Any], Any]:
    """(model class, its fields) or (exception class, None): what converting ``doc`` gave."""
    try:
        model = convert(doc)
    except Exception as exc:
        return type(exc), None
    return type(model), _fields(model)


RULES = [
    [],
    None,
    [{"action": "drop", "direction": "in", "junk": 1}],
    [
        {
            "action": "accept",
            "direction": "both",
            "ip_proto": "tcp",
            "src_ip": "1.2.3.4",
            "src_port": None,
            "dst_ip": "",
            "dst_port": "22",
            "comment": "ssh",
        }
    ],
]


@pytest.mark.parametrize("rules", RULES)
def test_rules_map_as_the_hand_written_conversion_did(rules: Any) -> None:
    policy = convert.POLICY({"uuid": "p", "rules": rules}, driver="d")
    assert policy.rules == _old_rules(rules)
    assert all(type(rule) is CloudSigmaFirewallPolicyRule for rule in policy.rules)


LOCATIONS = [
    {"id": "ZRH", "display_name": "Zurich", "country_code": "CH", "api_endpoint": "x"},
    {"id": "sjc"},
    {"id": None, "display_name": "", "country_code": None},
    {},
    {"id": 7, "display_name": None, "country_code": ""},
]


@pytest.mark.parametrize("doc", LOCATIONS)
def test_locations_map_as_the_hand_written_conversion_did(doc: dict[str, Any]) -> None:
    new, old = convert.LOCATION(doc, driver="d"), _old_location(doc, "d")
    assert type(new) is NodeLocation and _fields(new) == _fields(old)
    assert new.driver == "d" and new.extra == doc and new.extra is not doc


ACCOUNT_DOCS = [
    {},
    {"balance": "12.50", "currency": "CHF"},
    {"balance": None, "currency": 5},
    {
        "objects": [{"resource": "cpu", "level": 0, "price": "0.1"}],
        "current": {"cpu": 1},
        "next": None,
    },
    {"objects": None, "current": {}, "next": {"mem": 2}},
    {"balance": {"balance": "3", "currency": "USD"}, "usage": {"cpu": {"burst": 0}}},
    {"balance": None, "usage": None},
]


@pytest.mark.parametrize("doc", ACCOUNT_DOCS)
def test_account_documents_map_as_the_hand_written_conversions_did(doc: dict[str, Any]) -> None:
    for schema, old in (
        (convert.BALANCE, _old_balance),
        (convert.PRICING, _old_pricing),
        (convert.USAGE, _old_usage),
    ):
        assert _outcome(schema, doc) == _outcome(old, doc)
        if _outcome(old, doc)[1] is not None:
            new = schema(doc)
            assert new.raw is doc and dict(new) == doc
    caps = convert.CAPABILITIES(doc)
    assert type(caps) is CloudSigmaCapabilities and caps.raw is doc
    assert _fields(caps) == _fields(CloudSigmaCapabilities(raw=doc))


def test_capabilities_keep_their_typed_views() -> None:
    doc = {
        "servers": {"cpu": {"min": 250, "max": 80000}, "smp": {"min": 1, "max": "40"}},
        "drives": {"dssd": {"size": {"min": 1, "max": 2}}},
    }
    caps = convert.CAPABILITIES(doc)
    assert (caps.cpu_mhz, caps.smp, caps.mem_bytes) == ((250, 80000), (1, 40), None)
    assert caps.drive_bytes() == (1, 2) and caps["servers"] is doc["servers"]


def _old_boot_image(doc: dict[str, Any], driver: Any) -> NodeImage:
    drive = convert.DRIVE(doc, driver=driver)
    label = " ".join(filter(None, [drive.extra.get("distribution"), drive.extra.get("version")]))
    return NodeImage(id=drive.id, name=label or drive.name, driver=driver, extra=drive.extra)


BOOT_DRIVES = [
    {"uuid": "d1", "name": "disk", "meta": {"distribution": "Ubuntu", "version": "22.04"}},
    {"uuid": "d2", "name": "plain", "size": GIB},
    {"uuid": 3, "name": None, "distribution": "Debian", "meta": {"version": "12"}},
    {"uuid": "d4", "name": "", "meta": None, "version": "", "mounted_on": [{"uuid": "s"}]},
]


@pytest.mark.parametrize("doc", BOOT_DRIVES)
def test_boot_image_maps_as_the_hand_written_conversion_did(doc: dict[str, Any]) -> None:
    new, old = convert.IMAGE(doc, driver="d"), _old_boot_image(doc, "d")
    assert type(new) is NodeImage and _fields(new) == _fields(old)
    assert new.extra == old.extra and new.driver == "d"
    with pytest.raises(KeyError):
        convert.IMAGE({"name": "no uuid"}, driver="d")
