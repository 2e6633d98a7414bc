"""Nova and Glance through openstacksdk, unchanged: the simulator is what the SDK expects."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from openstack import exceptions

from .conftest import OsSim

WAIT = {"interval": 0.02, "wait": 20}


def _boot(conn: Any, name: str, **extra: Any) -> Any:
    image = conn.image.find_image("cirros-0.6.2-x86_64-disk", ignore_missing=False)
    flavor = conn.compute.find_flavor("m1.tiny", ignore_missing=False)
    network = conn.network.find_network("private", ignore_missing=False)
    server = conn.compute.create_server(
        name=name,
        flavor_id=flavor.id,
        image_id=image.id,
        networks=[{"uuid": network.id}],
        **extra,
    )
    return conn.compute.wait_for_server(server, **WAIT)


def test_catalog_lists_flavors_images_networks(conn: Any) -> None:
    flavors = {f.name: f for f in conn.compute.flavors()}
    assert {"m1.tiny", "m1.small"} <= set(flavors)
    assert (flavors["m1.tiny"].ram, flavors["m1.tiny"].vcpus, flavors["m1.tiny"].disk) == (
        512,
        1,
        1,
    )
    assert conn.compute.get_flavor("2").name == "m1.small"
    images = {i.name: i for i in conn.image.images()}
    assert {"cirros-0.6.2-x86_64-disk", "ubuntu-22.04"} <= set(images)
    assert images["ubuntu-22.04"].status == "active"
    networks = {n.name: n for n in conn.network.networks()}
    assert networks["public"].is_router_external is True
    assert networks["private"].is_router_external is False
    subnets = list(conn.network.subnets(network_id=networks["private"].id))
    assert [s.cidr for s in subnets] == ["10.0.0.0/26"]
    zones = [z.name for z in conn.compute.availability_zones()]
    assert zones == ["nova"]


def test_server_lifecycle(conn: Any) -> None:
    key = conn.compute.create_keypair(name="life-key")
    user_data = base64.b64encode(b"#!/bin/sh\necho hi\n").decode()
    server = _boot(
        conn,
        "life-1",
        key_name=key.name,
        metadata={"role": "web"},
        user_data=user_data,
        security_groups=[{"name": "default"}],
        availability_zone="nova",
    )
    assert server.status == "ACTIVE"
    assert server.vm_state == "active" and server.power_state == 1
    assert server.task_state is None
    assert server.key_name == "life-key"
    assert server.metadata == {"role": "web"}
    assert server.flavor.original_name == "m1.tiny"
    (address,) = server.addresses["private"]
    assert address["addr"].startswith("10.0.0.") and address["OS-EXT-IPS:type"] == "fixed"
    assert [g["name"] for g in server.security_groups] == ["default"]

    conn.compute.stop_server(server)
    stopped = conn.compute.wait_for_server(server, status="SHUTOFF", **WAIT)
    assert (stopped.vm_state, stopped.power_state) == ("stopped", 4)
    with pytest.raises(exceptions.ConflictException, match="vm_state stopped"):
        conn.compute.stop_server(server)
    conn.compute.start_server(server)
    conn.compute.wait_for_server(server, status="ACTIVE", **WAIT)
    for kind in ("SOFT", "HARD"):
        conn.compute.reboot_server(server, kind)
        assert conn.compute.get_server(server).status in ("REBOOT", "HARD_REBOOT", "ACTIVE")
        conn.compute.wait_for_server(server, status="ACTIVE", **WAIT)

    conn.compute.resize_server(server, "2")
    resized = conn.compute.wait_for_server(server, status="VERIFY_RESIZE", **WAIT)
    assert resized.flavor.original_name == "m1.small"
    conn.compute.revert_server_resize(server)
    reverted = conn.compute.wait_for_server(server, status="ACTIVE", **WAIT)
    assert reverted.flavor.original_name == "m1.tiny"
    conn.compute.resize_server(server, "2")
    conn.compute.wait_for_server(server, status="VERIFY_RESIZE", **WAIT)
    conn.compute.confirm_server_resize(server)
    assert conn.compute.wait_for_server(server, **WAIT).flavor.original_name == "m1.small"

    ubuntu = conn.image.find_image("ubuntu-22.04", ignore_missing=False)
    conn.compute.rebuild_server(server, image=ubuntu.id, name="life-1-rebuilt")
    rebuilt = conn.compute.wait_for_server(server, **WAIT)
    assert (rebuilt.name, rebuilt.image.id) == ("life-1-rebuilt", ubuntu.id)

    conn.compute.set_server_metadata(server, tier="gold")
    assert conn.compute.fetch_server_metadata(server).metadata == {"role": "web", "tier": "gold"}
    conn.compute.delete_server_metadata(server, ["role"])
    assert conn.compute.fetch_server_metadata(server).metadata == {"tier": "gold"}
    server.add_tag(conn.compute, "blue")
    assert "blue" in conn.compute.get_server(server).tags

    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, **WAIT)
    with pytest.raises(exceptions.ResourceNotFound):
        conn.compute.get_server(server.id)
    assert conn.network.find_network("private", ignore_missing=True) is not None
    assert not list(conn.network.ports(device_id=server.id))
    conn.compute.delete_keypair(key)


def test_server_list_pages_through_servers_links(conn: Any, os_sim: OsSim) -> None:
    created = [_boot(conn, f"page-{index}") for index in range(5)]
    try:
        names = {s.name for s in conn.compute.servers(name="^page-", limit=2)}
        assert names == {f"page-{index}" for index in range(5)}
        saved = os_sim.config.max_limit
        os_sim.config.max_limit = 2  # every page is cut to 2: the SDK must follow next links
        try:
            listed = [s.name for s in conn.compute.servers(details=True, name="^page-")]
        finally:
            os_sim.config.max_limit = saved
        assert sorted(listed) == sorted(names) and len(listed) == 5
        assert listed == [f"page-{index}" for index in range(4, -1, -1)]  # newest first
        active = list(conn.compute.servers(status="ACTIVE", name="^page-"))
        assert len(active) == 5
        assert not list(conn.compute.servers(status="SHUTOFF", name="^page-"))
    finally:
        for server in created:
            conn.compute.delete_server(server)
        for server in created:
            conn.compute.wait_for_delete(server, **WAIT)


def test_keypairs_generated_and_imported(conn: Any) -> None:
    generated = conn.compute.create_keypair(name="gen-key")
    assert generated.private_key.startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert generated.public_key.startswith("ssh-rsa ")
    assert len(generated.fingerprint.split(":")) == 16
    public = generated.public_key.split(" Generated")[0]
    imported = conn.compute.create_keypair(name="imp-key", public_key=public)
    assert imported.private_key is None
    assert imported.fingerprint == generated.fingerprint
    assert {k.name for k in conn.compute.keypairs()} >= {"gen-key", "imp-key"}
    assert conn.compute.get_keypair("imp-key").public_key == public
    with pytest.raises(exceptions.ConflictException, match="already exists"):
        conn.compute.create_keypair(name="gen-key")
    with pytest.raises(exceptions.BadRequestException, match="fingerprint"):
        conn.compute.create_keypair(name="bad-key", public_key="ssh-rsa not-base64!")
    conn.compute.delete_keypair("gen-key")
    conn.compute.delete_keypair("imp-key")
    with pytest.raises(exceptions.ResourceNotFound):
        conn.compute.get_keypair("gen-key")


def test_missing_server_is_resource_not_found(conn: Any) -> None:
    with pytest.raises(exceptions.ResourceNotFound) as caught:
        conn.compute.get_server("00000000-0000-0000-0000-000000000000")
    assert caught.value.status_code == 404
    assert "could not be found" in str(caught.value)
    assert conn.compute.find_server("no-such-server", ignore_missing=True) is None
    with pytest.raises(exceptions.ResourceNotFound):
        conn.image.get_image("00000000-0000-0000-0000-000000000000")


def test_bad_create_arguments_are_400(conn: Any) -> None:
    image = conn.image.find_image("cirros-0.6.2-x86_64-disk", ignore_missing=True)
    with pytest.raises(exceptions.BadRequestException, match="'networks' is a required"):
        conn.compute.create_server(name="x", flavor_id="1", image_id=image.id)
    with pytest.raises(exceptions.BadRequestException, match="Flavor 999 could not be found"):
        conn.compute.create_server(name="x", flavor_id="999", image_id=image.id, networks="auto")
    with pytest.raises(exceptions.BadRequestException, match="Invalid key_name"):
        conn.compute.create_server(
            name="x", flavor_id="1", image_id=image.id, key_name="nope", networks="auto"
        )


def test_quota_exceeded_is_403(conn: Any) -> None:
    project = conn.current_project_id
    used = conn.compute.get_quota_set(project, usage=True).usage["instances"]
    conn.compute.update_quota_set(project, instances=used + 1)
    first = None
    try:
        first = _boot(conn, "quota-1")
        image = conn.image.find_image("cirros-0.6.2-x86_64-disk", ignore_missing=True)
        with pytest.raises(exceptions.ForbiddenException) as caught:
            conn.compute.create_server(
                name="quota-2", flavor_id="1", image_id=image.id, networks="auto"
            )
        assert caught.value.status_code == 403
        assert f"Quota exceeded for instances: Requested 1, but already used {used + 1}" in str(
            caught.value
        )
        limits = conn.compute.get_limits()
        assert limits.absolute.instances == used + 1
        assert limits.absolute.instances_used == used + 1
    finally:
        conn.compute.update_quota_set(project, instances=10)
        if first is not None:
            conn.compute.delete_server(first)
            conn.compute.wait_for_delete(first, **WAIT)


def test_image_create_upload_download_delete_and_snapshot(conn: Any) -> None:
    image = conn.image.create_image(
        name="tiny-upload",
        disk_format="raw",
        container_format="bare",
        data=b"0123456789" * 100,
        visibility="private",
    )
    fetched = conn.image.get_image(image)
    assert (fetched.status, fetched.size) == ("active", 1000)
    assert conn.image.download_image(fetched).content == b"0123456789" * 100
    names = [i.name for i in conn.image.images(visibility="private")]
    assert "tiny-upload" in names
    conn.image.delete_image(fetched)
    with pytest.raises(exceptions.ResourceNotFound):
        conn.image.get_image(fetched.id)

    server = _boot(conn, "snap-source")
    try:
        snapshot_id = conn.compute.create_server_image(server, "snap-of-server", wait=False)
        snapshot = conn.image.wait_for_status(
            conn.image.get_image(getattr(snapshot_id, "id", snapshot_id)), "active", **WAIT
        )
        assert snapshot.name == "snap-of-server"
        conn.image.delete_image(snapshot)
    finally:
        conn.compute.delete_server(server)
        conn.compute.wait_for_delete(server, **WAIT)


def test_image_paging_follows_next(conn: Any, os_sim: OsSim) -> None:
    made = [
        conn.image.create_image(name=f"pg-{i}", disk_format="raw", container_format="bare")
        for i in range(4)
    ]
    try:
        saved = os_sim.config.image_page_size
        os_sim.config.image_page_size = 2
        try:
            names = [i.name for i in conn.image.images() if i.name.startswith("pg-")]
        finally:
            os_sim.config.image_page_size = saved
        assert sorted(names) == [f"pg-{i}" for i in range(4)]
        assert all(i.status == "queued" for i in made)
    finally:
        for image in made:
            conn.image.delete_image(image)
