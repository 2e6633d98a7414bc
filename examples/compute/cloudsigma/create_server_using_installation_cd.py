from _simulator import credentials

from omnicloud import Provider, get_driver

username, password, options = credentials()

cls = get_driver(Provider.CLOUDSIGMA)
driver = cls(username, password, region="zrh", api_version="2.0", **options)

name = "test node"
size = driver.list_sizes()[0]

drives = driver.ex_list_library_drives()
image = next(drive for drive in drives if drive.name == "FreeBSD 8.2" and drive.media == "cdrom")

# 1. Create a node
node = driver.create_node(name=name, size=size, image=image)
print(node)

# 2. Wait for node to come online
driver.wait_until_running(nodes=[node])

# 3. Enable and obtain VNC URL so we can connect to the node via VNC and run
# through the installation process
vnc_url = driver.ex_open_vnc_tunnel(node=node)
vnc_password = node.extra["vnc_password"]

print(f"VNC URL: {vnc_url}")
print(f"VNC Password: {vnc_password}")
