"""Instantiate the CloudStack driver with host and path."""

from urllib.parse import urlsplit

from _sim import credentials

from omnicloud import Provider, get_driver

options = credentials("CLOUDSTACK")
parts = urlsplit(options.pop("url"))  # e.g. https://example.com/path/to/api

cls = get_driver(Provider.CLOUDSTACK)
driver = cls(
    key=options["key"],
    secret=options["secret"],
    host=parts.hostname,
    port=parts.port,
    path=parts.path,
    secure=parts.scheme == "https",
)
print(driver, [location.name for location in driver.list_locations()])
