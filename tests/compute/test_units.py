"""Offline checks: registry, constructor rules, state maps, wire mapping, secrets in reprs."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from dataclasses import dataclass

import pytest

import omnicloud
import omnicloud.aio
from omnicloud import DriverType, Provider
from omnicloud._registry import UnknownProviderError, unset_driver
from omnicloud._wire import ExtraOf, Lenient, bind, context, from_wire, parts, wire
from omnicloud.compute import Node, NodeAuthPassword, NodeState, StorageVolumeState
from omnicloud.compute.drivers import cloudstack as cs
from omnicloud.compute.drivers.cloudstack._convert import is_private, node_state, volume_state
from omnicloud.errors import ValidationError

KEY, SECRET = "public-api-key-abc", "very-secret-key-xyz"


def test_get_driver_forms() -> None:
    assert omnicloud.get_driver(Provider.CLOUDSTACK) is cs.CloudStackNodeDriver
    assert omnicloud.get_driver("CloudStack") is cs.CloudStackNodeDriver
    assert omnicloud.get_driver(DriverType.COMPUTE, Provider.EXOSCALE) is cs.ExoscaleNodeDriver
    assert omnicloud.aio.get_driver(Provider.IKOULA) is cs.AsyncIkoulaNodeDriver
    assert Provider.EXOSCALE == "exoscale" and str(Provider.IKOULA) == "ikoula"
    with pytest.raises(
        UnknownProviderError,
        match="known: azure, azure_arm, cloudsigma, cloudstack, ec2, exoscale, gce, ikoula",
    ):
        omnicloud.get_driver("nimbus")
    with pytest.raises(UnknownProviderError, match="unknown driver type"):
        omnicloud.get_driver("teleport", "cloudstack")


def test_set_driver_registers_third_party_drivers() -> None:
    cls = omnicloud.set_driver(
        "mycloud", "omnicloud.compute.drivers.cloudstack", "IkoulaNodeDriver"
    )
    try:
        assert omnicloud.get_driver("mycloud") is cls is cs.IkoulaNodeDriver
        with pytest.raises(UnknownProviderError, match="already registered"):
            omnicloud.set_driver("mycloud", "x", "Y")
    finally:
        unset_driver("mycloud")
    with pytest.raises(ModuleNotFoundError):
        omnicloud.set_driver("broken", "no.such.module", "Driver")
    with pytest.raises(UnknownProviderError):
        omnicloud.get_driver("broken")  # rolled back


def test_import_stays_cheap() -> None:
    code = (
        "import sys, omnicloud; omnicloud.Provider; "
        "print(sorted(m for m in sys.modules if m.startswith(('httpx', 'omnicloud.compute'))"
        " and hasattr(sys.modules[m], '__file__')))"  # not the stand-in for httpx's CLI
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


_EXTENSION_MODELS_ON_FIRST_USE = """
import sys, omnicloud

package = "omnicloud.compute.drivers.cloudstack"
network, extras = f"{package}._network_models", f"{package}._extras_models"
loaded = lambda: [name for name in (network, extras) if name in sys.modules]
cls = omnicloud.get_driver("compute", "cloudstack")
print("get_driver", loaded())
cs = sys.modules[package]
print("unlisted", sorted(set(cs.__all__) - set(dir(cs))), loaded())
driver = cls("key", "secret", url="https://cloud.example.com/client/api")
flow = type(driver).ex_list_networks(driver)
print("flow made", loaded())
print("first effect", type(next(flow)).__name__, loaded())
from omnicloud.compute.drivers.cloudstack import CloudStackSecurityGroup
print("imported", CloudStackSecurityGroup.__module__ == extras, loaded())
"""


def test_extension_models_load_when_first_needed() -> None:
    # get_driver leaves out the models of the networking and other ex_* operations; a networking
    # operation loads its own when it runs, a name imported from the package loads its module
    out = subprocess.run(
        [sys.executable, "-c", _EXTENSION_MODELS_ON_FIRST_USE],
        capture_output=True,
        text=True,
        check=True,
    )
    network, extras = f"{cs.__name__}._network_models", f"{cs.__name__}._extras_models"
    assert out.stdout.splitlines() == [
        "get_driver []",
        "unlisted [] []",
        "flow made []",
        f"first effect Send [{network!r}]",
        f"imported True [{network!r}, {extras!r}]",
    ]


def test_deferred_models_stay_exported() -> None:
    from omnicloud.compute.drivers.cloudstack import (
        CloudStackSecurityGroupRule,
        CloudStackVpnGateway,
        _extras_models,
        _network_models,
    )

    deferred = {*_network_models.__all__, *_extras_models.__all__}
    assert set(cs._DEFERRED_MODELS) == deferred
    assert deferred <= set(cs.__all__) and deferred <= set(dir(cs))
    assert len(cs.__all__) == len(set(cs.__all__))
    for name in deferred:
        assert getattr(cs, name).__name__ == name
    assert CloudStackVpnGateway is _network_models.CloudStackVpnGateway
    assert CloudStackSecurityGroupRule is _extras_models.CloudStackSecurityGroupRule
    with pytest.raises(AttributeError, match="has no attribute 'CloudStackNothing'"):
        _ = cs.CloudStackNothing


def test_constructor_endpoints() -> None:
    drv = cs.CloudStackNodeDriver(KEY, SECRET, host="cloud.example.com", path="/client/api")
    assert drv.endpoint == "https://cloud.example.com/client/api" and drv.secure
    drv = cs.CloudStackNodeDriver(KEY, SECRET, url="http://example.com/path/to/api")
    assert drv.endpoint == "http://example.com/path/to/api" and not drv.secure  # anchor bug
    drv = cs.CloudStackNodeDriver(
        KEY, SECRET, host="localhost", path="/client/api", port=8080, secure=False
    )
    assert drv.endpoint == "http://localhost:8080/client/api"
    assert cs.ExoscaleNodeDriver(KEY, SECRET).endpoint == "https://api.exoscale.com/compute"
    assert cs.IkoulaNodeDriver(KEY, SECRET).endpoint == "https://cloudstack.ikoula.com/client/api"
    assert cs.AsyncExoscaleNodeDriver(KEY, SECRET).type == "exoscale"
    with pytest.raises(ValidationError, match="url= or both host= and path="):
        cs.CloudStackNodeDriver(KEY, SECRET)
    with pytest.raises(ValidationError, match="either url= or host="):
        cs.CloudStackNodeDriver(KEY, SECRET, url="https://a/b", host="a")
    with pytest.raises(ValidationError):
        cs.CloudStackNodeDriver(KEY, None, url="https://a/b")
    with pytest.raises(ValidationError):
        cs.CloudStackNodeDriver(KEY, SECRET, url="ftp://a/b")


def test_secrets_stay_out_of_reprs() -> None:
    drv = cs.CloudStackNodeDriver(KEY, SECRET, url="https://cloud.example.com/client/api")
    assert SECRET not in repr(drv) and KEY not in repr(drv)
    assert SECRET not in repr(drv._settings)
    assert "hunter2" not in repr(NodeAuthPassword("hunter2"))
    pair = cs.CloudStackKeyPair(name="k", public_key=None, fingerprint="f", private_key="PRIV")
    assert "PRIV" not in repr(pair)


def test_state_maps_are_total() -> None:
    assert node_state("Starting") is NodeState.STARTING  # the anchor said REBOOTING
    assert node_state("Shutdowned") is NodeState.STOPPED
    assert node_state("SomethingNew") is NodeState.UNKNOWN  # the anchor raised KeyError
    assert node_state(None) is NodeState.UNKNOWN
    assert NodeState.RUNNING == "running" and NodeState.fromstring("running") is NodeState.RUNNING
    assert volume_state({"state": "Ready", "virtualmachineid": "x"}) is StorageVolumeState.INUSE
    assert volume_state({"state": "Weird"}) is StorageVolumeState.UNKNOWN


def test_private_address_split() -> None:
    assert all(map(is_private, ["10.1.2.3", "192.168.0.1", "172.16.0.1", "172.31.9.9", "fd00::1"]))
    assert not any(map(is_private, ["172.32.0.1", "8.8.8.8", "198.18.0.2", "2001:db8::1"]))


def test_node_mapping_and_extra_view() -> None:
    doc = {
        "id": "vm-1",
        "displayname": "web",
        "state": "Running",
        "nic": [{"ipaddress": "10.0.0.5"}, {"ipaddress": "203.0.113.9"}],
        "publicip": "198.51.100.7",
        "zoneid": "z-1",
        "keypair": "kp",
        "securitygroup": [{"id": "sg-1", "name": "web"}],
        "tags": [{"key": "role", "value": "db"}],
        "created": "2024-05-06T07:08:09+0000",
    }
    node = from_wire(cs.CloudStackNode, doc, driver=None)
    assert (node.id, node.name, node.state) == ("vm-1", "web", NodeState.RUNNING)
    assert node.private_ips == ["10.0.0.5"]
    assert node.public_ips == ["203.0.113.9", "198.51.100.7"]
    assert node.extra["zone_id"] == "z-1" and node.extra["key_name"] == "kp"
    assert node.extra["security_group"] == ["web"] and node.extra["tags"] == {"role": "db"}
    assert node.extra["zoneid"] == "z-1"  # raw keys too
    assert node.created_at is not None and node.created_at.year == 2024
    assert isinstance(node, Node) and node == from_wire(cs.CloudStackNode, {"id": "vm-1"})
    empty = from_wire(cs.CloudStackNode, {})
    assert (empty.state, empty.public_ips, empty.private_ips) == (NodeState.UNKNOWN, [], [])


def test_wire_declarations() -> None:
    @dataclass(slots=True)
    class Thing:
        id: str = wire("id", str, default="")
        count: int = wire("n", int, default=0)
        names: list[str] = wire("names", factory=list)  # noqa: RUF009 - a field()
        owner: object = context("driver")

    thing = from_wire(Thing, {"id": 7, "n": "3"}, driver="me")
    assert (thing.id, thing.count, thing.names, thing.owner) == ("7", 3, [], "me")
    assert from_wire(Thing, {"n": None}).count == 0


def _split_pair(value: str) -> tuple[str, str]:
    left, _, right = value.partition("/")
    return left, right


_LEFT, _RIGHT = parts("pair", _split_pair, 2)


def test_wire_tables_lenient_converters_parts_and_bind() -> None:
    @dataclass(slots=True)
    class Gadget:
        colour: str = wire("c", {"r": "red", "g": "green"}, default="none")
        size: int | None = wire("s", Lenient(int, (ValueError,), -1))
        left: str = wire(_LEFT, default="?")
        right: str = wire(_RIGHT, default="?")
        extra: object = wire("*", ExtraOf({"alias": ("c", None)}))
        owner: object = context("driver")

    gadget = from_wire(Gadget, {"c": "g", "s": "12", "pair": "a/b"}, driver="d")
    assert (gadget.colour, gadget.size, gadget.left, gadget.right) == ("green", 12, "a", "b")
    assert gadget.owner == "d" and gadget.extra["alias"] == "g"  # type: ignore[index]
    odd = from_wire(Gadget, {"c": "blue", "s": "twelve"})
    assert (odd.colour, odd.size, odd.left, odd.right, odd.owner) == ("none", -1, "?", "?", None)
    bound = bind(Gadget, driver="bound")
    assert [g.owner for g in map(bound, [{}, {"c": "r"}])] == ["bound", "bound"]
    assert bound({"c": "r"}).colour == "red"
    with pytest.raises(TypeError, match="no converter"):
        wire(_LEFT, str)


def test_wire_frozen_classes_and_post_init_go_through_init() -> None:
    @dataclass(frozen=True)
    class Frozen:
        id: str = wire("id", default="")

    @dataclass
    class Checked:
        id: str = wire("id", default="")
        seen: list[str] = dataclasses.field(default_factory=list)

        def __post_init__(self) -> None:
            self.seen.append(self.id)

    assert from_wire(Frozen, {"id": "f"}) == Frozen(id="f")
    checked = from_wire(Checked, {"id": "c"})
    assert checked.seen == ["c"]
    assert from_wire(Checked, {}).seen == [""]  # a fresh list each time


def test_registry_covers_cloudsigma_and_storage() -> None:
    from omnicloud.compute.drivers.cloudsigma import AsyncCloudSigmaNodeDriver, CloudSigmaNodeDriver
    from omnicloud.storage.drivers.local import LocalStorageDriver
    from omnicloud.storage.drivers.s3 import AsyncS3StorageDriver, S3StorageDriver

    assert omnicloud.get_driver(Provider.CLOUDSIGMA) is CloudSigmaNodeDriver
    assert omnicloud.aio.get_driver(Provider.CLOUDSIGMA) is AsyncCloudSigmaNodeDriver
    assert omnicloud.get_driver(DriverType.STORAGE, Provider.LOCAL) is LocalStorageDriver
    assert omnicloud.get_driver(DriverType.STORAGE, "minio") is S3StorageDriver
    assert omnicloud.aio.get_driver(DriverType.STORAGE, Provider.S3) is AsyncS3StorageDriver
