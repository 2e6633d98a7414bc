"""Neutron and Cinder through openstacksdk, unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from openstack import exceptions

WAIT = {"interval": 0.02, "wait": 20}


def _server(conn: Any, name: str) -> Any:
    network = conn.network.find_network("private", ignore_missing=False)
    server = conn.compute.create_server(
        name=name,
        flavor_id="1",
        image_id=next(conn.image.images()).id,
        networks=[{"uuid": network.id}],
    )
    return conn.compute.wait_for_server(server, **WAIT)


def _gone(conn: Any, server: Any) -> None:
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, **WAIT)


def test_security_groups_and_rules(conn: Any) -> None:
    # an admin sees every project's groups, as in Neutron: pick the demo project's
    default = conn.network.find_security_group(
        "default", ignore_missing=False, project_id=conn.current_project_id
    )
    assert {(r["direction"], r["ethertype"]) for r in default.security_group_rules} == {
        ("ingress", "IPv4"),
        ("ingress", "IPv6"),
        ("egress", "IPv4"),
        ("egress", "IPv6"),
    }
    group = conn.network.create_security_group(name="web", description="web servers")
    assert len(group.security_group_rules) == 2  # the default egress pair
    rule = conn.network.create_security_group_rule(
        security_group_id=group.id,
        direction="ingress",
        protocol="tcp",
        port_range_min=22,
        port_range_max=22,
        remote_ip_prefix="0.0.0.0/0",
        ethertype="IPv4",
    )
    assert (rule.protocol, rule.port_range_min, rule.port_range_max) == ("tcp", 22, 22)
    with pytest.raises(exceptions.ConflictException, match="already exists"):
        conn.network.create_security_group_rule(
            security_group_id=group.id,
            direction="ingress",
            protocol="tcp",
            port_range_min=22,
            port_range_max=22,
            remote_ip_prefix="0.0.0.0/0",
            ethertype="IPv4",
        )
    with pytest.raises(exceptions.BadRequestException, match="port_range_min must be <="):
        conn.network.create_security_group_rule(
            security_group_id=group.id,
            direction="ingress",
            protocol="tcp",
            port_range_min=90,
            port_range_max=80,
        )
    listed = {r.id for r in conn.network.security_group_rules(security_group_id=group.id)}
    assert rule.id in listed and len(listed) == 3
    conn.network.delete_security_group_rule(rule)
    with pytest.raises(exceptions.ResourceNotFound):
        conn.network.get_security_group_rule(rule.id)
    server = _server(conn, "sg-user")
    try:
        conn.compute.add_security_group_to_server(server, group)
        names = {g["name"] for g in conn.compute.get_server(server).security_groups}
        assert names == {"default", "web"}
        with pytest.raises(exceptions.ConflictException, match="in use"):
            conn.network.delete_security_group(group)
        conn.compute.remove_security_group_from_server(server, group)
    finally:
        _gone(conn, server)
    conn.network.delete_security_group(group)
    assert conn.network.find_security_group("web", ignore_missing=True) is None


def test_floating_ip_associate_disassociate(conn: Any) -> None:
    public = conn.network.find_network("public", ignore_missing=False)
    server = _server(conn, "fip-target")
    try:
        fip = conn.network.create_ip(floating_network_id=public.id)
        assert fip.floating_ip_address.startswith("172.24.4.")
        assert fip.port_id is None and fip.status == "DOWN"
        (port,) = conn.network.ports(device_id=server.id)
        fip = conn.network.update_ip(fip, port_id=port.id)
        assert fip.port_id == port.id and fip.status == "ACTIVE"
        assert fip.fixed_ip_address == port.fixed_ips[0]["ip_address"]
        addresses = conn.compute.get_server(server).addresses["private"]
        assert {a["OS-EXT-IPS:type"] for a in addresses} == {"fixed", "floating"}
        assert fip.floating_ip_address in {a["addr"] for a in addresses}
        found = conn.network.find_available_ip()
        assert found is None or found.id != fip.id
        fip = conn.network.update_ip(fip, port_id=None)
        assert fip.port_id is None and fip.fixed_ip_address is None
        conn.network.delete_ip(fip)
        with pytest.raises(exceptions.ResourceNotFound, match="could not be found"):
            conn.network.get_ip(fip.id)
    finally:
        _gone(conn, server)


def test_floating_ip_needs_an_external_network_and_a_router(conn: Any) -> None:
    private = conn.network.find_network("private", ignore_missing=False)
    with pytest.raises(exceptions.BadRequestException, match="not a valid external network"):
        conn.network.create_ip(floating_network_id=private.id)
    isolated = conn.network.create_network(name="isolated")
    subnet = conn.network.create_subnet(
        network_id=isolated.id, cidr="192.168.50.0/24", ip_version=4, name="isolated-subnet"
    )
    port = conn.network.create_port(network_id=isolated.id)
    assert port.fixed_ips[0]["ip_address"] == "192.168.50.2"
    public = conn.network.find_network("public", ignore_missing=False)
    fip = conn.network.create_ip(floating_network_id=public.id)
    with pytest.raises(exceptions.ResourceNotFound, match="is not reachable from subnet"):
        conn.network.update_ip(fip, port_id=port.id)
    with pytest.raises(exceptions.ConflictException, match="ports still in use"):
        conn.network.delete_network(isolated)
    conn.network.delete_ip(fip)
    conn.network.delete_port(port)
    conn.network.delete_subnet(subnet)
    conn.network.delete_network(isolated)
    assert conn.network.find_network("isolated", ignore_missing=True) is None


def test_network_paging_and_neutron_errors(conn: Any, http: Any) -> None:
    made = [conn.network.create_network(name=f"pnet-{i}") for i in range(3)]
    try:
        page = http.get("/networking/v2.0/networks", params={"limit": 2}).json()
        assert len(page["networks"]) == 2
        (link,) = [item for item in page["networks_links"] if item["rel"] == "next"]
        assert "marker=" in link["href"]
        names = [n.name for n in conn.network.networks(limit=1) if n.name.startswith("pnet-")]
        assert names == ["pnet-0", "pnet-1", "pnet-2"]
        missing = http.get("/networking/v2.0/networks/nope")
        assert missing.status_code == 404
        assert missing.json() == {
            "NeutronError": {
                "type": "NetworkNotFound",
                "message": "Network nope could not be found.",
                "detail": "",
            }
        }
    finally:
        for network in made:
            conn.network.delete_network(network)


def test_volumes_create_attach_detach_delete(conn: Any) -> None:
    types = [t.name for t in conn.block_storage.types()]
    assert "lvmdriver-1" in types
    volume = conn.block_storage.create_volume(size=2, name="data-1")
    assert volume.status == "creating"
    volume = conn.block_storage.wait_for_status(volume, "available", **WAIT)
    assert (volume.size, volume.volume_type) == (2, "lvmdriver-1")
    server = _server(conn, "vol-host")
    try:
        attachment = conn.compute.create_volume_attachment(server, volume=volume)
        assert attachment.device == "/dev/vdb"
        volume = conn.block_storage.wait_for_status(volume, "in-use", **WAIT)
        (attached,) = volume.attachments
        assert attached["server_id"] == server.id
        assert [a.volume_id for a in conn.compute.volume_attachments(server)] == [volume.id]
        assert conn.compute.get_server(server).attached_volumes[0]["id"] == volume.id
        with pytest.raises(exceptions.BadRequestException, match="Invalid volume"):
            conn.block_storage.delete_volume(volume)
        snapshot = conn.block_storage.create_snapshot(volume_id=volume.id, name="s1", force=True)
        snapshot = conn.block_storage.wait_for_status(snapshot, "available", **WAIT)
        assert snapshot.size == 2
        conn.compute.delete_volume_attachment(server, volume)
        volume = conn.block_storage.wait_for_status(volume, "available", **WAIT)
        assert volume.attachments == []
        conn.block_storage.delete_snapshot(snapshot)
        conn.block_storage.wait_for_delete(snapshot, **WAIT)
        conn.block_storage.delete_volume(volume)
        conn.block_storage.wait_for_delete(volume, **WAIT)
        with pytest.raises(exceptions.ResourceNotFound):
            conn.block_storage.get_volume(volume.id)
    finally:
        _gone(conn, server)


def test_volume_quota_is_413(conn: Any) -> None:
    with pytest.raises(exceptions.HttpException) as caught:
        conn.block_storage.create_volume(size=5000, name="huge")
    assert caught.value.status_code == 413
    assert "gigabytes quota" in str(caught.value)


def test_server_interfaces_attach_and_detach(conn: Any) -> None:
    server = _server(conn, "nic-host")
    extra = conn.network.create_network(name="second")
    subnet = conn.network.create_subnet(network_id=extra.id, cidr="192.168.77.0/24", ip_version=4)
    try:
        (first,) = conn.compute.server_interfaces(server)
        assert first.fixed_ips[0]["ip_address"].startswith("10.0.0.")
        attached = conn.compute.create_server_interface(server, net_id=extra.id)
        assert attached.fixed_ips[0]["ip_address"] == "192.168.77.2"
        assert len(list(conn.compute.server_interfaces(server))) == 2
        assert set(conn.compute.get_server(server).addresses) == {"private", "second"}
        conn.compute.delete_server_interface(attached, server=server)
        assert [i.port_id for i in conn.compute.server_interfaces(server)] == [first.port_id]
        assert conn.network.find_port(attached.port_id, ignore_missing=True) is None
    finally:
        _gone(conn, server)
        conn.network.delete_subnet(subnet)
        conn.network.delete_network(extra)
