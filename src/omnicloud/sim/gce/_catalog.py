"""What every simulated project sees: regions, zones, machine types and the public images."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "IMAGES",
    "MACHINE_TYPES",
    "PUBLIC_IMAGE_PROJECTS",
    "REGIONS",
    "SUBNET_RANGES",
    "ZONES",
    "MachineType",
    "PublicImage",
    "region_of",
]

REGIONS: dict[str, tuple[str, ...]] = {
    "us-central1": ("us-central1-a", "us-central1-b", "us-central1-c", "us-central1-f"),
    "us-east1": ("us-east1-b", "us-east1-c", "us-east1-d"),
    "europe-west1": ("europe-west1-b", "europe-west1-c", "europe-west1-d"),
    "asia-east1": ("asia-east1-a", "asia-east1-b", "asia-east1-c"),
}
"""Regions and their zones."""

ZONES: dict[str, str] = {zone: region for region, zones in REGIONS.items() for zone in zones}
"""Zone → region."""

SUBNET_RANGES: dict[str, str] = {
    "us-central1": "10.128.0",
    "europe-west1": "10.132.0",
    "asia-east1": "10.140.0",
    "us-east1": "10.142.0",
}
"""The first three octets of each region's ``default`` subnetwork (a /20)."""


def region_of(zone: str) -> str:
    """The region of a known zone."""
    return ZONES[zone]


@dataclass(frozen=True, slots=True)
class MachineType:
    """One machine type of the catalogue."""

    name: str
    cpus: int
    memory_mb: int
    description: str
    shared: bool = False
    quota_share: float | None = None
    """What one instance counts against the ``CPUS`` quota when not ``cpus`` (shared-core
    types count their fraction of a core)."""

    @property
    def quota_cpus(self) -> float:
        """What one instance counts against the region's ``CPUS`` quota."""
        return float(self.cpus if self.quota_share is None else self.quota_share)

    @property
    def max_disks(self) -> int:
        """How many persistent disks it takes."""
        return 16 if self.shared else 128


def _standard(family: str, cpus: int, per_cpu_mb: int) -> MachineType:
    memory = cpus * per_cpu_mb
    return MachineType(
        f"{family}-standard-{cpus}",
        cpus,
        memory,
        f"{cpus} vCPU{'s' if cpus > 1 else ''}, {memory / 1024:g} GB RAM",
    )


MACHINE_TYPES: dict[str, MachineType] = {
    m.name: m
    for m in (
        MachineType("e2-micro", 2, 1024, "Efficient Instance, 2 vCPU(s), 1 GB RAM", True, 0.25),
        MachineType("e2-small", 2, 2048, "Efficient Instance, 2 vCPU(s), 2 GB RAM", True, 0.5),
        MachineType("e2-medium", 2, 4096, "Efficient Instance, 2 vCPU(s), 4 GB RAM", True, 1),
        *(_standard("e2", n, 4096) for n in (2, 4, 8, 16)),
        MachineType("f1-micro", 1, 614, "1 vCPU (shared physical core) and 0.6 GB RAM", True, 0.2),
        MachineType("g1-small", 1, 1740, "1 vCPU (shared physical core) and 1.7 GB RAM", True, 0.5),
        *(_standard("n1", n, 3840) for n in (1, 2, 4, 8, 16)),
        *(_standard("n2", n, 4096) for n in (2, 4, 8, 16)),
        *(_standard("c2", n, 4096) for n in (4, 8)),
    )
}
"""Every zone offers all of these."""


@dataclass(frozen=True, slots=True)
class PublicImage:
    """An image of a public image project."""

    project: str
    name: str
    family: str
    description: str
    size_gb: int = 10
    deprecated: str | None = None
    """The name of the image replacing this one (it is then DEPRECATED)."""


IMAGES: tuple[PublicImage, ...] = (
    PublicImage(
        "debian-cloud",
        "debian-12-bookworm-v20240910",
        "debian-12",
        "Debian, Debian GNU/Linux, 12 (bookworm), amd64 built on 20240910",
        deprecated="debian-12-bookworm-v20241112",
    ),
    PublicImage(
        "debian-cloud",
        "debian-12-bookworm-v20241112",
        "debian-12",
        "Debian, Debian GNU/Linux, 12 (bookworm), amd64 built on 20241112",
    ),
    PublicImage(
        "debian-cloud",
        "debian-11-bullseye-v20241112",
        "debian-11",
        "Debian, Debian GNU/Linux, 11 (bullseye), amd64 built on 20241112",
    ),
    PublicImage(
        "ubuntu-os-cloud",
        "ubuntu-2204-jammy-v20241119",
        "ubuntu-2204-lts",
        "Canonical, Ubuntu, 22.04 LTS, amd64 jammy image built on 2024-11-19",
    ),
    PublicImage(
        "ubuntu-os-cloud",
        "ubuntu-2404-noble-amd64-v20241115",
        "ubuntu-2404-lts-amd64",
        "Canonical, Ubuntu, 24.04 LTS Minimal, amd64 noble image built on 2024-11-15",
    ),
    PublicImage(
        "centos-cloud",
        "centos-stream-9-v20241112",
        "centos-stream-9",
        "CentOS, CentOS, Stream 9, x86_64 built on 20241112",
        size_gb=20,
    ),
    PublicImage(
        "rocky-linux-cloud",
        "rocky-linux-9-v20241112",
        "rocky-linux-9",
        "Rocky Linux, Rocky Linux, 9, x86_64 built on 20241112",
        size_gb=20,
    ),
    PublicImage(
        "cos-cloud",
        "cos-117-18613-75-37",
        "cos-117-lts",
        "Google, Container-Optimized OS, 117-18613.75.37 LTS",
    ),
)
"""The public images, oldest first within a family."""

PUBLIC_IMAGE_PROJECTS: frozenset[str] = frozenset(image.project for image in IMAGES)
