"""DNS names where Libcloud keeps them (``libcloud.dns.types``): the provider constants."""

from __future__ import annotations

from omnicloud._providers import DNSProvider as Provider
from omnicloud._registry import DriverNotAvailableError
from omnicloud.errors import OmnicloudError as LibcloudError

__all__ = ["DriverNotAvailableError", "LibcloudError", "Provider"]
