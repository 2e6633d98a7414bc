"""Driver methods the main driver tests do not call directly, end to end, sync and async."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from omnicloud.cloudsigma import CloudSigmaError
from omnicloud.compute import NodeState
from omnicloud.compute._models import Node, NodeAuthPassword, NodeAuthSSHKey
from omnicloud.compute.drivers.cloudsigma import CloudSigmaNodeDriver, CloudSigmaNodeSize
from omnicloud.compute.drivers.cloudsigma_sizes import check_size
from omnicloud.errors import JobTimeoutError, ValidationError
from omnicloud.sim.cloudsigma import SimConfig

from .conftest import Sim

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHt3bXzcCGeA2EFmiMRpc6v6fYYmB0Xw/1ivR6uGzg8u me@host"


def _seeded(d: CloudSigmaNodeDriver, sim: Sim, prefix: str, count: int = 1) -> list[Node]:
    sim.state.seed_servers(count, prefix=prefix)
    return [n for n in d.list_nodes() if n.name.startswith(prefix + "-")]


def _size(**kwargs: Any) -> CloudSigmaNodeSize:
    values = {"cpu": 1, "cpu_unit": "cores", "ram": 1, "ram_unit": "GB", "disk": 10, **kwargs}
    return CloudSigmaNodeSize.custom("t", **values)


def test_stop_and_shutdown_called_directly(d: CloudSigmaNodeDriver, mode: str, sim: Sim) -> None:
    (node,) = _seeded(d, sim, f"power2-{mode}")
    with pytest.raises(CloudSigmaError) as info:
        d.ex_stop_node(node)  # a stopped server cannot be stopped: the call is real
    assert info.value.status == 403
    assert d.start_node(node) is True
    d.ex_wait_for_node(node, "running")
    assert d.ex_stop_node(node) is True
    assert d.ex_get_node(node.id).state in (NodeState.STOPPING, NodeState.STOPPED)
    assert d.ex_wait_for_node(node, "stopped").state == NodeState.STOPPED
    with pytest.raises(CloudSigmaError):
        d.ex_shutdown_node(node)
    d.start_node(node)
    running = d.ex_wait_for_node(node, "running")
    assert running.state == NodeState.RUNNING and running.public_ips
    assert d.ex_shutdown_node(node) is True
    stopped = d.ex_wait_for_node(node, "stopped")
    assert stopped.state == NodeState.STOPPED and stopped.extra["runtime"] is None
    assert d.destroy_node(node, ex_delete_drives=True) is True


def test_wait_for_drive_and_clone_transitions(
    d: CloudSigmaNodeDriver, mode: str, knobs: SimConfig
) -> None:
    prefix = f"wait-{mode}"
    knobs.drive_latency, knobs.clone_latency = 0.3, 1.0
    drive = d.ex_create_drive(prefix, 1, ex_wait=False)
    assert drive.status == "creating"
    ready = d.ex_wait_for_drive(drive)
    assert (ready.id, ready.status) == (drive.id, "unmounted")
    copy = d.ex_clone_drive(ready, name=prefix + "-copy", ex_wait=False)
    assert copy.status == "cloning_dst"
    assert d.ex_get_drive(drive.id).status == "cloning_src"
    with pytest.raises(JobTimeoutError):
        d.ex_wait_for_drive(copy, "unmounted", timeout=0.1)
    assert d.ex_wait_for_drive(copy).status == "unmounted"
    assert d.ex_wait_for_drive(drive, "unmounted", timeout=5).status == "unmounted"
    for item in (drive, copy):
        d.ex_destroy_drive(item)
    assert {drive.id, copy.id}.isdisjoint(item.id for item in d.ex_list_user_drives())


def test_ip_subscription_is_listed_and_charged(d: CloudSigmaNodeDriver) -> None:
    before = Decimal(d.ex_get_balance().balance)
    subscription = d.ex_create_subscription(1, "1 month", "ip")
    assert subscription.resource == "ip" and Decimal(subscription.price) == Decimal("3.5")
    after = Decimal(d.ex_get_balance().balance)
    assert before - after == Decimal("3.50")
    ips = {ip["uuid"]: ip for ip in d.ex_list_ips()}
    address = subscription.subscribed_object
    assert address in ips and ips[address]["subscription"]["id"] == subscription.id
    assert ips[address]["netmask"] == 24
    usage = d.ex_get_usage()
    assert usage.usage["ip"]["using"] >= 1 and usage.usage["ip"]["subscribed"] >= 1


def test_tag_resources_directly_keeps_and_adds(
    d: CloudSigmaNodeDriver, mode: str, sim: Sim
) -> None:
    prefix = f"tagmany-{mode}"
    first, second = _seeded(d, sim, prefix, 2)
    drive = d.ex_create_drive(prefix + "-data", 1)
    tag = d.ex_create_tag(prefix)
    tag = d.ex_tag_resources([first, drive], tag)
    assert set(tag.resources) == {first.id, drive.id}
    tag = d.ex_tag_resources([first, second], tag)
    assert sorted(tag.resources) == sorted([first.id, second.id, drive.id])  # no duplicate
    assert tag.id in d.ex_get_node(second.id).extra["tags"]
    assert {n.id for n in d.list_nodes(ex_tag=tag)} == {first.id, second.id}
    assert d.ex_get_tag(tag.id).resources == tag.resources
    d.ex_delete_tag(tag)
    assert d.ex_get_node(first.id).extra["tags"] == []
    for node in (first, second):
        d.destroy_node(node, ex_delete_drives=True)
    d.ex_destroy_drive(drive)


def test_ssh_key_goes_into_server_meta(d: CloudSigmaNodeDriver, mode: str) -> None:
    prefix = f"sshkey-{mode}"
    image = next(i for i in d.list_images() if i.name == "Debian 12")
    pair = d.import_key_pair_from_string(prefix, KEY)
    node = d.create_node(
        prefix,
        _size(),
        image,
        auth=NodeAuthSSHKey(KEY),
        ex_metadata={"role": "web"},
        public_keys=[pair.extra["uuid"]],
    )
    assert node.extra["meta"] == {"role": "web", "ssh_public_key": KEY}
    assert d.ex_get_metadata(node)["ssh_public_key"] == KEY
    assert node.extra["pubkeys"] == [pair.extra["uuid"]]
    with pytest.raises(ValidationError, match="password"):
        d.create_node(prefix + "-pw", _size(), image, auth=NodeAuthPassword("secret"))
    d.destroy_node(node, ex_delete_drives=True)
    d.delete_key_pair(pair)


def test_destroy_keeps_drives_unless_asked(d: CloudSigmaNodeDriver, mode: str, sim: Sim) -> None:
    (node,) = _seeded(d, sim, f"keep-{mode}")
    boot = node.extra["drives"][0]["drive"]["uuid"]
    assert d.destroy_node(node) is True
    assert node.id not in {n.id for n in d.list_nodes()}
    kept = d.ex_get_drive(boot)
    assert kept.status == "unmounted" and not kept.extra.get("mounted_on")
    d.ex_destroy_drive(kept)


def test_running_server_edit_applies_name_and_meta_only(
    d: CloudSigmaNodeDriver, mode: str, sim: Sim
) -> None:
    prefix = f"edit-run-{mode}"
    (node,) = _seeded(d, sim, prefix)
    d.start_node(node)
    node = d.ex_wait_for_node(node, "running")
    edited = d.ex_edit_node(node, {"name": prefix + "-new", "cpu": 4000, "meta": {"a": "b"}})
    assert edited.name == prefix + "-new" and edited.extra["meta"] == {"a": "b"}
    assert edited.extra["cpu_mhz"] == 2000  # cpu is not applied while running
    d.destroy_node(edited, ex_delete_drives=True)


def test_pricing_usage_and_capabilities_documents(
    d: CloudSigmaNodeDriver, mode: str, sim: Sim
) -> None:
    pricing = d.ex_get_pricing()
    cpu = pricing.price("cpu")
    assert cpu is not None and cpu["unit"] == "GHz/month" and cpu["currency"] == "EUR"
    assert pricing.price("nothing-such") is None
    assert set(pricing["current"]) >= {"cpu", "mem", "dssd", "vlan", "ip", "tx"}
    prefix = f"usage-{mode}"
    (node,) = _seeded(d, sim, prefix)
    before = d.ex_get_usage().usage["cpu"]["using"]
    d.start_node(node)
    after = d.ex_get_usage()
    assert after.usage["cpu"]["using"] == before + 2000
    assert after.balance["currency"] == "EUR"
    caps = d.ex_list_capabilities()
    assert caps.mem_bytes == (268435456, 128 * 2**30) and caps.smp == (1, 40)
    assert caps.drive_bytes() == (536870912, 8249 * 2**30)
    d.destroy_node(node, ex_delete_drives=True)


@pytest.mark.parametrize(
    ("values", "ok"),
    [
        ({"cpu": 80, "cpu_unit": "GHz"}, True),
        ({"cpu": 80.5, "cpu_unit": "GHz"}, False),
        ({"cpu": 1000, "cpu_unit": "MHz"}, True),
        ({"cpu": 999, "cpu_unit": "MHz"}, False),
        ({"cpu": 0.5, "cpu_unit": "GHz"}, False),
        ({"cpu": 40, "cpu_unit": "cores"}, True),
        ({"cpu": 81, "cpu_unit": "cores"}, False),
        ({"ram": 128, "ram_unit": "GB"}, True),
        ({"ram": 129, "ram_unit": "GB"}, False),
        ({"ram": 1024, "ram_unit": "MB"}, True),
        ({"ram": 1023, "ram_unit": "MB"}, False),
        ({"disk": 8249}, True),
        ({"disk": 8250}, False),
        ({"disk": 0}, False),
    ],
)
def test_documented_limits_with_explicit_units(values: dict[str, Any], ok: bool) -> None:
    size = _size(**values)
    if ok:
        check_size(size)
    else:
        with pytest.raises(ValidationError, match=r"outside CloudSigma's limits|read as"):
            check_size(size)


def test_units_convert_and_unknown_units_are_refused() -> None:
    size = _size(cpu=2.5, cpu_unit="GHz", ram=1.5, ram_unit="GB", disk=30)
    assert (size.cpu_mhz, size.ram, size.mem_bytes, size.disk_bytes) == (
        2500,
        1536,
        1536 * 2**20,
        30 * 2**30,
    )
    assert size.cores == 2  # 2500 MHz at 2000 MHz per core
    with pytest.raises(ValidationError, match="cpu_unit"):
        _size(cpu_unit="vCPU")
    with pytest.raises(ValidationError, match="ram_unit"):
        _size(ram_unit="TB")


def test_location_capabilities_reject_before_creating(
    d: CloudSigmaNodeDriver, knobs: SimConfig
) -> None:
    before = len(d.ex_list_user_drives())
    knobs.capabilities = {"servers": {"cpu": {"max": 4000}}}
    image = next(i for i in d.list_images() if i.name == "Debian 12")
    with pytest.raises(ValidationError, match="this location"):
        d.create_node("too-big", _size(cpu=5, cpu_unit="GHz"), image)
    assert len(d.ex_list_user_drives()) == before  # nothing was cloned
