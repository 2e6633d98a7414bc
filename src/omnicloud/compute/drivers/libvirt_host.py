"""The blocking side of the libvirt driver: one hypervisor connection and plain facts read from it.

Every method here may block (libvirt's Python binding is synchronous), so the driver only reaches
them through :class:`~omnicloud._flow.Call` effects: in place under the sync runner, in a worker
thread under the async one. Methods return frozen dataclasses, never libvirt objects, so nothing
of libvirt is touched on the event loop. libvirt errors become omnicloud errors here.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from omnicloud.errors import (
    ConfigurationError,
    InvalidCredentialsError,
    NotFoundError,
    NotSupportedError,
    ProviderError,
    ValidationError,
)

from .libvirt_xml import (
    DiskFacts,
    add_disk,
    created_disks,
    domain_disks,
    domain_macs,
    remove_disk,
)

__all__ = [
    "DomainFacts",
    "HostFacts",
    "LibvirtError",
    "LibvirtHost",
    "LibvirtNotFoundError",
    "VolumeFacts",
]

_MISSING = (
    "the libvirt driver needs the libvirt-python package: pip install 'omnicloud[libvirt]' "
    "(it builds against libvirt's C headers: apt-get install libvirt-dev pkg-config gcc)"
)


class LibvirtError(ProviderError):
    """libvirt refused an operation; ``code`` is libvirt's error number."""


class LibvirtNotFoundError(LibvirtError, NotFoundError):
    """No such domain, storage pool or volume."""


@dataclass(frozen=True, slots=True)
class DomainFacts:
    """What the driver needs to know about one domain (a node)."""

    uuid: str
    name: str
    state: int
    max_memory_kib: int
    memory_kib: int
    vcpus: int
    cpu_time_ns: int
    os_type: str
    hypervisor: str
    persistent: bool
    addresses: tuple[str, ...]
    macs: tuple[str, ...]
    disks: tuple[DiskFacts, ...]
    created_disks: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VolumeFacts:
    """One storage volume (an image or a data disk)."""

    path: str
    name: str
    pool: str
    capacity: int
    allocation: int
    format: str | None


@dataclass(frozen=True, slots=True)
class HostFacts:
    """The hypervisor host: name, type, CPU architecture, CPUs, memory and domain types."""

    hostname: str
    hypervisor: str
    arch: str
    cpus: int
    memory_mib: int
    domain_types: tuple[str, ...]


def _libvirt() -> Any:
    try:
        import libvirt  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        raise ConfigurationError(_MISSING) from None
    return libvirt


class LibvirtHost:
    """A lazily opened connection to the hypervisor at ``uri`` (``key``/``secret``: a user
    name and password for remote URIs that ask for them; never shown in reprs or errors)."""

    def __init__(self, uri: str, key: str | None = None, secret: str | None = None) -> None:
        if not uri or "://" not in uri:
            raise ValidationError(f"a libvirt URI such as qemu:///system is needed, got {uri!r}")
        self.uri = uri
        self._key = key
        self._secret = secret
        self._connection: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"LibvirtHost(uri={self.uri!r})"

    # -- the connection ------------------------------------------------------------------------
    def _conn(self) -> Any:
        with self._lock:
            if self._connection is None:
                self._connection = self._guarded(self._open)
            return self._connection

    def _open(self) -> Any:
        libvirt = _libvirt()
        if self._key is None and self._secret is None:
            return libvirt.open(self.uri)
        answers = {libvirt.VIR_CRED_AUTHNAME: self._key, libvirt.VIR_CRED_PASSPHRASE: self._secret}

        def answer(credentials: list[list[Any]], _data: object) -> int:
            for credential in credentials:
                credential[4] = answers.get(credential[0]) or ""
            return 0

        kinds = [libvirt.VIR_CRED_AUTHNAME, libvirt.VIR_CRED_PASSPHRASE]
        return libvirt.openAuth(self.uri, [kinds, answer, None], 0)

    def close(self) -> None:
        """Close the connection (it is opened again when next needed)."""
        with self._lock:
            connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):  # a dead connection is closed already
                connection.close()

    def _guarded(self, work: Callable[[], Any]) -> Any:
        """Run ``work``; a libvirt error becomes an omnicloud error (secrets never in it)."""
        libvirt = _libvirt()
        try:
            return work()
        except libvirt.libvirtError as exc:
            raise _error(libvirt, exc, self.uri) from None

    # -- the host ------------------------------------------------------------------------------
    def host(self) -> HostFacts:
        """The hypervisor's name, type, architecture, CPUs, memory and domain types."""
        from .libvirt_xml import capabilities

        def read() -> HostFacts:
            conn = self._conn()
            info = conn.getInfo()
            arch, types = capabilities(conn.getCapabilities())
            return HostFacts(
                hostname=conn.getHostname(),
                hypervisor=conn.getType(),
                arch=arch or str(info[0]),
                cpus=int(info[2]),
                memory_mib=int(info[1]),
                domain_types=types,
            )

        result: HostFacts = self._guarded(read)
        return result

    def sysinfo(self) -> str:
        """The host's SMBIOS data as libvirt gives it (XML)."""
        result: str = self._guarded(lambda: self._conn().getSysinfo(0))
        return result

    # -- domains -------------------------------------------------------------------------------
    def domains(self) -> list[DomainFacts]:
        """Every domain, running or defined."""
        result: list[DomainFacts] = self._guarded(
            lambda: [self._facts(d) for d in self._conn().listAllDomains(0)]
        )
        return result

    def domain(self, uuid: str) -> DomainFacts:
        """The domain with ``uuid`` (LibvirtNotFoundError if there is none)."""
        result: DomainFacts = self._guarded(lambda: self._facts(self._find(uuid)))
        return result

    def define(self, xml: str, start: bool) -> DomainFacts:
        """Define a persistent domain from ``xml`` and start it when asked."""

        def run() -> DomainFacts:
            domain = self._conn().defineXML(xml)
            if start:
                try:
                    domain.create()
                except Exception:
                    domain.undefine()  # nothing half-made is left behind
                    raise
            return self._facts(domain)

        result: DomainFacts = self._guarded(run)
        return result

    def act(self, uuid: str, action: str) -> None:
        """One power action on a domain: create (start), shutdown, reboot, suspend, resume,
        destroy (power off)."""
        if action not in {"create", "shutdown", "reboot", "suspend", "resume", "destroy"}:
            raise ValidationError(f"unknown domain action {action!r}")

        def run() -> None:
            domain = self._find(uuid)
            if action == "reboot":
                domain.reboot(0)
            else:
                getattr(domain, action)()

        self._guarded(run)

    def remove(self, uuid: str, delete_created_disks: bool) -> None:
        """Power a domain off (if running) and undefine it; with ``delete_created_disks`` also
        delete the volumes omnicloud created for it (recorded in its metadata), nothing else."""
        libvirt = _libvirt()

        def run() -> None:
            domain = self._find(uuid)
            paths = created_disks(domain.XMLDesc(0)) if delete_created_disks else ()
            if domain.isActive():
                domain.destroy()
            if domain.isPersistent():
                flags = (
                    libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
                    | libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
                )
                domain.undefineFlags(flags)
            for path in paths:
                volume = self._volume_at(path)
                if volume is not None:
                    volume.delete(0)

        self._guarded(run)

    def _find(self, uuid: str) -> Any:
        # a lookup of a missing UUID makes libvirt print to stderr: search the list instead
        for domain in self._conn().listAllDomains(0):
            if domain.UUIDString() == uuid:
                return domain
        raise LibvirtNotFoundError(f"libvirt: no domain {uuid!r} on {self.uri}")

    def _facts(self, domain: Any) -> DomainFacts:
        state, max_memory, memory, vcpus, cpu_time = domain.info()
        xml = domain.XMLDesc(0)
        return DomainFacts(
            uuid=domain.UUIDString(),
            name=domain.name(),
            state=int(state),
            max_memory_kib=int(max_memory),
            memory_kib=int(memory),
            vcpus=int(vcpus),
            cpu_time_ns=int(cpu_time),
            os_type=domain.OSType(),
            hypervisor=self._conn().getType(),
            persistent=bool(domain.isPersistent()),
            addresses=self._addresses(domain) if domain.isActive() else (),
            macs=domain_macs(xml),
            disks=domain_disks(xml),
            created_disks=created_disks(xml),
        )

    def _addresses(self, domain: Any) -> tuple[str, ...]:
        libvirt = _libvirt()
        try:
            found = domain.interfaceAddresses(libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, 0)
        except libvirt.libvirtError:
            return ()  # no DHCP leases known for this domain's networks
        return tuple(
            str(entry["addr"])
            for interface in (found or {}).values()
            for entry in interface.get("addrs") or ()
            if entry.get("addr")
        )

    # -- storage -------------------------------------------------------------------------------
    def volumes(self) -> list[VolumeFacts]:
        """The volumes of every active storage pool."""

        def run() -> list[VolumeFacts]:
            out: list[VolumeFacts] = []
            for pool in self._conn().listAllStoragePools(0):
                if pool.isActive():
                    out.extend(self._volume_facts(v, pool.name()) for v in pool.listAllVolumes(0))
            return out

        result: list[VolumeFacts] = self._guarded(run)
        return result

    def create_volume(
        self, pool: str | None, volume_xml: str, clone_of: str | None = None
    ) -> VolumeFacts:
        """Create a volume from ``volume_xml`` in ``pool`` (the first active pool when None)."""

        def run() -> VolumeFacts:
            target = self._pool(pool)
            volume = target.createXML(volume_xml, 0)
            return self._volume_facts(volume, target.name())

        result: VolumeFacts = self._guarded(run)
        return result

    def delete_volume(self, path: str) -> None:
        """Delete the volume at ``path`` (refused while a domain uses it)."""

        def run() -> None:
            users = [
                d.name()
                for d in self._conn().listAllDomains(0)
                if any(disk.path == path for disk in domain_disks(d.XMLDesc(0)))
            ]
            if users:
                raise LibvirtError(f"libvirt: volume {path!r} is in use by {', '.join(users)}")
            volume = self._volume_at(path)
            if volume is None:
                raise LibvirtNotFoundError(f"libvirt: no volume {path!r} on {self.uri}")
            volume.delete(0)

        self._guarded(run)

    def attach(self, uuid: str, path: str, target: str | None) -> str:
        """Attach the volume at ``path`` to a domain as a virtio disk; the device name used.

        Running domains get it live and in their configuration; a stopped domain, or a
        hypervisor without live attachment, gets it in its definition (from its next start).
        """
        libvirt = _libvirt()

        def run() -> str:
            domain = self._find(uuid)
            if self._volume_at(path) is None:
                raise LibvirtNotFoundError(f"libvirt: no volume {path!r} on {self.uri}")
            xml = domain.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
            disk_xml, updated, device = add_disk(xml, path, target)
            self._change_disks(domain, "attachDeviceFlags", disk_xml, updated)
            return device

        result: str = self._guarded(run)
        return result

    def detach(self, path: str) -> bool:
        """Detach the volume at ``path`` from the domain using it; False if none does."""
        libvirt = _libvirt()

        def run() -> bool:
            for domain in self._conn().listAllDomains(0):
                xml = domain.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
                removed = remove_disk(xml, path)
                if removed is None:
                    continue
                self._change_disks(domain, "detachDeviceFlags", *removed)
                return True
            return False

        result: bool = self._guarded(run)
        return result

    def _change_disks(self, domain: Any, method: str, disk_xml: str, updated: str) -> None:
        """Apply a disk change: a stopped domain is redefined with ``updated`` (its next start
        sees it); a running one changes live and in its configuration through libvirt's device
        API (NotSupportedError where the hypervisor has none: stop the node first)."""
        libvirt = _libvirt()
        if not domain.isActive():
            self._conn().defineXML(updated)
            return
        flags = libvirt.VIR_DOMAIN_AFFECT_CONFIG | libvirt.VIR_DOMAIN_AFFECT_LIVE
        try:
            getattr(domain, method)(disk_xml, flags)
        except libvirt.libvirtError as exc:
            if exc.get_error_code() != libvirt.VIR_ERR_NO_SUPPORT:
                raise
            raise NotSupportedError(
                f"{self.uri}: this hypervisor cannot change a running domain's disks; "
                "stop the node first"
            ) from None

    def _pool(self, name: str | None) -> Any:
        pools = [p for p in self._conn().listAllStoragePools(0) if p.isActive()]
        for pool in pools:
            if name is None or pool.name() == name:
                return pool
        wanted = f"storage pool {name!r}" if name else "active storage pool"
        raise LibvirtNotFoundError(f"libvirt: no {wanted} on {self.uri}")

    def _volume_at(self, path: str) -> Any:
        for pool in self._conn().listAllStoragePools(0):
            if not pool.isActive():
                continue
            for volume in pool.listAllVolumes(0):
                if volume.path() == path:
                    return volume
        return None

    @staticmethod
    def _volume_facts(volume: Any, pool: str) -> VolumeFacts:
        from .libvirt_xml import volume_format

        _kind, capacity, allocation = volume.info()
        return VolumeFacts(
            path=volume.path(),
            name=volume.name(),
            pool=pool,
            capacity=int(capacity),
            allocation=int(allocation),
            format=volume_format(volume.XMLDesc(0)),
        )


def _error(libvirt: Any, exc: Any, uri: str) -> Exception:
    code = exc.get_error_code()
    message = f"libvirt ({uri}): {exc.get_error_message() or exc}"
    if code in (libvirt.VIR_ERR_NO_DOMAIN, libvirt.VIR_ERR_NO_STORAGE_VOL,
                libvirt.VIR_ERR_NO_STORAGE_POOL, libvirt.VIR_ERR_NO_NETWORK):  # fmt: skip
        return LibvirtNotFoundError(message, code=code, provider="libvirt")
    if code == libvirt.VIR_ERR_NO_SUPPORT:
        return NotSupportedError(message)
    if code in (libvirt.VIR_ERR_AUTH_FAILED, libvirt.VIR_ERR_AUTH_CANCELLED):
        return InvalidCredentialsError(message, code=code, provider="libvirt")
    return LibvirtError(message, code=code, provider="libvirt")
