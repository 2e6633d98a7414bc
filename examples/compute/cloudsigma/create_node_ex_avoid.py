from _simulator import credentials

from omnicloud import Provider, get_driver

username, password, options = credentials(servers=2)

cls = get_driver(Provider.CLOUDSIGMA)
driver = cls(username, password, region="zrh", api_version="2.0", **options)

name = "test node avoid mode"
size = driver.list_sizes()[0]
image = driver.list_images()[0]

existing_nodes = driver.list_nodes()
existing_node_uuids = [node.id for node in existing_nodes]

node = driver.create_node(name=name, size=size, image=image, ex_avoid=existing_node_uuids)
print(node)
