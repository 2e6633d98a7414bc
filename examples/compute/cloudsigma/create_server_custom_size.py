from _simulator import credentials

from omnicloud import Provider, get_driver
from omnicloud.compute.drivers.cloudsigma import CloudSigmaNodeSize

username, password, options = credentials()

cls = get_driver(Provider.CLOUDSIGMA)
driver = cls(username, password, region="zrh", api_version="2.0", **options)

name = "test node custom size"
image = driver.list_images()[0]

# 5000 MHz of CPU, 5600 MB of RAM and a 200 GB disk: the units are explicit.
size = CloudSigmaNodeSize.custom(
    "my size", cpu=5000, cpu_unit="MHz", ram=5600, ram_unit="MB", disk=200, driver=driver
)

node = driver.create_node(name=name, size=size, image=image)
print(node)
