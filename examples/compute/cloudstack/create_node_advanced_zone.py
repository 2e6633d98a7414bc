"""Create a node on a guest network of an advanced zone."""

from _sim import credentials

from omnicloud import Provider, get_driver

cls = get_driver(Provider.IKOULA)
driver = cls(**credentials("IKOULA"))

zone = next(loc for loc in driver.list_locations() if loc.network_type == "Advanced")
networks = [net for net in driver.ex_list_networks() if net.zoneid == zone.id]
image = driver.list_images()[0]
size = driver.list_sizes()[0]

node = driver.create_node(
    name="omnicloud", image=image, size=size, location=zone, networks=[networks[0]]
)
print(dict(node.extra)["nics"][0]["networkname"], node.private_ips)
driver.destroy_node(node)
