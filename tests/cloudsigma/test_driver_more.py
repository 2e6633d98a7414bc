"""Driver methods the main driver tests do not call directly, end to end, sync and async."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from omnicloud.cloudsigma import CloudSigmaError
from omnicloud.compute import NodeState
from omnicloud.compute._models import NodeAuthPassword, NodeAuthSSHKey
from omnicloud.compute.drivers.cloudsigma import CloudSigmaNodeSize
from omnicloud.compute.drivers.cloudsigma_sizes import check_size
from omnicloud.errors import JobTimeoutError, ValidationError
from omnicloud.sim.cloudsigma import SimConfig

from .conftest import Run, Sim

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHt3bXzcCGeA2EFmiMRpc6v6fYYmB0Xw/1ivR6uGzg8u me@host"


def _seeded(run: Run, sim: Sim, prefix: str, count: int = 1) -> list[Any]:
    sim.state.seed_servers(count, prefix=prefix)
    return [n for n in run("list_nodes") if n.name.startswith(prefix + "-")]


def _kind(run: Run) -> str:
    return str(run.kind)  # type: ignore[attr-defined]


def _size(**kwargs: Any) -> CloudSigmaNodeSize:
    values = {"cpu": 1, "cpu_unit": "cores", "ram": 1, "ram_unit": "GB", "disk": 10, **kwargs}
    return CloudSigmaNodeSize.custom("t", **values)


def test_stop_and_shutdown_called_directly(run: Run, sim: Sim) -> None:
    (node,) = _seeded(run, sim, f"power2-{_kind(run)}")
    with pytest.raises(CloudSigmaError) as info:
        run("ex_stop_node", node)  # a stopped server cannot be stopped: the call is real
    assert info.value.status == 403
    assert run("start_node", node) is True
    run("ex_wait_for_node", node, "running")
    assert run("ex_stop_node", node) is True
    assert run("ex_get_node", node.id).state in (NodeState.STOPPING, NodeState.STOPPED)
    assert run("ex_wait_for_node", node, "stopped").state == NodeState.STOPPED
    with pytest.raises(CloudSigmaError):
        run("ex_shutdown_node", node)
    run("start_node", node)
    running = run("ex_wait_for_node", node, "running")
    assert running.state == NodeState.RUNNING and running.public_ips
    assert run("ex_shutdown_node", node) is True
    stopped = run("ex_wait_for_node", node, "stopped")
    assert stopped.state == NodeState.STOPPED and stopped.extra["runtime"] is None
    assert run("destroy_node", node, ex_delete_drives=True) is True


def test_wait_for_drive_and_clone_transitions(run: Run, knobs: SimConfig) -> None:
    prefix = f"wait-{_kind(run)}"
    knobs.drive_latency, knobs.clone_latency = 0.3, 1.0
    drive = run("ex_create_drive", prefix, 1, ex_wait=False)
    assert drive.status == "creating"
    ready = run("ex_wait_for_drive", drive)
    assert (ready.id, ready.status) == (drive.id, "unmounted")
    copy = run("ex_clone_drive", ready, name=prefix + "-copy", ex_wait=False)
    assert copy.status == "cloning_dst"
    assert run("ex_get_drive", drive.id).status == "cloning_src"
    with pytest.raises(JobTimeoutError):
        run("ex_wait_for_drive", copy, "unmounted", timeout=0.1)
    assert run("ex_wait_for_drive", copy).status == "unmounted"
    assert run("ex_wait_for_drive", drive, "unmounted", timeout=5).status == "unmounted"
    for item in (drive, copy):
        run("ex_destroy_drive", item)
    assert {drive.id, copy.id}.isdisjoint(d.id for d in run("ex_list_user_drives"))


def test_ip_subscription_is_listed_and_charged(run: Run) -> None:
    before = Decimal(run("ex_get_balance").balance)
    subscription = run("ex_create_subscription", 1, "1 month", "ip")
    assert subscription.resource == "ip" and Decimal(subscription.price) == Decimal("3.5")
    after = Decimal(run("ex_get_balance").balance)
    assert before - after == Decimal("3.50")
    ips = {ip["uuid"]: ip for ip in run("ex_list_ips")}
    address = subscription.subscribed_object
    assert address in ips and ips[address]["subscription"]["id"] == subscription.id
    assert ips[address]["netmask"] == 24
    usage = run("ex_get_usage")
    assert usage.usage["ip"]["using"] >= 1 and usage.usage["ip"]["subscribed"] >= 1


def test_tag_resources_directly_keeps_and_adds(run: Run, sim: Sim) -> None:
    prefix = f"tagmany-{_kind(run)}"
    first, second = _seeded(run, sim, prefix, 2)
    drive = run("ex_create_drive", prefix + "-data", 1)
    tag = run("ex_create_tag", prefix)
    tag = run("ex_tag_resources", [first, drive], tag)
    assert set(tag.resources) == {first.id, drive.id}
    tag = run("ex_tag_resources", [first, second], tag)
    assert sorted(tag.resources) == sorted([first.id, second.id, drive.id])  # no duplicate
    assert tag.id in run("ex_get_node", second.id).extra["tags"]
    assert {n.id for n in run("list_nodes", ex_tag=tag)} == {first.id, second.id}
    assert run("ex_get_tag", tag.id).resources == tag.resources
    run("ex_delete_tag", tag)
    assert run("ex_get_node", first.id).extra["tags"] == []
    for node in (first, second):
        run("destroy_node", node, ex_delete_drives=True)
    run("ex_destroy_drive", drive)


def test_ssh_key_goes_into_server_meta(run: Run) -> None:
    prefix = f"sshkey-{_kind(run)}"
    image = next(i for i in run("list_images") if i.name == "Debian 12")
    pair = run("import_key_pair_from_string", prefix, KEY)
    node = run(
        "create_node",
        prefix,
        _size(),
        image,
        auth=NodeAuthSSHKey(KEY),
        ex_metadata={"role": "web"},
        public_keys=[pair.extra["uuid"]],
    )
    assert node.extra["meta"] == {"role": "web", "ssh_public_key": KEY}
    assert run("ex_get_metadata", node)["ssh_public_key"] == KEY
    assert node.extra["pubkeys"] == [pair.extra["uuid"]]
    with pytest.raises(ValidationError, match="password"):
        run("create_node", prefix + "-pw", _size(), image, auth=NodeAuthPassword("secret"))
    run("destroy_node", node, ex_delete_drives=True)
    run("delete_key_pair", pair)


def test_destroy_keeps_drives_unless_asked(run: Run, sim: Sim) -> None:
    (node,) = _seeded(run, sim, f"keep-{_kind(run)}")
    boot = node.extra["drives"][0]["drive"]["uuid"]
    assert run("destroy_node", node) is True
    assert node.id not in {n.id for n in run("list_nodes")}
    kept = run("ex_get_drive", boot)
    assert kept.status == "unmounted" and not kept.extra.get("mounted_on")
    run("ex_destroy_drive", kept)


def test_running_server_edit_applies_name_and_meta_only(run: Run, sim: Sim) -> None:
    prefix = f"edit-run-{_kind(run)}"
    (node,) = _seeded(run, sim, prefix)
    run("start_node", node)
    node = run("ex_wait_for_node", node, "running")
    edited = run("ex_edit_node", node, {"name": prefix + "-new", "cpu": 4000, "meta": {"a": "b"}})
    assert edited.name == prefix + "-new" and edited.extra["meta"] == {"a": "b"}
    assert edited.extra["cpu_mhz"] == 2000  # cpu is not applied while running
    run("destroy_node", edited, ex_delete_drives=True)


def test_pricing_usage_and_capabilities_documents(run: Run, sim: Sim) -> None:
    pricing = run("ex_get_pricing")
    cpu = pricing.price("cpu")
    assert cpu is not None and cpu["unit"] == "GHz/month" and cpu["currency"] == "EUR"
    assert pricing.price("nothing-such") is None
    assert set(pricing["current"]) >= {"cpu", "mem", "dssd", "vlan", "ip", "tx"}
    prefix = f"usage-{_kind(run)}"
    (node,) = _seeded(run, sim, prefix)
    before = run("ex_get_usage").usage["cpu"]["using"]
    run("start_node", node)
    after = run("ex_get_usage")
    assert after.usage["cpu"]["using"] == before + 2000
    assert after.balance["currency"] == "EUR"
    caps = run("ex_list_capabilities")
    assert caps.mem_bytes == (268435456, 128 * 2**30) and caps.smp == (1, 40)
    assert caps.drive_bytes() == (536870912, 8249 * 2**30)
    run("destroy_node", node, ex_delete_drives=True)


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


def test_location_capabilities_reject_before_creating(run: Run, knobs: SimConfig) -> None:
    before = len(run("ex_list_user_drives"))
    knobs.capabilities = {"servers": {"cpu": {"max": 4000}}}
    image = next(i for i in run("list_images") if i.name == "Debian 12")
    with pytest.raises(ValidationError, match="this location"):
        run("create_node", "too-big", _size(cpu=5, cpu_unit="GHz"), image)
    assert len(run("ex_list_user_drives")) == before  # nothing was cloned
