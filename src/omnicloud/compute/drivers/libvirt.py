"""libvirt compute drivers, sync and async: any hypervisor libvirt reaches by URI.

``get_driver(Provider.LIBVIRT)(uri="qemu:///system")`` as Libcloud's ``LibvirtNodeDriver``
(``key``/``secret``: user name and password for a remote URI that asks for them), or
``test:///default``, libvirt's in-process test hypervisor. libvirt's binding blocks, so every
call to it is a :class:`~omnicloud._flow.Call`: in place when sync, in a worker thread when
async (the event loop never waits on libvirt).

Nodes are domains (``id`` their UUID); images and volumes are storage-pool volumes (``id``
their path). ``create_node`` boots a copy-on-write overlay of the image (a new qcow2 volume
backed by it, so the image itself is never written), and ``destroy_node`` powers the domain off,
undefines it and deletes the volumes omnicloud created for it, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from omnicloud._flow import Call
from omnicloud.compute._driver import NodeDriverCore
from omnicloud.compute._models import (
    Node,
    NodeAuthPassword,
    NodeAuthSSHKey,
    NodeImage,
    NodeLocation,
    NodeSize,
    StorageVolume,
)
from omnicloud.compute._shell import AsyncShell, SyncShell, operation
from omnicloud.errors import ValidationError
from omnicloud.http import HttpConfig

from .libvirt_host import (
    DomainFacts,
    HostFacts,
    LibvirtError,
    LibvirtHost,
    LibvirtNotFoundError,
    VolumeFacts,
)
from .libvirt_models import (
    NODE_STATES,
    image_of,
    location_of,
    node_of,
    node_state,
    sizes_for,
    volume_of,
)
from .libvirt_xml import DomainSpec, check_name, domain_xml, volume_xml

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = [
    "NODE_STATES",
    "AsyncLibvirtNodeDriver",
    "LibvirtError",
    "LibvirtNodeDriver",
    "LibvirtNodeDriverCore",
    "LibvirtNotFoundError",
    "node_state",
]

R = TypeVar("R")
_GIB = 1024**3


def _blocking(fn: Callable[..., R], *args: Any) -> Flow[R]:
    """Run a blocking libvirt call as an effect (a worker thread under the async runner)."""
    result: R = yield Call(fn, args)
    return result


class LibvirtNodeDriverCore(NodeDriverCore):
    """Every libvirt operation as a flow; pick the sync or async class to run them."""

    name = "Libvirt"
    website = "https://libvirt.org/"
    type: str | None = "libvirt"
    features: dict[str, list[str]] = {"create_node": []}
    ex_reachable_by = "private_ips"

    def __init__(
        self,
        uri: str = "qemu:///system",
        key: str | None = None,
        secret: str | None = None,
        *,
        http: HttpConfig | None = None,
    ) -> None:
        self.host = LibvirtHost(uri, key, secret)
        # libvirt's test hypervisor runs no guests: their addresses exist nowhere
        self.ex_simulated = uri.startswith("test:")
        self._open(http or HttpConfig(), _no_secrets())

    def _open(self, config: HttpConfig, redactor: Any) -> None:  # pragma: no cover
        raise TypeError("use a sync or async driver class, not the core")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} uri={self.host.uri!r}>"

    # -- nodes --------------------------------------------------------------------------------
    @operation
    def list_nodes(self) -> Flow[list[Node]]:
        """Every domain, running or defined."""
        found = yield from _blocking(self.host.domains)
        return [node_of(facts, self) for facts in found]

    @operation
    def ex_get_node(self, node_id: str) -> Flow[Node]:
        """The node whose id (domain UUID) is ``node_id``."""
        facts: DomainFacts = yield from _blocking(self.host.domain, str(node_id))
        return node_of(facts, self)

    @operation
    def ex_get_node_by_uuid(self, uuid: str) -> Flow[Node]:
        """The node with domain UUID ``uuid`` (Libcloud's name)."""
        return (yield from type(self).ex_get_node(self, uuid))

    @operation
    def ex_get_node_by_name(self, name: str) -> Flow[Node]:
        """The node called ``name``."""
        found = yield from _blocking(self.host.domains)
        for facts in found:
            if facts.name == name:
                return node_of(facts, self)
        raise LibvirtNotFoundError(f"libvirt: no domain named {name!r} on {self.host.uri}")

    @operation
    def create_node(
        self,
        name: str,
        size: NodeSize,
        image: NodeImage,
        location: NodeLocation | None = None,
        auth: NodeAuthSSHKey | NodeAuthPassword | None = None,
        ex_network: str | None = "default",
        ex_pool: str | None = None,
        ex_copy_on_write: bool = True,
        ex_disk_size: int | None = None,
        ex_domain_type: str | None = None,
        ex_start: bool = True,
    ) -> Flow[Node]:
        """Define and start a domain with ``size``'s RAM and vCPUs (``extra["cpu"]``) booting
        ``image`` (a volume path): from a copy-on-write overlay of it (``ex_copy_on_write``,
        of ``ex_disk_size`` GiB at least; in ``ex_pool`` or the image's pool), or from the
        image itself. ``ex_network``: the libvirt network of its one interface (None: none).
        """
        self._check_auth(auth)
        check_name(name)
        if not isinstance(size.ram, int) or size.ram < 16:
            raise ValidationError(f"size {size.id!r} needs its RAM in MiB (at least 16)")
        vcpus = int((size.extra or {}).get("cpu") or 1)
        host: HostFacts = yield from _blocking(self.host.host)
        volume = yield from self._volume(image.id)
        disk, disk_format = volume.path, volume.format or "raw"
        created: tuple[str, ...] = ()
        if ex_copy_on_write:
            capacity = max(volume.capacity, (ex_disk_size or 0) * _GIB)
            document = volume_xml(f"{name}.qcow2", capacity, "qcow2", (volume.path, volume.format))
            overlay: VolumeFacts = yield from _blocking(
                self.host.create_volume, ex_pool or volume.pool, document
            )
            disk, disk_format, created = overlay.path, "qcow2", (overlay.path,)
        spec = DomainSpec(
            name=name,
            domain_type=ex_domain_type or (host.domain_types or ("kvm",))[0],
            arch=host.arch,
            memory_mib=size.ram,
            vcpus=vcpus,
            disk_path=disk,
            disk_format=disk_format,
            network=ex_network,
            created_disks=created,
        )
        try:
            facts: DomainFacts = yield from _blocking(self.host.define, domain_xml(spec), ex_start)
        except Exception:
            for path in created:  # nothing half-made is left behind
                yield from _blocking(self.host.delete_volume, path)
            raise
        return node_of(facts, self)

    @operation
    def ex_create_node_from_xml(self, xml: str, ex_start: bool = True) -> Flow[Node]:
        """Define a domain from a full libvirt domain document, and start it."""
        facts: DomainFacts = yield from _blocking(self.host.define, xml, ex_start)
        return node_of(facts, self)

    @operation
    def reboot_node(self, node: Node) -> Flow[bool]:
        """Reboot the guest (an ACPI request, as libvirt's ``reboot``)."""
        return (yield from self._act(node, "reboot"))

    @operation
    def start_node(self, node: Node) -> Flow[bool]:
        """Start a stopped domain."""
        return (yield from self._act(node, "create"))

    @operation
    def stop_node(self, node: Node) -> Flow[bool]:
        """Shut the guest down (an ACPI request; ``ex_power_off_node`` forces it)."""
        return (yield from self._act(node, "shutdown"))

    @operation
    def ex_start_node(self, node: Node) -> Flow[bool]:
        """Start a stopped domain (Libcloud's name)."""
        return (yield from self._act(node, "create"))

    @operation
    def ex_shutdown_node(self, node: Node) -> Flow[bool]:
        """Shut the guest down (Libcloud's name)."""
        return (yield from self._act(node, "shutdown"))

    @operation
    def ex_power_off_node(self, node: Node) -> Flow[bool]:
        """Power the domain off at once (libvirt's ``destroy``); it stays defined."""
        return (yield from self._act(node, "destroy"))

    @operation
    def ex_suspend_node(self, node: Node) -> Flow[bool]:
        """Pause a running domain."""
        return (yield from self._act(node, "suspend"))

    @operation
    def ex_resume_node(self, node: Node) -> Flow[bool]:
        """Resume a paused domain."""
        return (yield from self._act(node, "resume"))

    @operation
    def destroy_node(self, node: Node, ex_delete_disks: bool = True) -> Flow[bool]:
        """Power the domain off, undefine it and (``ex_delete_disks``) delete the volumes
        omnicloud created for it; images and volumes attached later are kept."""
        yield from _blocking(self.host.remove, node.id, ex_delete_disks)
        return True

    def _act(self, node: Node, action: str) -> Flow[bool]:
        yield from _blocking(self.host.act, node.id, action)
        return True

    # -- the host -----------------------------------------------------------------------------
    @operation
    def list_locations(self) -> Flow[list[NodeLocation]]:
        """The hypervisor host, the one location."""
        host: HostFacts = yield from _blocking(self.host.host)
        return [location_of(host, self)]

    @operation
    def list_sizes(self, location: NodeLocation | None = None) -> Flow[list[NodeSize]]:
        """Sizes from 1 vCPU/512 MiB to 8 vCPUs/8 GiB, those the host can hold."""
        host: HostFacts = yield from _blocking(self.host.host)
        return sizes_for(host, self)

    @operation
    def ex_get_hypervisor_hostname(self) -> Flow[str]:
        """The hypervisor host's name."""
        host: HostFacts = yield from _blocking(self.host.host)
        return host.hostname

    @operation
    def ex_get_hypervisor_sysinfo(self) -> Flow[dict[str, dict[str, str]]]:
        """The host's SMBIOS sections (``bios``, ``system`` ...) as ``{entry name: value}``."""
        from .libvirt_xml import sysinfo_sections

        document: str = yield from _blocking(self.host.sysinfo)
        return sysinfo_sections(document)

    # -- images and volumes -------------------------------------------------------------------
    @operation
    def list_images(
        self, location: NodeLocation | None = None, ex_pool: str | None = None
    ) -> Flow[list[NodeImage]]:
        """The volumes of the active storage pools (of ``ex_pool`` only, when given)."""
        found: list[VolumeFacts] = yield from _blocking(self.host.volumes)
        return [image_of(v, self) for v in found if ex_pool in (None, v.pool)]

    @operation
    def get_image(self, image_id: str) -> Flow[NodeImage]:
        """The image (volume) at path ``image_id``."""
        volume = yield from self._volume(image_id)
        return image_of(volume, self)

    @operation
    def list_volumes(self) -> Flow[list[StorageVolume]]:
        """Every volume of the active pools, ``INUSE`` when a domain has it."""
        found: list[VolumeFacts] = yield from _blocking(self.host.volumes)
        domains: list[DomainFacts] = yield from _blocking(self.host.domains)
        users = {disk.path: d.name for d in domains for disk in d.disks if disk.path}
        return [volume_of(v, self, users.get(v.path)) for v in found]

    @operation
    def create_volume(
        self,
        size: int,
        name: str,
        location: NodeLocation | None = None,
        snapshot: Any = None,
        ex_pool: str | None = None,
        ex_format: str = "qcow2",
    ) -> Flow[StorageVolume]:
        """A new empty volume of ``size`` GiB in ``ex_pool`` (the first active pool)."""
        check_name(name, "volume")
        if not isinstance(size, int) or size < 1:
            raise ValidationError(f"a volume size is a whole number of GiB, got {size!r}")
        if ex_format not in {"qcow2", "raw"}:
            raise ValidationError(f"ex_format is qcow2 or raw, got {ex_format!r}")
        made: VolumeFacts = yield from _blocking(
            self.host.create_volume, ex_pool, volume_xml(name, size * _GIB, ex_format)
        )
        return volume_of(made, self, None)

    @operation
    def destroy_volume(self, volume: StorageVolume) -> Flow[bool]:
        """Delete a volume (refused while a domain uses it)."""
        yield from _blocking(self.host.delete_volume, volume.id)
        return True

    @operation
    def attach_volume(
        self, node: Node, volume: StorageVolume, device: str | None = None
    ) -> Flow[bool]:
        """Attach ``volume`` as a virtio disk (``device`` such as ``vdb``, or the next free)."""
        yield from _blocking(self.host.attach, node.id, volume.id, device)
        return True

    @operation
    def detach_volume(self, volume: StorageVolume) -> Flow[bool]:
        """Detach ``volume`` from the node using it; False when none does."""
        detached: bool = yield from _blocking(self.host.detach, volume.id)
        return detached

    def _volume(self, path: str) -> Flow[VolumeFacts]:
        found: list[VolumeFacts] = yield from _blocking(self.host.volumes)
        for volume in found:
            if volume.path == path:
                return volume
        raise LibvirtNotFoundError(f"libvirt: no volume {path!r} on {self.host.uri}")


def _no_secrets() -> Any:
    from omnicloud.http import Redactor

    return Redactor()


class LibvirtNodeDriver(SyncShell, LibvirtNodeDriverCore):
    """libvirt, sync: ``LibvirtNodeDriver("qemu:///system")``."""

    def close(self) -> None:
        """Close the hypervisor connection."""
        self.host.close()
        super().close()


class AsyncLibvirtNodeDriver(AsyncShell, LibvirtNodeDriverCore):
    """libvirt, async: every libvirt call runs in a worker thread."""

    async def aclose(self) -> None:
        """Close the hypervisor connection."""
        self.host.close()
        await super().aclose()
