"""google-cloud-compute, unchanged, against the simulator: instances, images, machine types,
zones, disks, snapshots, firewalls, addresses, and the failing paths as the SDK reports them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.api_core import exceptions
from google.cloud import compute_v1
from google.oauth2 import service_account

from .conftest import DEBIAN, GceSim

DONE = compute_v1.Operation.Status.DONE


def test_instance_lifecycle(gce: GceSim) -> None:
    instances = gce.client(compute_v1.InstancesClient)
    body = gce.instance_body("sdk-vm", labels={"env": "test"})
    body.tags = compute_v1.Tags(items=["web"])
    body.metadata = compute_v1.Metadata(
        items=[compute_v1.Items(key="startup-script", value="echo hi")]
    )
    op = instances.insert(project=gce.project, zone=gce.zone, instance_resource=body)
    done = gce.wait(op)
    assert done.status == DONE and not done.error.errors
    assert done.operation_type == "insert" and done.target_link.endswith("/instances/sdk-vm")

    vm = instances.get(project=gce.project, zone=gce.zone, instance="sdk-vm")
    assert vm.status == "RUNNING"
    assert vm.machine_type == (
        f"{gce.url}/compute/v1/projects/{gce.project}/zones/{gce.zone}/machineTypes/e2-micro"
    )
    assert vm.labels == {"env": "test"} and list(vm.tags.items) == ["web"]
    assert vm.metadata.items[0].key == "startup-script"
    nat = vm.network_interfaces[0].access_configs[0].nat_i_p
    assert nat.count(".") == 3 and vm.network_interfaces[0].network_i_p.startswith("10.128.")
    assert vm.disks[0].boot and vm.disks[0].source.endswith("/disks/sdk-vm")
    assert int(vm.id) > 0 and vm.creation_timestamp

    assert "sdk-vm" in [i.name for i in instances.list(project=gce.project, zone=gce.zone)]
    scopes = dict(instances.aggregated_list(project=gce.project))
    assert [i.name for i in scopes[f"zones/{gce.zone}"].instances] == ["sdk-vm"]
    assert scopes["zones/europe-west1-b"].warning.code == "NO_RESULTS_ON_PAGE"

    gce.wait(instances.stop(project=gce.project, zone=gce.zone, instance="sdk-vm"))
    stopped = instances.get(project=gce.project, zone=gce.zone, instance="sdk-vm")
    assert stopped.status == "TERMINATED"
    gce.wait(instances.start(project=gce.project, zone=gce.zone, instance="sdk-vm"))
    assert instances.get(project=gce.project, zone=gce.zone, instance="sdk-vm").status == "RUNNING"
    reset = gce.wait(instances.reset(project=gce.project, zone=gce.zone, instance="sdk-vm"))
    assert reset.operation_type == "reset" and not reset.error.errors

    gce.wait(instances.delete(project=gce.project, zone=gce.zone, instance="sdk-vm"))
    with pytest.raises(exceptions.NotFound) as missing:
        instances.get(project=gce.project, zone=gce.zone, instance="sdk-vm")
    assert "projects/omnicloud-sim/zones/us-central1-a/instances/sdk-vm" in str(missing.value)
    with pytest.raises(exceptions.NotFound):  # the boot disk was auto-deleted with it
        gce.client(compute_v1.DisksClient).get(project=gce.project, zone=gce.zone, disk="sdk-vm")


def test_images_machine_types_and_zones(gce: GceSim) -> None:
    images = gce.client(compute_v1.ImagesClient)
    debian = images.get_from_family(project="debian-cloud", family="debian-12")
    assert debian.name == "debian-12-bookworm-v20241112" and debian.family == "debian-12"
    assert debian.status == "READY" and debian.disk_size_gb == 10
    ubuntu = images.get_from_family(project="ubuntu-os-cloud", family="ubuntu-2204-lts")
    assert ubuntu.name.startswith("ubuntu-2204")
    names = [i.name for i in images.list(project="debian-cloud")]
    assert "debian-11-bullseye-v20241112" in names
    old = images.get(project="debian-cloud", image="debian-12-bookworm-v20240910")
    assert old.deprecated.state == "DEPRECATED"

    types = {
        m.name: m
        for m in gce.client(compute_v1.MachineTypesClient).list(project=gce.project, zone=gce.zone)
    }
    assert types["e2-micro"].guest_cpus == 2 and types["e2-micro"].memory_mb == 1024
    assert types["n1-standard-4"].guest_cpus == 4 and types["n1-standard-4"].memory_mb == 15360
    assert {"e2-small", "e2-medium", "n1-standard-1", "n2-standard-2"} <= set(types)

    zones = [z.name for z in gce.client(compute_v1.ZonesClient).list(project=gce.project)]
    assert "us-central1-a" in zones and "europe-west1-b" in zones


def test_disks_and_snapshots(gce: GceSim) -> None:
    disks = gce.client(compute_v1.DisksClient)
    blank = compute_v1.Disk(name="data-1", size_gb=50, labels={"role": "data"})
    gce.wait(disks.insert(project=gce.project, zone=gce.zone, disk_resource=blank))
    from_image = compute_v1.Disk(name="data-2", source_image=DEBIAN)
    gce.wait(disks.insert(project=gce.project, zone=gce.zone, disk_resource=from_image))
    got = disks.get(project=gce.project, zone=gce.zone, disk="data-2")
    assert got.status == "READY" and got.size_gb == 10 and "debian-12" in got.source_image
    assert {"data-1", "data-2"} <= {d.name for d in disks.list(project=gce.project, zone=gce.zone)}

    snap = compute_v1.Snapshot(name="data-1-snap")
    gce.wait(
        disks.create_snapshot(
            project=gce.project, zone=gce.zone, disk="data-1", snapshot_resource=snap
        )
    )
    snapshots = gce.client(compute_v1.SnapshotsClient)
    taken = snapshots.get(project=gce.project, snapshot="data-1-snap")
    assert taken.status == "READY" and taken.disk_size_gb == 50
    restored = compute_v1.Disk(name="data-3", source_snapshot=taken.self_link)
    gce.wait(disks.insert(project=gce.project, zone=gce.zone, disk_resource=restored))
    assert disks.get(project=gce.project, zone=gce.zone, disk="data-3").size_gb == 50

    gce.wait(snapshots.delete(project=gce.project, snapshot="data-1-snap"), "global")
    for name in ("data-1", "data-2", "data-3"):
        gce.wait(disks.delete(project=gce.project, zone=gce.zone, disk=name))
    left = {d.name for d in disks.list(project=gce.project, zone=gce.zone)}
    assert not left & {"data-1", "data-2", "data-3"}


def test_firewalls_and_addresses(gce: GceSim) -> None:
    firewalls = gce.client(compute_v1.FirewallsClient)
    rule = compute_v1.Firewall(
        name="allow-web",
        network="global/networks/default",
        allowed=[compute_v1.Allowed(I_p_protocol="tcp", ports=["80", "443"])],
        source_ranges=["0.0.0.0/0"],
        target_tags=["web"],
    )
    gce.wait(firewalls.insert(project=gce.project, firewall_resource=rule), "global")
    got = firewalls.get(project=gce.project, firewall="allow-web")
    assert got.allowed[0].I_p_protocol == "tcp" and list(got.allowed[0].ports) == ["80", "443"]
    assert list(got.target_tags) == ["web"] and got.priority == 1000
    names = {f.name for f in firewalls.list(project=gce.project)}
    assert {"allow-web", "default-allow-ssh"} <= names

    addresses = gce.client(compute_v1.AddressesClient)
    gce.wait(
        addresses.insert(
            project=gce.project,
            region="us-central1",
            address_resource=compute_v1.Address(name="static-1"),
        ),
        "region",
    )
    static = addresses.get(project=gce.project, region="us-central1", address="static-1")
    assert static.status == "RESERVED" and static.address.count(".") == 3

    instances = gce.client(compute_v1.InstancesClient)
    body = gce.instance_body("pinned")
    body.network_interfaces[0].access_configs[0].nat_i_p = static.address
    gce.wait(instances.insert(project=gce.project, zone=gce.zone, instance_resource=body))
    vm = instances.get(project=gce.project, zone=gce.zone, instance="pinned")
    assert vm.network_interfaces[0].access_configs[0].nat_i_p == static.address
    in_use = addresses.get(project=gce.project, region="us-central1", address="static-1")
    assert in_use.status == "IN_USE" and in_use.users[0].endswith("/instances/pinned")
    with pytest.raises(exceptions.BadRequest):
        addresses.delete(project=gce.project, region="us-central1", address="static-1")
    gce.wait(instances.delete(project=gce.project, zone=gce.zone, instance="pinned"))
    freed = addresses.get(project=gce.project, region="us-central1", address="static-1")
    assert freed.status == "RESERVED"
    gce.wait(
        addresses.delete(project=gce.project, region="us-central1", address="static-1"), "region"
    )
    gce.wait(firewalls.delete(project=gce.project, firewall="allow-web"), "global")
    with pytest.raises(exceptions.NotFound):
        firewalls.get(project=gce.project, firewall="allow-web")


def test_unknown_image_and_machine_type_are_400(gce: GceSim) -> None:
    instances = gce.client(compute_v1.InstancesClient)
    body = gce.instance_body("bad-image")
    body.disks[0].initialize_params.source_image = "projects/debian-cloud/global/images/family/nope"
    with pytest.raises(exceptions.BadRequest) as bad:
        instances.insert(project=gce.project, zone=gce.zone, instance_resource=body)
    assert "image resource cannot be found" in str(bad.value)
    body = gce.instance_body("bad-type", machine="e2-huge")
    with pytest.raises(exceptions.BadRequest) as bad:
        instances.insert(project=gce.project, zone=gce.zone, instance_resource=body)
    assert "e2-huge" in str(bad.value)
    with pytest.raises(exceptions.BadRequest):
        instances.insert(
            project=gce.project, zone=gce.zone, instance_resource=gce.instance_body("Bad_Name")
        )


def test_duplicate_name_is_409(gce: GceSim) -> None:
    instances = gce.client(compute_v1.InstancesClient)
    gce.wait(
        instances.insert(
            project=gce.project, zone=gce.zone, instance_resource=gce.instance_body("twice")
        )
    )
    with pytest.raises(exceptions.Conflict) as clash:
        instances.insert(
            project=gce.project, zone=gce.zone, instance_resource=gce.instance_body("twice")
        )
    assert "already exists" in str(clash.value)
    gce.wait(instances.delete(project=gce.project, zone=gce.zone, instance="twice"))


def test_cpu_quota_fails_in_the_operation(gce: GceSim) -> None:
    instances = gce.client(compute_v1.InstancesClient)
    gce.config.cpu_quota = 3
    try:
        first = gce.wait(
            instances.insert(
                project=gce.project,
                zone=gce.zone,
                instance_resource=gce.instance_body("q-1", "n1-standard-2"),
            )
        )
        assert not first.error.errors
        op = instances.insert(
            project=gce.project,
            zone=gce.zone,
            instance_resource=gce.instance_body("q-2", "n1-standard-2"),
        )
        failed = gce.wait(op)
    finally:
        gce.config.cpu_quota = 2400
    assert failed.status == DONE and failed.http_error_status_code == 403
    assert failed.error.errors[0].code == "QUOTA_EXCEEDED"
    assert "Quota 'CPUS' exceeded" in failed.error.errors[0].message
    with pytest.raises(exceptions.NotFound):
        instances.get(project=gce.project, zone=gce.zone, instance="q-2")
    gce.wait(instances.delete(project=gce.project, zone=gce.zone, instance="q-1"))


def test_a_key_the_simulator_did_not_issue_is_401(gce: GceSim, tmp_path: Path) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    info = json.loads(gce.key_file.read_text())
    info["private_key"] = other.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(info))
    credentials = service_account.Credentials.from_service_account_file(str(forged))
    client = compute_v1.ZonesClient(
        credentials=credentials, client_options={"api_endpoint": gce.url}
    )
    with pytest.raises(exceptions.Unauthorized) as refused:
        list(client.list(project=gce.project))
    assert "invalid authentication credentials" in str(refused.value)


def test_the_sdk_pager_follows_page_tokens(gce: GceSim) -> None:
    types = gce.client(compute_v1.MachineTypesClient)
    everything = [m.name for m in types.list(project=gce.project, zone=gce.zone)]
    pager = types.list(
        request=compute_v1.ListMachineTypesRequest(
            project=gce.project, zone=gce.zone, max_results=5
        )
    )
    pages = list(pager.pages)
    assert len(pages) == -(-len(everything) // 5) > 1
    assert [m.name for page in pages for m in page.items] == everything
    filtered = types.list(
        request=compute_v1.ListMachineTypesRequest(
            project=gce.project, zone=gce.zone, filter="name eq n1-standard-.*"
        )
    )
    assert {m.name for m in filtered} == {n for n in everything if n.startswith("n1-standard-")}


def test_instance_changes_through_the_sdk(gce: GceSim) -> None:
    instances = gce.client(compute_v1.InstancesClient)
    disks = gce.client(compute_v1.DisksClient)
    where = {"project": gce.project, "zone": gce.zone}
    gce.wait(instances.insert(instance_resource=gce.instance_body("chg"), **where))
    vm = instances.get(instance="chg", **where)

    labels = compute_v1.InstancesSetLabelsRequest(
        labels={"team": "core"}, label_fingerprint=vm.label_fingerprint
    )
    gce.wait(
        instances.set_labels(instance="chg", instances_set_labels_request_resource=labels, **where)
    )
    metadata = compute_v1.Metadata(
        fingerprint=vm.metadata.fingerprint,
        items=[compute_v1.Items(key="ssh-keys", value="me:ssh-ed25519 AAAA me")],
    )
    gce.wait(instances.set_metadata(instance="chg", metadata_resource=metadata, **where))
    tags = compute_v1.Tags(items=["db"], fingerprint=vm.tags.fingerprint)
    gce.wait(instances.set_tags(instance="chg", tags_resource=tags, **where))
    with pytest.raises(exceptions.PreconditionFailed):
        instances.set_tags(instance="chg", tags_resource=tags, **where)
    changed = instances.get(instance="chg", **where)
    assert changed.labels == {"team": "core"} and list(changed.tags.items) == ["db"]
    assert changed.metadata.items[0].key == "ssh-keys"

    gce.wait(disks.insert(disk_resource=compute_v1.Disk(name="chg-data", size_gb=10), **where))
    attach = compute_v1.AttachedDisk(
        source=f"zones/{gce.zone}/disks/chg-data", device_name="data", auto_delete=False
    )
    gce.wait(instances.attach_disk(instance="chg", attached_disk_resource=attach, **where))
    gce.wait(
        instances.set_disk_auto_delete(
            instance="chg", auto_delete=True, device_name="data", **where
        )
    )
    attached = instances.get(instance="chg", **where).disks
    assert [(d.device_name, d.auto_delete) for d in attached][-1] == ("data", True)
    gce.wait(instances.detach_disk(instance="chg", device_name="data", **where))
    assert [d.device_name for d in instances.get(instance="chg", **where).disks] == [
        "persistent-disk-0"
    ]

    gce.wait(
        instances.delete_access_config(
            instance="chg", access_config="External NAT", network_interface="nic0", **where
        )
    )
    assert not instances.get(instance="chg", **where).network_interfaces[0].access_configs
    access = compute_v1.AccessConfig(name="External NAT", type_="ONE_TO_ONE_NAT")
    gce.wait(
        instances.add_access_config(
            instance="chg", network_interface="nic0", access_config_resource=access, **where
        )
    )
    assert instances.get(instance="chg", **where).network_interfaces[0].access_configs[0].nat_i_p

    output = instances.get_serial_port_output(instance="chg", **where)
    assert "chg" in output.contents and output.next_ > 0

    new_type = compute_v1.InstancesSetMachineTypeRequest(
        machine_type=f"zones/{gce.zone}/machineTypes/e2-medium"
    )
    with pytest.raises(exceptions.BadRequest):  # only a stopped instance changes its type
        instances.set_machine_type(
            instance="chg", instances_set_machine_type_request_resource=new_type, **where
        )
    gce.wait(instances.stop(instance="chg", **where))
    gce.wait(
        instances.set_machine_type(
            instance="chg", instances_set_machine_type_request_resource=new_type, **where
        )
    )
    assert instances.get(instance="chg", **where).machine_type.endswith("/e2-medium")

    def protect(on: bool) -> Any:
        return instances.set_deletion_protection(
            request=compute_v1.SetDeletionProtectionInstanceRequest(
                resource="chg", deletion_protection=on, **where
            )
        )

    gce.wait(protect(True))
    assert instances.get(instance="chg", **where).deletion_protection
    with pytest.raises(exceptions.BadRequest):
        instances.delete(instance="chg", **where)
    gce.wait(protect(False))
    gce.wait(instances.delete(instance="chg", **where))
    gce.wait(disks.delete(disk="chg-data", **where))
