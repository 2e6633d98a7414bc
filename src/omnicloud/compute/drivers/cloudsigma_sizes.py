"""CloudSigma sizes: the predefined list, and checking any size against the limits.

The documented limits (CPU 1-80 GHz, memory 1-128 GB, disk 1-8249 GB) are checked without a
request; the location's ``/capabilities/`` limits are checked when the driver has them.
"""

from __future__ import annotations

from omnicloud.errors import ValidationError

from .cloudsigma_models import GIB, CloudSigmaCapabilities, CloudSigmaNodeSize

__all__ = ["DOCUMENTED_LIMITS", "PREDEFINED", "check_size", "predefined_sizes", "size_for"]

# (name, cores, RAM MB, disk GB)
PREDEFINED: tuple[tuple[str, int, int, int], ...] = (
    ("small-1", 1, 1024, 50),
    ("small-2", 1, 2048, 50),
    ("medium-1", 2, 2048, 50),
    ("medium-2", 2, 4096, 60),
    ("medium-3", 4, 8192, 80),
    ("large-1", 8, 16384, 160),
    ("large-2", 12, 32768, 320),
    ("large-3", 16, 49152, 480),
    ("xlarge", 20, 65536, 640),
)

DOCUMENTED_LIMITS = {
    "cpu_mhz": (1000, 80000),
    "ram_mb": (1024, 128 * 1024),
    "disk_gb": (1, 8249),
}


def predefined_sizes(driver: object, mhz_per_core: int) -> list[CloudSigmaNodeSize]:
    """The predefined sizes (cores at ``mhz_per_core`` MHz each)."""
    return [
        CloudSigmaNodeSize(
            id=name,
            name=f"{name}, {cores} CPUs, {ram}MB RAM, {disk}GB disk",
            ram=ram,
            disk=disk,
            bandwidth=None,
            price=None,
            driver=driver,
            cpu=cores,
            cpu_unit="cores",
            mhz_per_core=mhz_per_core,
        )
        for name, cores, ram, disk in PREDEFINED
    ]


def size_for(
    driver: object, cpu_mhz: int, mem_bytes: int, disk_bytes: int | None, mhz_per_core: int
) -> CloudSigmaNodeSize:
    """The size of an existing server: a predefined one when the figures match, else custom."""
    ram_mb = mem_bytes // (1024 * 1024)
    disk_gb = -(-disk_bytes // GIB) if disk_bytes else 0
    for size in predefined_sizes(driver, mhz_per_core):
        if (size.cpu_mhz, size.ram, size.disk) == (cpu_mhz, ram_mb, disk_gb):
            return size
    return CloudSigmaNodeSize.custom(
        f"custom, {cpu_mhz} MHz, {ram_mb} MB RAM, {disk_gb} GB disk",
        cpu=cpu_mhz,
        cpu_unit="MHz",
        ram=ram_mb,
        ram_unit="MB",
        disk=disk_gb,
        mhz_per_core=mhz_per_core,
        driver=driver,
    )


def _within(value: float, low: float, high: float, what: str, unit: str, hint: str = "") -> None:
    if not low <= value <= high:
        raise ValidationError(
            f"{what} {value:g} {unit} is outside CloudSigma's limits "
            f"({low:g}-{high:g} {unit}){hint}"
        )


def check_size(size: CloudSigmaNodeSize, caps: CloudSigmaCapabilities | None = None) -> None:
    """Raise ValidationError if ``size`` breaks the documented or the location's limits."""
    if size.cpu_unit == "cores" and size.cpu > 80:
        raise ValidationError(
            f"cpu={size.cpu:g} is read as {size.cpu:g} cores; for MHz pass cpu_unit='MHz' "
            "(CloudSigmaNodeSize.custom(..., cpu=5000, cpu_unit='MHz', ...))"
        )
    low, high = DOCUMENTED_LIMITS["cpu_mhz"]
    _within(size.cpu_mhz, low, high, "CPU", "MHz")
    low, high = DOCUMENTED_LIMITS["ram_mb"]
    hint = "; ram is in MB (use CloudSigmaNodeSize.custom(..., ram_unit='GB') for GB)"
    _within(size.ram, low, high, "memory", "MB", hint if size.ram < low else "")
    low, high = DOCUMENTED_LIMITS["disk_gb"]
    _within(size.disk, low, high, "disk", "GB")
    if caps is None:
        return
    if caps.cpu_mhz:
        _within(size.cpu_mhz, *caps.cpu_mhz, "CPU", "MHz", " for this location")
    if caps.mem_bytes:
        _within(size.mem_bytes, *caps.mem_bytes, "memory", "bytes", " for this location")
    if caps.smp:
        _within(size.cores, *caps.smp, "cores", "", " for this location")
    drive = caps.drive_bytes()
    if drive:
        _within(size.disk_bytes, *drive, "disk", "bytes", " for this location")
