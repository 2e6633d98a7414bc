"""Create a node with a key pair and a couple of security groups (a basic zone)."""

from _sim import credentials

from omnicloud import Provider, get_driver

SIZE_NAME = "Small Instance"
IMAGE_NAME = "Ubuntu 22.04"
KEYPAIR_NAME = "example-keypair"
SECURITY_GROUP_NAMES = ["example-web", "example-ssh"]

cls = get_driver(Provider.CLOUDSTACK)
driver = cls(**credentials("CLOUDSTACK"))

size = next(size for size in driver.list_sizes() if size.name == SIZE_NAME)
image = next(image for image in driver.list_images() if image.name == IMAGE_NAME)
if KEYPAIR_NAME not in {pair.name for pair in driver.list_key_pairs()}:
    driver.create_key_pair(KEYPAIR_NAME)
existing = {group.name for group in driver.ex_list_security_groups()}
for name in SECURITY_GROUP_NAMES:
    if name not in existing:
        driver.ex_create_security_group(name)

node = driver.create_node(
    name="example-node",
    image=image,
    size=size,
    ex_security_groups=SECURITY_GROUP_NAMES,
    ex_keyname=KEYPAIR_NAME,
)
print(node)
print("security groups:", node.extra["security_group"], "key pair:", node.extra["key_name"])
driver.destroy_node(node)
