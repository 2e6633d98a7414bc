"""Deploy a node and run a script on it over SSH once it is up.

Against the simulator there is no SSH server, so a printing stand-in plays the SSH connection;
on a real cloud pass ``ex_ssh_connector=`` (or register one with ``set_ssh_connector``).
"""

import os

from _sim import PrintingSSH, credentials

from omnicloud import Provider, get_driver
from omnicloud.compute.deployment import MultiStepDeployment, ScriptDeployment

cls = get_driver(Provider.EXOSCALE)
driver = cls(**credentials("EXOSCALE"))

image = driver.list_images()[0]
size = driver.list_sizes()[0]
if "test-keypair" not in {pair.name for pair in driver.list_key_pairs()}:
    driver.create_key_pair("test-keypair")

script = ScriptDeployment("/bin/date")
msd = MultiStepDeployment([script])
connector = None if os.environ.get("EXOSCALE_API_KEY") else PrintingSSH

node = driver.deploy_node(
    name="test",
    image=image,
    size=size,
    ssh_key="~/.ssh/id_rsa_test",
    ex_keyname="test-keypair",
    deploy=msd,
    wait_period=0.2,
    ex_ssh_connector=connector,
)
print(node.name, node.state, "->", script.stdout)
driver.destroy_node(node)
