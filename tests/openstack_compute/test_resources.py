"""Neutron (networks, subnets, ports, security groups, floating IPs) and Cinder (volumes,
attachments, snapshots) through the driver."""

from __future__ import annotations

from omnicloud.compute.drivers.openstack import OpenStackNodeDriver
from omnicloud.compute.types import NodeState, StorageVolumeState, VolumeSnapshotState

from .conftest import cirros, tiny


def test_networks_subnets_and_ports(driver: OpenStackNodeDriver) -> None:
    network = driver.ex_create_network("backend", cidr="192.168.77.0/24")
    assert network.cidr == "192.168.77.0/24" and len(network.subnets) == 1
    assert network.driver is driver
    assert network.id in {n.id for n in driver.ex_list_networks()}
    (subnet,) = [s for s in driver.ex_list_subnets() if s.network_id == network.id]
    assert subnet.cidr == "192.168.77.0/24" and subnet.ip_version == 4
    port = driver.ex_create_port(network, name="backend-port")
    assert port.network_id == network.id and port.fixed_ips
    assert port.fixed_ips[0]["ip_address"].startswith("192.168.77.")
    node = driver.create_node("on-port", tiny(driver), cirros(driver), ex_networks=[port])
    assert driver.ex_get_node(node.id).private_ips == [port.fixed_ips[0]["ip_address"]]
    driver.destroy_node(node)
    driver.ex_delete_port(port)
    assert driver.ex_delete_subnet(subnet) is True
    assert driver.ex_delete_network(network) is True
    assert network.id not in {n.id for n in driver.ex_list_networks()}


def test_security_groups_and_rules(driver: OpenStackNodeDriver) -> None:
    group = driver.ex_create_security_group("web", "http in")
    rule = driver.ex_create_security_group_rule(group, "tcp", 80, 80, "0.0.0.0/0")
    assert (rule.ip_protocol, rule.from_port, rule.to_port) == ("tcp", 80, 80)
    assert rule.parent_group_id == group.id and rule.ip_range == "0.0.0.0/0"
    fetched = driver.ex_get_security_group(group.id)
    assert rule.id in {r.id for r in fetched.rules}
    assert {"default", "web"} <= {g.name for g in driver.ex_list_security_groups()}
    assert driver.ex_delete_security_group_rule(rule) is True
    assert rule.id not in {r.id for r in driver.ex_get_security_group(group.id).rules}
    assert driver.ex_delete_security_group(group) is True


def test_floating_ip_association(driver: OpenStackNodeDriver) -> None:
    pools = driver.ex_list_floating_ip_pools()
    assert [p.name for p in pools] == ["public"]
    node = driver.create_node("floating", tiny(driver), cirros(driver))
    driver.wait_until_running([node], wait_period=0.02, timeout=20, ssh_interface="private_ips")
    ip = driver.ex_allocate_floating_ip("public")
    assert ip.ip_address and ip.port_id is None and ip.pool == pools[0].id
    assert driver.ex_attach_floating_ip_to_node(node, ip) is True
    ((running, public),) = driver.wait_until_running([node], wait_period=0.02, timeout=20)
    assert public == [ip.ip_address] and running.public_ips == [ip.ip_address]
    assert driver.ex_get_floating_ip(ip.ip_address).node_id == node.id
    assert driver.ex_detach_floating_ip_from_node(node, ip.ip_address) is True
    assert driver.ex_get_node(node.id).public_ips == []
    assert driver.ex_release_floating_ip(ip) is True
    assert ip.id not in {f.id for f in driver.ex_list_floating_ips()}
    driver.destroy_node(node)


def test_volumes_attach_detach_and_snapshots(driver: OpenStackNodeDriver) -> None:
    node = driver.create_node("with-volume", tiny(driver), cirros(driver))
    driver.wait_until_running([node], wait_period=0.02, timeout=20, ssh_interface="private_ips")
    volume = driver.create_volume(1, "data", location=driver.list_locations()[0])
    assert volume.state is StorageVolumeState.AVAILABLE and volume.size == 1
    assert driver.attach_volume(node, volume, device="/dev/vdb") is True
    attached = driver.ex_get_volume(volume.id)
    assert attached.state is StorageVolumeState.INUSE
    assert attached.extra["server_id"] == node.id and attached.extra["device"] == "/dev/vdb"
    assert volume.id in driver.ex_get_node(node.id).extra["volumes_attached"]
    snapshot = driver.create_volume_snapshot(volume, "snap")
    assert snapshot.state is VolumeSnapshotState.AVAILABLE and snapshot.name == "snap"
    assert [s.id for s in driver.list_volume_snapshots(volume)] == [snapshot.id]
    assert driver.detach_volume(volume) is True
    assert driver.ex_get_volume(volume.id).state is StorageVolumeState.AVAILABLE
    assert driver.detach_volume(volume) is False  # attached nowhere
    assert driver.destroy_volume_snapshot(snapshot) is True
    assert driver.list_volume_snapshots(volume) == []
    assert driver.destroy_volume(volume) is True
    assert volume.id not in {v.id for v in driver.list_volumes()}
    driver.destroy_node(node)
    assert all(n.state is NodeState.TERMINATED for n in driver.list_nodes() if n.id == node.id)
