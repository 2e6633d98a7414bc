"""A local CloudStack on a specific port over plain HTTP (secure=False)."""

from urllib.parse import urlsplit

from _sim import credentials

from omnicloud import Provider, get_driver

options = credentials("CLOUDSTACK")
parts = urlsplit(options["url"])

cls = get_driver(Provider.CLOUDSTACK)
driver = cls(
    key=options["key"],
    secret=options["secret"],
    host=parts.hostname or "localhost",
    path=parts.path,
    port=parts.port or 8080,
    secure=False,
)
print(driver, [image.name for image in driver.list_images()])
