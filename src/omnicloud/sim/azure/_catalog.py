"""What the simulated regions offer: locations, VM sizes and marketplace images (fixed data)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["IMAGES", "LOCATIONS", "SIZES", "Image", "Size", "find_image", "find_size"]


@dataclass(frozen=True, slots=True)
class Size:
    """A VM size as ``vmSizes`` lists it."""

    name: str
    cores: int
    memory_mb: int
    resource_disk_mb: int
    max_data_disks: int
    family: str

    def document(self) -> dict[str, object]:
        """The ``vmSizes`` entry."""
        return {
            "name": self.name,
            "numberOfCores": self.cores,
            "osDiskSizeInMB": 1047552,
            "resourceDiskSizeInMB": self.resource_disk_mb,
            "memoryInMB": self.memory_mb,
            "maxDataDiskCount": self.max_data_disks,
        }


SIZES = tuple(
    Size(*row)
    for row in (
        ("Standard_B1ls", 1, 512, 4096, 2, "standardBSFamily"),
        ("Standard_B1s", 1, 1024, 4096, 2, "standardBSFamily"),
        ("Standard_B1ms", 1, 2048, 4096, 2, "standardBSFamily"),
        ("Standard_B2s", 2, 4096, 8192, 4, "standardBSFamily"),
        ("Standard_B2ms", 2, 8192, 16384, 4, "standardBSFamily"),
        ("Standard_B4ms", 4, 16384, 32768, 8, "standardBSFamily"),
        ("Standard_A1_v2", 1, 2048, 10240, 2, "standardAv2Family"),
        ("Standard_A2_v2", 2, 4096, 20480, 4, "standardAv2Family"),
        ("Standard_DS1_v2", 1, 3584, 7168, 4, "standardDSv2Family"),
        ("Standard_DS2_v2", 2, 7168, 14336, 8, "standardDSv2Family"),
        ("Standard_D2s_v3", 2, 8192, 16384, 4, "standardDSv3Family"),
        ("Standard_D4s_v3", 4, 16384, 32768, 8, "standardDSv3Family"),
        ("Standard_D8s_v3", 8, 32768, 65536, 16, "standardDSv3Family"),
        ("Standard_D2s_v5", 2, 8192, 0, 4, "standardDSv5Family"),
        ("Standard_D4s_v5", 4, 16384, 0, 8, "standardDSv5Family"),
        ("Standard_D2as_v5", 2, 8192, 0, 4, "standardDASv5Family"),
        ("Standard_E2s_v5", 2, 16384, 0, 4, "standardESv5Family"),
        ("Standard_F2s_v2", 2, 4096, 16384, 4, "standardFSv2Family"),
        ("Standard_F4s_v2", 4, 8192, 32768, 8, "standardFSv2Family"),
    )
)


def find_size(name: str) -> Size | None:
    """The size called ``name`` (any case), or None."""
    wanted = name.lower()
    return next((size for size in SIZES if size.name.lower() == wanted), None)


@dataclass(frozen=True, slots=True)
class Image:
    """One marketplace image SKU and its versions (oldest first)."""

    publisher: str
    offer: str
    sku: str
    versions: tuple[str, ...]
    os_type: str
    generation: str
    os_disk_gb: int


IMAGES = (
    Image(
        "Canonical",
        "0001-com-ubuntu-server-jammy",
        "22_04-lts",
        ("22.04.202410020", "22.04.202501140"),
        "Linux",
        "V1",
        30,
    ),
    Image(
        "Canonical",
        "0001-com-ubuntu-server-jammy",
        "22_04-lts-gen2",
        ("22.04.202410020", "22.04.202501140"),
        "Linux",
        "V2",
        30,
    ),
    Image(
        "Canonical",
        "0001-com-ubuntu-server-focal",
        "20_04-lts-gen2",
        ("20.04.202409240",),
        "Linux",
        "V2",
        30,
    ),
    Image(
        "Canonical",
        "ubuntu-24_04-lts",
        "server",
        ("24.04.202411030", "24.04.202501140"),
        "Linux",
        "V2",
        30,
    ),
    Image("Canonical", "ubuntu-24_04-lts", "server-gen1", ("24.04.202501140",), "Linux", "V1", 30),
    Image("Debian", "debian-12", "12", ("0.20241201.1948", "0.20250113.1990"), "Linux", "V1", 30),
    Image("Debian", "debian-12", "12-gen2", ("0.20250113.1990",), "Linux", "V2", 30),
    Image("RedHat", "RHEL", "9-lvm-gen2", ("9.5.2024112115",), "Linux", "V2", 64),
    Image(
        "MicrosoftWindowsServer",
        "WindowsServer",
        "2022-datacenter",
        ("20348.2966.241205", "20348.3091.250105"),
        "Windows",
        "V1",
        127,
    ),
    Image(
        "MicrosoftWindowsServer",
        "WindowsServer",
        "2022-datacenter-g2",
        ("20348.3091.250105",),
        "Windows",
        "V2",
        127,
    ),
    Image(
        "MicrosoftWindowsServer",
        "WindowsServer",
        "2019-datacenter",
        ("17763.6659.241205",),
        "Windows",
        "V1",
        127,
    ),
)


def find_image(publisher: str, offer: str, sku: str) -> Image | None:
    """The image SKU (names compared case-insensitively), or None."""
    key = (publisher.lower(), offer.lower(), sku.lower())
    return next(
        (i for i in IMAGES if (i.publisher.lower(), i.offer.lower(), i.sku.lower()) == key), None
    )


LOCATIONS = (
    ("eastus", "East US", "US", "37.3719", "-79.8164", "westus"),
    ("eastus2", "East US 2", "US", "36.6681", "-78.3889", "centralus"),
    ("westus2", "West US 2", "US", "47.233", "-119.852", "westcentralus"),
    ("centralus", "Central US", "US", "41.5908", "-93.6208", "eastus2"),
    ("westeurope", "West Europe", "Europe", "52.3667", "4.9", "northeurope"),
    ("northeurope", "North Europe", "Europe", "53.3478", "-6.2597", "westeurope"),
    ("uksouth", "UK South", "UK", "50.941", "-0.799", "ukwest"),
    ("southeastasia", "Southeast Asia", "Asia Pacific", "1.283", "103.833", "eastasia"),
)
"""(name, display name, geography group, latitude, longitude, paired region)."""
