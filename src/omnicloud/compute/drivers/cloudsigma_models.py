"""CloudSigma's own model classes: sizes with explicit units, drives, tags, subscriptions, ...

Values keep CloudSigma's API units where they are named so (``cpu_mhz``, ``size_bytes``); the
Libcloud-compatible fields use Libcloud's (cores, MB, GB).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from omnicloud.compute._models import NodeImage, NodeSize
from omnicloud.errors import ValidationError

__all__ = [
    "CPU_UNITS",
    "RAM_UNITS",
    "CloudSigmaBalance",
    "CloudSigmaCapabilities",
    "CloudSigmaDrive",
    "CloudSigmaFirewallPolicy",
    "CloudSigmaFirewallPolicyRule",
    "CloudSigmaNodeSize",
    "CloudSigmaPricing",
    "CloudSigmaSubscription",
    "CloudSigmaTag",
    "CloudSigmaUsage",
]

GIB = 1024**3
MIB = 1024**2
CPU_UNITS = ("cores", "MHz", "GHz")
RAM_UNITS = ("MB", "GB")
DEFAULT_MHZ_PER_CORE = 2000


@dataclass(slots=True)
class CloudSigmaNodeSize(NodeSize):
    """A size: CPU in ``cpu_unit`` (cores, MHz or GHz), RAM in ``ram_unit`` (MB or GB), disk GB.

    ``ram`` and ``disk`` keep Libcloud's meaning (MB, GB) once built: ``custom`` converts.
    Libcloud read ``cpu`` as cores while its docs said MHz; here the unit is always explicit.
    """

    cpu: float = 1
    cpu_unit: str = "cores"
    mhz_per_core: int = DEFAULT_MHZ_PER_CORE

    def __post_init__(self) -> None:
        if self.cpu_unit not in CPU_UNITS:
            raise ValidationError(f"cpu_unit must be one of {', '.join(CPU_UNITS)}")

    @classmethod
    def custom(
        cls,
        name: str,
        *,
        cpu: float,
        cpu_unit: str,
        ram: float,
        ram_unit: str,
        disk: int,
        id: str | None = None,
        mhz_per_core: int = DEFAULT_MHZ_PER_CORE,
        driver: Any = None,
    ) -> CloudSigmaNodeSize:
        """A custom size with explicit units: ``custom("db", cpu=5000, cpu_unit="MHz",
        ram=4, ram_unit="GB", disk=50)``."""
        if ram_unit not in RAM_UNITS:
            raise ValidationError(f"ram_unit must be one of {', '.join(RAM_UNITS)}")
        ram_mb = round(ram * 1024) if ram_unit == "GB" else int(ram)
        return cls(
            id=id or f"custom-{cpu}{cpu_unit}-{ram_mb}MB-{disk}GB",
            name=name,
            ram=ram_mb,
            disk=int(disk),
            bandwidth=None,
            price=None,
            driver=driver,
            cpu=cpu,
            cpu_unit=cpu_unit,
            mhz_per_core=mhz_per_core,
        )

    @property
    def cpu_mhz(self) -> int:
        """CPU in MHz, as the API wants it."""
        if self.cpu_unit == "MHz":
            return int(self.cpu)
        if self.cpu_unit == "GHz":
            return round(self.cpu * 1000)
        return round(self.cpu * self.mhz_per_core)

    @property
    def cores(self) -> int:
        """Virtual cores (``smp``): given, or derived at ``mhz_per_core`` each."""
        if self.cpu_unit == "cores":
            return max(1, int(self.cpu))
        return max(1, -(-self.cpu_mhz // self.mhz_per_core))

    @property
    def mem_bytes(self) -> int:
        """Memory in bytes."""
        return int(self.ram) * MIB

    @property
    def disk_bytes(self) -> int:
        """Disk in bytes."""
        return int(self.disk) * GIB


@dataclass(slots=True)
class CloudSigmaDrive(NodeImage):
    """A drive (user or library): ``size`` in GB, ``media`` disk or cdrom, ``status``."""

    size: float = 0.0
    media: str = "disk"
    status: str = "unknown"

    @property
    def size_bytes(self) -> int:
        """The size in bytes."""
        return int(self.extra.get("size_bytes") or self.size * GIB)

    @property
    def is_installation_cd(self) -> bool:
        """Whether this is a CD attached directly rather than cloned."""
        return self.media == "cdrom"


@dataclass(slots=True)
class CloudSigmaTag:
    """A tag and the UUIDs of the resources carrying it."""

    id: str
    name: str
    resources: list[str] = field(default_factory=list)
    driver: Any = field(default=None, repr=False, compare=False)
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(slots=True)
class CloudSigmaSubscription:
    """A subscription; ``start_time``/``end_time`` may be None (CloudSigma sends null)."""

    id: str
    resource: str
    amount: int
    period: str
    status: str
    price: str
    start_time: datetime | None
    end_time: datetime | None
    auto_renew: bool
    subscribed_object: str | None
    driver: Any = field(default=None, repr=False, compare=False)
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(slots=True)
class CloudSigmaFirewallPolicyRule:
    """One rule: action drop/accept, direction in/out/both, optional protocol, IPs and ports."""

    action: str
    direction: str
    ip_proto: str | None = None
    src_ip: str | None = None
    src_port: str | None = None
    dst_ip: str | None = None
    dst_port: str | None = None
    comment: str | None = None


@dataclass(slots=True)
class CloudSigmaFirewallPolicy:
    """A (legacy) firewall policy."""

    id: str
    name: str
    rules: list[CloudSigmaFirewallPolicyRule] = field(default_factory=list)
    driver: Any = field(default=None, repr=False, compare=False)
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


class _Document(Mapping[str, Any]):
    """A typed answer that still reads like the JSON document (``balance["currency"]``)."""

    raw: Mapping[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)


@dataclass(slots=True, eq=False)
class CloudSigmaBalance(_Document):
    """The account balance (a decimal string) and currency."""

    balance: str
    currency: str
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(slots=True, eq=False)
class CloudSigmaPricing(_Document):
    """Price list entries, and the current and next burst levels per resource."""

    objects: list[dict[str, Any]]
    current: dict[str, Any]
    next: dict[str, Any]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def price(self, resource: str, level: int = 0) -> dict[str, Any] | None:
        """The price entry of ``resource`` at ``level``."""
        for item in self.objects:
            if item.get("resource") == resource and int(item.get("level") or 0) == level:
                return item
        return None


@dataclass(slots=True, eq=False)
class CloudSigmaUsage(_Document):
    """Current usage per resource (``{"cpu": {"burst", "subscribed", "using"}}``) and balance."""

    balance: dict[str, Any]
    usage: dict[str, dict[str, Any]]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(slots=True, eq=False)
class CloudSigmaCapabilities(_Document):
    """The location's limits (``GET /capabilities/``) with typed shortcuts."""

    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def _range(self, *path: str) -> tuple[int, int] | None:
        node: Any = self.raw
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        if isinstance(node, Mapping) and "min" in node and "max" in node:
            return int(node["min"]), int(node["max"])
        return None

    @property
    def cpu_mhz(self) -> tuple[int, int] | None:
        """(min, max) CPU in MHz."""
        return self._range("servers", "cpu")

    @property
    def mem_bytes(self) -> tuple[int, int] | None:
        """(min, max) memory in bytes."""
        return self._range("servers", "mem")

    @property
    def smp(self) -> tuple[int, int] | None:
        """(min, max) cores."""
        return self._range("servers", "smp")

    def drive_bytes(self, storage_type: str = "dssd") -> tuple[int, int] | None:
        """(min, max) drive size in bytes for ``storage_type``."""
        return self._range("drives", storage_type, "size")
