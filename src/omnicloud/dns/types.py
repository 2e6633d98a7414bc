"""DNS names where Libcloud keeps them (``libcloud.dns.types``): provider constants, record
types and errors."""

from __future__ import annotations

from omnicloud._providers import DNSProvider as Provider
from omnicloud._registry import DriverNotAvailableError
from omnicloud.dns._base import (
    RecordAlreadyExistsError,
    RecordDoesNotExistError,
    RecordError,
    RecordType,
    ZoneAlreadyExistsError,
    ZoneDoesNotExistError,
    ZoneError,
)
from omnicloud.errors import OmnicloudError as LibcloudError

__all__ = [
    "DriverNotAvailableError",
    "LibcloudError",
    "Provider",
    "RecordAlreadyExistsError",
    "RecordDoesNotExistError",
    "RecordError",
    "RecordType",
    "ZoneAlreadyExistsError",
    "ZoneDoesNotExistError",
    "ZoneError",
]
