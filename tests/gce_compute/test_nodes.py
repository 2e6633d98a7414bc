"""Instances, machine types, zones, regions and images on the GCE simulator, sync and async."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from omnicloud.compute import NodeAuthSSHKey, NodeState
from omnicloud.compute.drivers.gce import GCENodeDriver, GCEQuotaError
from omnicloud.errors import NotFoundError, ValidationError

from .conftest import GceSim

PUB = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl me@host"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_sizes_have_ram_and_cpus(d: GCENodeDriver) -> None:
    sizes = {s.name: s for s in d.list_sizes()}
    micro = sizes["e2-micro"]
    assert (micro.id, micro.ram, micro.extra["guestCpus"]) == ("e2-micro", 1024, 2)
    assert micro.extra["zone"] == "us-central1-a"
    assert d.ex_get_size("n1-standard-2").ram == 7680
    other = d.list_sizes(location="europe-west1-b")
    assert {s.extra["zone"] for s in other} == {"europe-west1-b"}


def test_locations_and_regions(d: GCENodeDriver) -> None:
    zones = {z.name: z for z in d.list_locations()}
    assert zones["us-central1-a"].extra["region"] == "us-central1"
    regions = {r.name: r for r in d.ex_list_regions()}
    assert "us-central1-a" in regions["us-central1"].zones
    assert d.ex_get_zone("us-east1-b").name == "us-east1-b"


def test_images_families_and_ids(d: GCENodeDriver) -> None:
    images = d.list_images()
    names = {i.name for i in images}
    assert "debian-12-bookworm-v20241112" in names
    assert "debian-12-bookworm-v20240910" not in names  # deprecated: only when asked
    assert "debian-12-bookworm-v20240910" in {
        i.name for i in d.list_images(ex_include_deprecated=True)
    }
    newest = d.ex_get_image("debian-12")
    assert newest.name == "debian-12-bookworm-v20241112"
    assert newest.extra["project"] == "debian-cloud" and newest.extra["family"] == "debian-12"
    assert d.get_image(newest.id).name == newest.name
    assert d.ex_get_image("ubuntu-2204-jammy-v20241119").extra["project"] == "ubuntu-os-cloud"
    with pytest.raises(NotFoundError) as caught:
        d.ex_get_image("no-such-family")
    assert "no-such-family" in str(caught.value)
    with pytest.raises(NotFoundError):
        d.get_image("123456789")


def test_create_with_options_and_lifecycle(d: GCENodeDriver) -> None:
    name = unique("opts")
    node = d.create_node(
        name,
        "e2-small",
        "debian-12",
        ex_tags=["web", "ssh"],
        ex_labels={"team": "blue"},
        ex_metadata={"startup-script": "#!/bin/sh\necho hi"},
        ex_disk_size=20,
        ex_preemptible=True,
        auth=NodeAuthSSHKey(PUB),
    )
    try:
        assert node.name == name and node.extra["zone"] == "us-central1-a"
        assert node.extra["machineType"] == "e2-small"
        assert node.extra["tags"] == ["web", "ssh"] and node.extra["labels"] == {"team": "blue"}
        assert node.extra["metadata"]["startup-script"].startswith("#!/bin/sh")
        assert node.extra["metadata"]["ssh-keys"] == f"omnicloud:{PUB}"
        assert node.extra["preemptible"] is True
        assert node.public_ips and node.private_ips
        running = d.wait_until_running([node], wait_period=0.02, timeout=20)[0][0]
        assert running.state is NodeState.RUNNING
        assert d.reboot_node(running) is True
        assert d.ex_stop_node(running) is True
        assert d.ex_get_node(name, "us-central1-a").state is NodeState.STOPPED
        assert d.ex_start_node(running) is True
        assert d.ex_get_node(name).state in (NodeState.RUNNING, NodeState.PENDING)
        assert d.ex_get_node(running.id).name == name  # a numeric id works too
        assert [n.name for n in d.list_nodes(ex_zone="us-central1-a") if n.name == name] == [name]
        assert all(n.name != name for n in d.list_nodes(ex_zone="europe-west1-b"))
    finally:
        assert d.destroy_node(node) is True
    assert all(n.name != name for n in d.list_nodes())
    with pytest.raises(NotFoundError):
        d.ex_get_node(name, "us-central1-a")


def test_no_external_ip(d: GCENodeDriver) -> None:
    node = d.create_node(unique("private"), "e2-micro", "debian-12", external_ip=None)
    try:
        assert node.public_ips == [] and node.private_ips
    finally:
        d.destroy_node(node)


def test_create_in_another_zone(d: GCENodeDriver) -> None:
    zone = next(z for z in d.list_locations() if z.name == "europe-west1-b")
    node = d.create_node(unique("eu"), "e2-micro", d.ex_get_image("debian-12"), location=zone)
    try:
        assert node.extra["zone"] == "europe-west1-b"
        assert node.private_ips[0].startswith("10.132.0.")
    finally:
        d.destroy_node(node)


def test_failures(d: GCENodeDriver) -> None:
    with pytest.raises(NotFoundError) as caught:
        d.create_node(unique("x"), "e2-micro", "debian-99")
    assert "debian-99" in str(caught.value)
    with pytest.raises(ValidationError):
        d.create_node("Bad_Name", "e2-micro", "debian-12")
    with pytest.raises(NotFoundError):
        d.ex_get_node("missing-node", "us-central1-a")
    with pytest.raises(NotFoundError):
        d.ex_get_node("missing-node")


def test_unknown_machine_type_is_a_provider_error(d: GCENodeDriver) -> None:
    from omnicloud.errors import ProviderError

    with pytest.raises(ProviderError) as caught:
        d.create_node(unique("x"), "e9-gigantic", "debian-12")
    assert "e9-gigantic" in str(caught.value)


def test_quota_exceeded_operation(d: GCENodeDriver, gce_sim: GceSim) -> None:
    gce_sim.config.cpu_quota = 1
    try:
        with pytest.raises(GCEQuotaError) as caught:
            d.create_node(unique("big"), "n1-standard-16", "debian-12")
    finally:
        gce_sim.config.cpu_quota = 2400
    assert "Quota 'CPUS' exceeded" in str(caught.value)
    assert caught.value.code == "QUOTA_EXCEEDED"


def test_lazy_listing_pages(d: GCENodeDriver, gce_sim: GceSim, mode: str) -> None:
    native: Any = getattr(d, "driver", d)
    native.page_size = 2
    made = [d.create_node(unique(f"pg{i}"), "e2-micro", "debian-12") for i in range(3)]
    try:
        names = {n.name for n in d.iterate_nodes()}
        assert {n.name for n in made} <= names
        assert {n.name for n in made} <= {n.name for n in d.list_nodes()}
    finally:
        for node in made:
            d.destroy_node(node)


def test_sizes_carry_prices_from_the_pricing_file(d: GCENodeDriver) -> None:
    from omnicloud.pricing import clear_pricing_data, set_pricing

    set_pricing("compute", "gce_instances", {"e2-micro": {"us-central1": {"on_demand": 0.0084}}})
    try:
        sizes = {s.name: s for s in d.list_sizes()}
        assert sizes["e2-micro"].price == pytest.approx(0.0084)
        assert sizes["e2-small"].price is None
        assert {s.price for s in d.list_sizes("europe-west1-b") if s.name == "e2-micro"} == {None}
    finally:
        clear_pricing_data()


def test_preemptible_scheduling_and_libcloud_positional_order(d: GCENodeDriver) -> None:
    name = unique("sched")
    node = d.create_node(
        name, "e2-micro", None, "us-central1-a", "default", None, ["t1"],
        ex_image_family="debian-12", ex_automatic_restart=False, description="batch",
    )  # fmt: skip
    try:
        assert node.extra["scheduling"]["automaticRestart"] is False
        assert node.extra["tags"] == ["t1"] and node.extra["description"] == "batch"
    finally:
        d.destroy_node(node)


def test_subnetwork_by_name(d: GCENodeDriver) -> None:
    node = d.create_node(unique("subnet"), "e2-micro", "debian-12", ex_subnetwork="default")
    try:
        nic = node.extra["networkInterfaces"][0]
        assert str(nic["subnetwork"]).endswith("regions/us-central1/subnetworks/default")
    finally:
        d.destroy_node(node)
