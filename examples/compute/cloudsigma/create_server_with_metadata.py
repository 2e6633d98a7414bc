from _simulator import credentials

from omnicloud import Provider, get_driver

username, password, options = credentials()

cls = get_driver(Provider.CLOUDSIGMA)
driver = cls(username, password, region="zrh", api_version="2.0", **options)

name = "test node with metadata"
size = driver.list_sizes()[0]
image = driver.list_images()[0]

metadata = {"ssh_public_key": "my public key", "role": "database server", "region": "zrh"}

node = driver.create_node(name=name, size=size, image=image, ex_metadata=metadata)
print(node)
