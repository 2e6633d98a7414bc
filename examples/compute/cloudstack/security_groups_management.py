"""List, create, authorize and delete security groups (real classes, not dicts)."""

from _sim import credentials

from omnicloud import Provider, get_driver

cls = get_driver(Provider.EXOSCALE)
driver = cls(**credentials("EXOSCALE"))

print([group.name for group in driver.ex_list_security_groups()])
group = driver.ex_create_security_group(name="test-security-group")
group = driver.ex_authorize_security_group_ingress(
    securitygroupname="test-security-group", protocol="tcp", startport="22", cidrlist="0.0.0.0/0"
)
for rule in group.ingress_rules:
    print(group.name, rule.protocol, rule.start_port, rule.end_port, rule.cidr)
driver.ex_delete_security_group(name="test-security-group")
