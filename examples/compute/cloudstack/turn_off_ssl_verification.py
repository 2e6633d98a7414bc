"""A cloud with an untrusted certificate: prefer verify="/path/to/ca.pem"; insecure=True turns
checks off for this driver only (no global flag) and warns."""

from _sim import credentials

from omnicloud import Provider, get_driver

options = credentials("CLOUDSTACK")
cls = get_driver(Provider.CLOUDSTACK)
driver = cls(key=options["key"], secret=options["secret"], url=options["url"], insecure=True)
print(driver, len(driver.list_locations()), "zones")
