from _simulator import credentials

from omnicloud import Provider, get_driver

username, password, options = credentials(servers=1)

cls = get_driver(Provider.CLOUDSIGMA)
driver = cls(username, password, region="zrh", api_version="2.0", **options)

node = driver.list_nodes()[0]
if node.state != "running":  # the VNC tunnel needs a running server
    driver.start_node(node)
    driver.wait_until_running(nodes=[node], wait_period=0.1)

vnc_url = driver.ex_open_vnc_tunnel(node=node)
vnc_password = node.extra["vnc_password"]

values = {"url": vnc_url, "password": vnc_password}
print("URL: {url}, Password: {password}".format(**values))

# When you are done
driver.ex_close_vnc_tunnel(node=node)
