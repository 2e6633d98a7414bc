"""Instantiate the CloudStack driver with a complete URL (its scheme decides http or https)."""

from _sim import credentials

from omnicloud import Provider, get_driver

options = credentials("CLOUDSTACK")
cls = get_driver(Provider.CLOUDSTACK)
driver = cls(key=options["key"], secret=options["secret"], url=options["url"])
print(driver, "secure" if driver.secure else "plain HTTP", len(driver.list_sizes()), "sizes")
