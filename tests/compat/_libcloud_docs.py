"""Example scripts from Libcloud's documentation, as published, to run against omnicloud.

The compute and load balancer texts are Apache Libcloud's ``docs/examples`` files (Apache License
2.0; apache/libcloud at commit 6e39117d6f686e2f49b12fc8a24168d13b6e0ada), kept verbatim so the
tests prove that only the imports change. Libcloud's documentation has no example for the local
storage driver or for a CloudStack load balancer: ``STORAGE_LOCAL`` and ``LOADBALANCER_CLOUDSTACK``
are written in the documented API (``libcloud.storage.base.StorageDriver``,
``libcloud.loadbalancer.base.Driver``) the same way, with Libcloud imports.
"""

from __future__ import annotations

# docs/examples/compute/cloudstack/instantiate_driver_url.py
COMPUTE_INSTANTIATE_URL = """\
from libcloud.compute.types import Provider
from libcloud.compute.providers import get_driver

apikey = "your api key"
secretkey = "your secret key"
url = "http://example.com/path/to/api"

Driver = get_driver(Provider.CLOUDSTACK)
conn = Driver(key=apikey, secret=secretkey, url=url)
"""

# docs/examples/compute/cloudstack/security_groups_management.py
COMPUTE_SECURITY_GROUPS = """\
from pprint import pprint

from libcloud.compute.types import Provider
from libcloud.compute.providers import get_driver

cls = get_driver(Provider.EXOSCALE)
driver = cls("api key", "api secret key")

# List all security groups
sg = driver.ex_list_security_groups()
pprint(sg)

# Create a new security group.
security_group = driver.ex_create_security_group(name="test-security-group")
pprint(security_group)

# Authorize an ingress rule on a security group
# If `startport` is used alone, this will be the only port open
# If `endport` is also used then the entire range will be authorized
sg = driver.ex_authorize_security_group_ingress(
    securitygroupname="test-security-group",
    protocol="tcp",
    startport="22",
    cidrlist="0.0.0.0/0",
)

pprint(sg)

# Delete a security group we have previously created
status = driver.ex_delete_security_group(name="test-security-group")
pprint(status)
"""

# docs/examples/compute/cloudstack/ssh_keypairs_management_exoscale.py
COMPUTE_KEY_PAIRS = """\
import os
from pprint import pprint

from libcloud.compute.types import Provider
from libcloud.compute.providers import get_driver

cls = get_driver(Provider.EXOSCALE)
driver = cls("api key", "api secret key")

# Create a new key pair. Most providers will return generated private key in
# the response which can be accessed at key_pair.private_key
key_pair = driver.create_key_pair(name="test-key-pair-1")
pprint(key_pair)

# Import an existing public key from a file. If you have public key as a
# string, you can use import_key_pair_from_string method instead.
key_file_path = os.path.expanduser("~/.ssh/id_rsa_test.pub")
key_pair = driver.import_key_pair_from_file(name="test-key-pair-2", key_file_path=key_file_path)
pprint(key_pair)

# Retrieve information about previously created key pair
key_pair = driver.get_key_pair(name="test-key-pair-1")
pprint(key_pair)

# Delete a key pair we have previously created
status = driver.delete_key_pair(key_pair=key_pair)
pprint(status)
"""

# docs/examples/compute/cloudstack/create_node_advanced_zone.py
COMPUTE_ADVANCED_ZONE = """\
from pprint import pprint

from libcloud.compute.types import Provider
from libcloud.compute.providers import get_driver

apikey = "your api key"
secretkey = "your secret key"

Driver = get_driver(Provider.IKOULA)
driver = Driver(key=apikey, secret=secretkey)

# This returns a list of CloudStackNetwork objects
nets = driver.ex_list_networks()

# List the images/templates available
# This returns a list of NodeImage objects
images = driver.list_images()

# List the instance types
# This returns a list of NodeSize objects
sizes = driver.list_sizes()

# Create the node
# This returns a Node object
node = driver.create_node(name="libcloud", image=images[0], size=sizes[0], networks=[nets[0]])

# The node has a private IP in the guest network used
# No public IPs and no rules
pprint(node.extra)
pprint(node.private_ips)
"""

# docs/examples/compute/register_3rd_party_driver.py
COMPUTE_THIRD_PARTY = """\
from libcloud.compute.providers import get_driver, set_driver

set_driver("stratuslab", "stratuslab.libcloud.stratuslab_driver", "StratusLabNodeDriver")

# Your code which uses the driver.
# For example:
driver = get_driver("stratuslab")
"""

# docs/examples/loadbalancer/create_lb_wait_for_ready.py (Rackspace: no omnicloud driver)
LOADBALANCER_RACKSPACE = """\
import time
from pprint import pprint

from libcloud.loadbalancer.base import Member, Algorithm
from libcloud.loadbalancer.types import State, Provider
from libcloud.loadbalancer.providers import get_driver

driver = get_driver(Provider.RACKSPACE_US)("username", "api key")
"""

# The seed's quick example (Libcloud's README): the top-level get_driver and DriverType.
SEED_QUICK_EXAMPLE = """\
from pprint import pprint

import libcloud

cls = libcloud.get_driver(
    libcloud.DriverType.COMPUTE,
    libcloud.DriverType.COMPUTE.OPENSTACK)

driver = cls('username', 'api key')

pprint(driver.list_sizes())
pprint(driver.list_nodes())
"""

# Written in Libcloud's documented storage API (no Libcloud docs example uses LOCAL).
STORAGE_LOCAL = """\
from libcloud.storage.types import Provider, ContainerDoesNotExistError
from libcloud.storage.providers import get_driver

cls = get_driver(Provider.LOCAL)
driver = cls(STORE_PATH)

try:
    container = driver.get_container(container_name="my-backups-12345")
except ContainerDoesNotExistError:
    container = driver.create_container(container_name="my-backups-12345")

extra = {"meta_data": {"owner": "myuser", "created": "2014-02-2"}}
obj = driver.upload_object(
    file_path=FILE_PATH, container=container, object_name="backup.tar.gz", extra=extra
)

print([o.name for o in driver.list_container_objects(container)])
print([c.name for c in driver.list_containers()])

obj = driver.get_object(container_name="my-backups-12345", object_name="backup.tar.gz")
driver.download_object(obj, destination_path=DOWNLOAD_PATH, overwrite_existing=True)
print(obj.meta_data)
"""

# Written in Libcloud's documented load balancer API, on CloudStack (members are VMs, by id).
LOADBALANCER_CLOUDSTACK = """\
from libcloud.compute.types import Provider as ComputeProvider
from libcloud.compute.providers import get_driver as get_compute_driver
from libcloud.loadbalancer.base import Member, Algorithm
from libcloud.loadbalancer.types import State, Provider
from libcloud.loadbalancer.providers import get_driver

compute = get_compute_driver(ComputeProvider.CLOUDSTACK)("api key", "api secret key", url=URL)
zone = [location for location in compute.list_locations() if location.name == ZONE][0]
network = [net for net in compute.ex_list_networks() if net.zoneid == zone.id][0]
node = compute.create_node(
    name="web-1",
    image=compute.list_images()[0],
    size=compute.list_sizes()[0],
    location=zone,
    networks=[network],
)

driver = get_driver(Provider.CLOUDSTACK)("api key", "api secret key", url=URL)
new_balancer = driver.create_balancer(
    name="test-lb",
    algorithm=Algorithm.ROUND_ROBIN,
    port=80,
    protocol="http",
    members=[Member(node.id, None, 8080)],
    network_id=network.id,
)
balancer = driver.get_balancer(balancer_id=new_balancer.id)
print(balancer.name, balancer.state == State.RUNNING, balancer.port)
print([member.id for member in balancer.list_members()])
balancer.destroy()
"""
