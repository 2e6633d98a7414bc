"""DNS models and the driver contract where Libcloud keeps them (``libcloud.dns.base``).

``DNSDriver`` is the class every omnicloud DNS driver derives from.
"""

from __future__ import annotations

from omnicloud.dns._base import DNSDriverCore as DNSDriver
from omnicloud.dns._base import Record, RecordType, Zone

__all__ = ["DNSDriver", "Record", "RecordType", "Zone"]
