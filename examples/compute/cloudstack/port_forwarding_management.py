"""Acquire a public IP and forward its port 22 to a node.

The signature is ``ex_create_port_forwarding_rule(node, address, private_port, public_port,
protocol)``; Libcloud's example passed ``(address, 22, 22, "TCP", node)``, which its own code
rejects. Keywords make the intent plain.
"""

from _sim import credentials

from omnicloud import Provider, get_driver

cls = get_driver(Provider.EXOSCALE)
driver = cls(**credentials("EXOSCALE"))

zone = next(loc for loc in driver.list_locations() if loc.network_type == "Advanced")
network = next(net for net in driver.ex_list_networks() if net.zoneid == zone.id)
node = driver.create_node(
    name="pf-example",
    image=driver.list_images()[0],
    size=driver.list_sizes()[0],
    location=zone,
    networks=[network],
)
address = driver.ex_allocate_public_ip(network_id=network.id)
rule = driver.ex_create_port_forwarding_rule(
    node=node, address=address, private_port=22, public_port=22, protocol="TCP"
)
print(node.name, node.public_ips)
print([(r.address, r.public_port, r.private_port) for r in driver.ex_list_port_forwarding_rules()])
driver.ex_delete_port_forwarding_rule(node, rule)
driver.ex_release_public_ip(address)
driver.destroy_node(node)
