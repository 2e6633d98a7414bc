"""libvirt's XML documents: read domains, volumes and capabilities; build new ones.

Documents are read with defusedxml (a remote hypervisor's answer is not trusted) and built with
ElementTree, so a name or path is always escaped, never pasted into markup.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from omnicloud.errors import MalformedResponseError, ValidationError

__all__ = [
    "CREATED_DISKS_NS",
    "DiskFacts",
    "DomainSpec",
    "add_disk",
    "capabilities",
    "check_name",
    "created_disks",
    "domain_disks",
    "domain_macs",
    "domain_xml",
    "remove_disk",
    "sysinfo_sections",
    "volume_format",
    "volume_xml",
]

#: The namespace of the ``<metadata>`` entry listing the disks omnicloud created for a domain.
CREATED_DISKS_NS = "https://omnicloud.dev/xmlns/libvirt/1"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")


@dataclass(frozen=True, slots=True)
class DiskFacts:
    """One disk of a domain: its source path (None for an empty drive), target and device."""

    path: str | None
    target: str | None
    device: str


@dataclass(frozen=True, slots=True)
class DomainSpec:
    """What :func:`domain_xml` builds a domain from."""

    name: str
    domain_type: str
    arch: str
    memory_mib: int
    vcpus: int
    disk_path: str
    disk_format: str
    network: str | None
    created_disks: Sequence[str] = ()


def check_name(name: str, what: str = "node") -> str:
    """``name`` if it is a safe libvirt name (letters, digits, ``.``, ``_``, ``-``; at most 63
    characters; no path separators or leading dot), else a ValidationError."""
    if not isinstance(name, str) or not _NAME.fullmatch(name) or ".." in name:
        raise ValidationError(
            f"a libvirt {what} name is 1 to 63 letters, digits, '.', '_' or '-' "
            f"(starting with a letter or digit, no '..'), got {name!r}"
        )
    return name


def _parse(document: str) -> Any:
    from defusedxml import ElementTree

    try:
        return ElementTree.fromstring(document)
    except Exception as exc:  # ParseError and defusedxml's refusals
        kind = type(exc).__name__
        raise MalformedResponseError(f"libvirt answered with bad XML ({kind})") from None


def domain_disks(document: str) -> tuple[DiskFacts, ...]:
    """The disks of a domain document."""
    root = _parse(document)
    out = []
    for disk in root.findall("./devices/disk"):
        source = disk.find("source")
        target = disk.find("target")
        path = None
        if source is not None:
            path = source.get("file") or source.get("dev") or source.get("volume")
        out.append(
            DiskFacts(
                path=path,
                target=target.get("dev") if target is not None else None,
                device=disk.get("device", "disk"),
            )
        )
    return tuple(out)


def domain_macs(document: str) -> tuple[str, ...]:
    """The MAC addresses of a domain's network interfaces."""
    root = _parse(document)
    return tuple(
        mac.get("address", "")
        for mac in root.findall("./devices/interface/mac")
        if mac.get("address")
    )


def created_disks(document: str) -> tuple[str, ...]:
    """The volume paths omnicloud created for this domain (from its metadata)."""
    root = _parse(document)
    found = root.findall(f"./metadata/{{{CREATED_DISKS_NS}}}created/{{{CREATED_DISKS_NS}}}disk")
    return tuple(disk.get("path", "") for disk in found if disk.get("path"))


def capabilities(document: str) -> tuple[str, tuple[str, ...]]:
    """The host CPU architecture and the domain types its hypervisor offers (``kvm`` first)."""
    root = _parse(document)
    arch = root.findtext("./host/cpu/arch") or ""
    types = {d.get("type", "") for d in root.findall("./guest/arch/domain")} - {""}
    ordered = sorted(types, key=lambda t: (t != "kvm", t))
    return arch, tuple(ordered)


def volume_format(document: str) -> str | None:
    """A volume document's format (``qcow2``, ``raw`` ...), when it says."""
    node = _parse(document).find("./target/format")
    return node.get("type") if node is not None else None


def volume_xml(
    name: str, capacity_bytes: int, fmt: str, backing: tuple[str, str | None] | None = None
) -> str:
    """A volume document; ``backing`` is ``(path, format)`` for a copy-on-write overlay."""
    volume = ET.Element("volume")
    ET.SubElement(volume, "name").text = name
    ET.SubElement(volume, "capacity", unit="bytes").text = str(int(capacity_bytes))
    target = ET.SubElement(volume, "target")
    ET.SubElement(target, "format", type=fmt)
    if backing is not None:
        store = ET.SubElement(volume, "backingStore")
        ET.SubElement(store, "path").text = backing[0]
        if backing[1]:
            ET.SubElement(store, "format", type=backing[1])
    return ET.tostring(volume, encoding="unicode")


def domain_xml(spec: DomainSpec) -> str:
    """A persistent domain booting from ``spec.disk_path`` (virtio disk and network)."""
    domain = ET.Element("domain", type=spec.domain_type)
    ET.SubElement(domain, "name").text = spec.name
    ET.SubElement(domain, "memory", unit="MiB").text = str(int(spec.memory_mib))
    ET.SubElement(domain, "vcpu").text = str(int(spec.vcpus))
    if spec.created_disks:
        metadata = ET.SubElement(domain, "metadata")
        created = ET.SubElement(metadata, f"{{{CREATED_DISKS_NS}}}created")
        for path in spec.created_disks:
            ET.SubElement(created, f"{{{CREATED_DISKS_NS}}}disk", path=path)
    os_element = ET.SubElement(domain, "os")
    ET.SubElement(os_element, "type", arch=spec.arch).text = "hvm"
    ET.SubElement(os_element, "boot", dev="hd")
    devices = ET.SubElement(domain, "devices")
    disk = ET.SubElement(devices, "disk", type="file", device="disk")
    ET.SubElement(disk, "driver", name="qemu", type=spec.disk_format)
    ET.SubElement(disk, "source", file=spec.disk_path)
    ET.SubElement(disk, "target", dev="vda", bus="virtio")
    if spec.network:
        interface = ET.SubElement(devices, "interface", type="network")
        ET.SubElement(interface, "source", network=spec.network)
        ET.SubElement(interface, "model", type="virtio")
    ET.SubElement(devices, "serial", type="pty")
    ET.SubElement(devices, "console", type="pty")
    return ET.tostring(domain, encoding="unicode")


def _disk_element(path: str, device: str) -> ET.Element:
    disk = ET.Element("disk", type="file", device="disk")
    ET.SubElement(disk, "source", file=path)
    ET.SubElement(disk, "target", dev=device, bus="virtio")
    return disk


def add_disk(document: str, path: str, target: str | None) -> tuple[str, str, str]:
    """``(disk XML, the domain document with it added, its device name)``; the device is
    ``target`` or the first free ``vdX``."""
    root = _parse(document)
    used = {d.get("dev") for d in root.findall("./devices/disk/target")}
    if target is None:
        target = next((f"vd{c}" for c in "bcdefghijklmnopqrstuvwxyz" if f"vd{c}" not in used), "")
        if not target:
            raise ValidationError("this node has no free virtio disk name left")
    elif not re.fullmatch(r"[a-z]{2,3}[a-z]{1,2}", target) or target in used:
        raise ValidationError(f"device {target!r} is not a free disk name such as vdb")
    if any(d.path == path for d in domain_disks(document)):
        raise ValidationError(f"volume {path!r} is already attached to this node")
    disk = _disk_element(path, target)
    devices = root.find("devices")
    if devices is None:
        devices = ET.SubElement(root, "devices")
    devices.append(disk)
    return ET.tostring(disk, encoding="unicode"), ET.tostring(root, encoding="unicode"), target


def remove_disk(document: str, path: str) -> tuple[str, str] | None:
    """``(disk XML, the domain document without it)`` for the disk whose source is ``path``,
    or None when the domain has no such disk."""
    root = _parse(document)
    devices = root.find("devices")
    if devices is None:
        return None
    for disk in devices.findall("disk"):
        source = disk.find("source")
        if source is not None and path in (source.get("file"), source.get("dev")):
            devices.remove(disk)
            return ET.tostring(disk, encoding="unicode"), ET.tostring(root, encoding="unicode")
    return None


def sysinfo_sections(document: str) -> dict[str, dict[str, str]]:
    """An SMBIOS ``<sysinfo>`` document as ``{section: {entry name: value}}``."""
    root = _parse(document)
    out: dict[str, dict[str, str]] = {}
    for section in root:
        entries = {e.get("name", ""): (e.text or "").strip() for e in section.iter("entry")}
        if entries:
            out.setdefault(section.tag, {}).update(entries)
    return out
