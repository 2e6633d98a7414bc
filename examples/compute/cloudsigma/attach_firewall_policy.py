from _simulator import credentials

from omnicloud import Provider, get_driver
from omnicloud.cloudsigma import EndpointGoneError

username, password, options = credentials(servers=1)

cls = get_driver(Provider.CLOUDSIGMA)
driver = cls(username, password, region="zrh", api_version="2.0", **options)

tag = driver.ex_create_tag(name="database-server")
driver.ex_tag_resource(resource=driver.list_nodes()[0], tag=tag)

tags = driver.ex_list_tags()
tag = next(tag for tag in tags if tag.name == "database-server")

nodes = driver.list_nodes(ex_tag=tag)

try:
    policy = driver.ex_list_firewall_policies()[0]
    for node in nodes:
        driver.ex_attach_firewall_policy(policy=policy, node=node)
except EndpointGoneError as error:
    # CloudSigma decommissioned firewall policies in 2022.
    print(error)
