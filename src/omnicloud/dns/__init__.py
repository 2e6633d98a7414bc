"""The unified DNS API: Zone, Record, RecordType, the errors and the driver contract.

``omnicloud.get_driver(DriverType.DNS, Provider.ROUTE53)`` (or ``omnicloud.dns.providers``)
gives a driver class; ``omnicloud.connect("aws", "dns")`` a driver for an ``aws`` profile.
"""

from __future__ import annotations

from ._base import (
    DNSDriverCore,
    Record,
    RecordAlreadyExistsError,
    RecordDoesNotExistError,
    RecordError,
    RecordType,
    Zone,
    ZoneAlreadyExistsError,
    ZoneDoesNotExistError,
    ZoneError,
)

__all__ = [
    "DNSDriverCore",
    "Record",
    "RecordAlreadyExistsError",
    "RecordDoesNotExistError",
    "RecordError",
    "RecordType",
    "Zone",
    "ZoneAlreadyExistsError",
    "ZoneDoesNotExistError",
    "ZoneError",
]
