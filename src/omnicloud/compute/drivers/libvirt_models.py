"""libvirt facts as compute models: nodes (states mapped totally), sizes, images, volumes."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from omnicloud.compute._models import Node, NodeImage, NodeLocation, NodeSize, StorageVolume
from omnicloud.compute._types import NodeState, StorageVolumeState

from .libvirt_host import DomainFacts, HostFacts, VolumeFacts

__all__ = [
    "NODE_STATES",
    "SIZES",
    "image_of",
    "location_of",
    "node_of",
    "node_state",
    "sizes_for",
    "volume_of",
]

#: libvirt's ``virDomainState`` numbers. A blocked domain still runs (it waits on I/O); a
#: domain being shut down is stopping; a crashed one is in error; a guest suspended by power
#: management is suspended. Libcloud calls paused and shut-off domains terminated; here they
#: are paused and stopped, since they can be resumed and started again.
NODE_STATES: Mapping[int, NodeState] = {
    0: NodeState.UNKNOWN,
    1: NodeState.RUNNING,
    2: NodeState.RUNNING,
    3: NodeState.PAUSED,
    4: NodeState.STOPPING,
    5: NodeState.STOPPED,
    6: NodeState.ERROR,
    7: NodeState.SUSPENDED,
}

#: libvirt has no catalogue of sizes: these are offered, as far as the host's CPUs and memory
#: allow (any ``NodeSize`` with ``ram`` and ``extra["cpu"]`` works for ``create_node``).
SIZES: tuple[tuple[str, int, int], ...] = (
    ("tiny", 1, 512),
    ("small", 1, 1024),
    ("medium", 2, 2048),
    ("large", 4, 4096),
    ("xlarge", 8, 8192),
)
_GIB = 1024**3


def node_state(value: Any) -> NodeState:
    """The NodeState of a libvirt domain state number (UNKNOWN for any other value)."""
    try:
        return NODE_STATES.get(int(value), NodeState.UNKNOWN)
    except (TypeError, ValueError):
        return NodeState.UNKNOWN


def _private(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_private
    except ValueError:
        return True


def node_of(facts: DomainFacts, driver: Any) -> Node:
    """A domain as a Node: ``id`` is its UUID (stable, unlike libvirt's run-time domain id);
    addresses from DHCP leases, split into private and public ranges as Libcloud does."""
    memory_mib = facts.max_memory_kib // 1024
    size = NodeSize(
        id=f"{facts.vcpus}cpu-{memory_mib}mib",
        name=f"{facts.vcpus} vCPU, {memory_mib} MiB",
        ram=memory_mib,
        disk=0,
        bandwidth=None,
        price=None,
        driver=driver,
        extra={"cpu": facts.vcpus},
    )
    extra = {
        "uuid": facts.uuid,
        "os_type": facts.os_type,
        "types": facts.hypervisor,
        "used_memory": facts.memory_kib // 1024,
        "max_memory": memory_mib,
        "vcpu_count": facts.vcpus,
        "used_cpu_time": facts.cpu_time_ns,
        "persistent": facts.persistent,
        "mac_addresses": list(facts.macs),
        "disks": [{"path": d.path, "target": d.target, "device": d.device} for d in facts.disks],
        "created_disks": list(facts.created_disks),
        "state_code": facts.state,
    }
    return Node(
        id=facts.uuid,
        name=facts.name,
        state=node_state(facts.state),
        public_ips=[a for a in facts.addresses if not _private(a)],
        private_ips=[a for a in facts.addresses if _private(a)],
        driver=driver,
        size=size,
        extra=extra,
    )


def sizes_for(host: HostFacts, driver: Any) -> list[NodeSize]:
    """The sizes of :data:`SIZES` that fit on ``host``."""
    return [
        NodeSize(
            id=name,
            name=name,
            ram=ram,
            disk=0,
            bandwidth=None,
            price=None,
            driver=driver,
            extra={"cpu": cpus},
        )
        for name, cpus, ram in SIZES
        if cpus <= host.cpus and ram <= host.memory_mib
    ]


def image_of(volume: VolumeFacts, driver: Any) -> NodeImage:
    """A storage volume as a bootable disk image (``id`` is its path)."""
    return NodeImage(id=volume.path, name=volume.name, driver=driver, extra=_volume_extra(volume))


def volume_of(volume: VolumeFacts, driver: Any, used_by: str | None) -> StorageVolume:
    """A storage volume (``id`` is its path, ``size`` in GiB rounded up); ``used_by``: the
    name of the domain it is attached to."""
    extra = {**_volume_extra(volume), "attached_to": used_by}
    return StorageVolume(
        id=volume.path,
        name=volume.name,
        size=-(-volume.capacity // _GIB),
        driver=driver,
        state=StorageVolumeState.INUSE if used_by else StorageVolumeState.AVAILABLE,
        extra=extra,
    )


def _volume_extra(volume: VolumeFacts) -> dict[str, Any]:
    return {
        "pool": volume.pool,
        "format": volume.format,
        "capacity": volume.capacity,
        "allocation": volume.allocation,
    }


def location_of(host: HostFacts, driver: Any) -> NodeLocation:
    """The hypervisor host as the one location."""
    extra = {"hypervisor": host.hypervisor, "arch": host.arch, "cpus": host.cpus}
    return NodeLocation(
        id=host.hostname, name=host.hostname, country="", driver=driver, extra=extra
    )
