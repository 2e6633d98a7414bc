"""Managed disks as volumes (create, list, attach as a data disk at a LUN, detach, destroy) and
their snapshots."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from omnicloud._collect import collect
from omnicloud.compute._models import Node, NodeLocation, StorageVolume, VolumeSnapshot
from omnicloud.compute._shell import operation
from omnicloud.errors import ValidationError

from .azure_arm_base import AzureBase, parse_resource_id
from .azure_arm_convert import to_snapshot, to_volume

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["AzureStorage"]

_DISK = ("Microsoft.Compute", "disks")
_SNAPSHOT = ("Microsoft.Compute", "snapshots")
_VM = ("Microsoft.Compute", "virtualMachines")
#: VM properties Azure computes; a PUT of the VM document leaves them out.
_READ_ONLY = ("instanceView", "provisioningState", "vmId", "timeCreated")


def _same(a: Any, b: Any) -> bool:
    return bool(a) and bool(b) and str(a).lower() == str(b).lower()


class AzureStorage(AzureBase):
    """Managed disks and snapshots."""

    # -- volumes ------------------------------------------------------------------------------
    @operation
    def list_volumes(self, ex_resource_group: str | None = None) -> Flow[list[StorageVolume]]:
        """Every managed disk of the subscription (or of ``ex_resource_group``)."""
        path = self._scope(*_DISK, ex_resource_group)
        found: list[StorageVolume] = yield from collect(
            self._pages(path, "disks", "list disks"), lambda d: to_volume(d, self)
        )
        return found

    @operation
    def ex_get_volume(
        self, volume_id: str, ex_resource_group: str | None = None
    ) -> Flow[StorageVolume]:
        """One managed disk by resource id or name (NotFoundError if absent)."""
        doc = yield from self._get(
            self._ref(volume_id, *_DISK, ex_resource_group), "disks", "get disk"
        )
        return to_volume(doc, self)

    @operation
    def create_volume(
        self,
        size: int,
        name: str,
        location: NodeLocation | str | None = None,
        snapshot: VolumeSnapshot | None = None,
        ex_resource_group: str | None = None,
        ex_sku_name: str = "Standard_LRS",
        ex_tags: Mapping[str, str] | None = None,
        ex_zone: str | None = None,
    ) -> Flow[StorageVolume]:
        """Create an empty managed disk of ``size`` GB (or a copy of ``snapshot``)."""
        if not isinstance(size, int) or size < 1:
            raise ValidationError("create_volume: size must be a positive number of GB")
        where = self._location(location)
        creation: dict[str, Any] = {"createOption": "Empty"}
        if snapshot is not None:
            creation = {"createOption": "Copy", "sourceResourceId": snapshot.id}
        body: dict[str, Any] = {
            "location": where,
            "tags": dict(ex_tags or {}),
            "sku": {"name": ex_sku_name},
            "properties": {"creationData": creation, "diskSizeGB": size},
        }
        if ex_zone:
            body["zones"] = [ex_zone]
        path = self._path(*_DISK, name, ex_resource_group)
        doc = yield from self._call("PUT", path, "disks", f"create disk {name}", body)
        return to_volume(doc or {}, self)

    @operation
    def destroy_volume(self, volume: StorageVolume) -> Flow[bool]:
        """Delete a managed disk (it must be detached)."""
        yield from self._call("DELETE", self._ref(volume, *_DISK, None), "disks", "delete disk")
        return True

    def _vm_document(self, vm_path: str) -> Flow[dict[str, Any]]:
        doc = yield from self._get(vm_path, "compute", "get virtual machine")
        doc = dict(doc or {})
        props = {k: v for k, v in (doc.get("properties") or {}).items() if k not in _READ_ONLY}
        return {k: v for k, v in {**doc, "properties": props}.items() if k != "resources"}

    @operation
    def attach_volume(
        self,
        node: Node,
        volume: StorageVolume,
        device: str | None = None,
        ex_lun: int | None = None,
    ) -> Flow[bool]:
        """Attach ``volume`` as a data disk of ``node`` at ``ex_lun`` (default: the lowest free
        LUN). ``device`` has no meaning on Azure and is ignored."""
        vm_path = self._ref(node, *_VM, None)
        disk_id = self._ref(volume, *_DISK, None)
        doc = yield from self._vm_document(vm_path)
        storage = dict(doc["properties"].get("storageProfile") or {})
        disks = [dict(d) for d in storage.get("dataDisks") or []]
        used = {int(d.get("lun", -1)) for d in disks}
        if ex_lun is None:
            ex_lun = next(lun for lun in range(len(used) + 1) if lun not in used)
        elif ex_lun in used:
            raise ValidationError(f"attach_volume: LUN {ex_lun} is in use on {node.name}")
        disks.append({"lun": ex_lun, "createOption": "Attach", "managedDisk": {"id": disk_id}})
        storage["dataDisks"] = disks
        doc["properties"]["storageProfile"] = storage
        yield from self._call("PUT", vm_path, "compute", "attach disk", doc)
        return True

    @operation
    def detach_volume(self, volume: StorageVolume, ex_node: Node | None = None) -> Flow[bool]:
        """Detach ``volume`` from the VM that holds it (its ``managedBy``)."""
        disk_path = self._ref(volume, *_DISK, None)
        if ex_node is not None:
            vm_path = self._ref(ex_node, *_VM, None)
        else:
            disk = yield from self._get(disk_path, "disks", "get disk")
            owner = (disk or {}).get("managedBy")
            if not owner or parse_resource_id(str(owner)) is None:
                raise ValidationError(f"detach_volume: {volume.name} is not attached")
            vm_path = str(owner)
        doc = yield from self._vm_document(vm_path)
        storage = dict(doc["properties"].get("storageProfile") or {})
        disks = [dict(d) for d in storage.get("dataDisks") or []]
        kept = [d for d in disks if not _same((d.get("managedDisk") or {}).get("id"), disk_path)]
        if len(kept) == len(disks):
            raise ValidationError(f"detach_volume: {volume.name} is not attached to {vm_path}")
        storage["dataDisks"] = kept
        doc["properties"]["storageProfile"] = storage
        yield from self._call("PUT", vm_path, "compute", "detach disk", doc)
        return True

    # -- snapshots ----------------------------------------------------------------------------
    @operation
    def create_volume_snapshot(
        self,
        volume: StorageVolume,
        name: str | None = None,
        ex_resource_group: str | None = None,
        ex_tags: Mapping[str, str] | None = None,
    ) -> Flow[VolumeSnapshot]:
        """Snapshot a managed disk (into the disk's resource group unless told otherwise)."""
        disk_path = self._ref(volume, *_DISK, None)
        disk = yield from self._get(disk_path, "disks", "get disk")
        parts = parse_resource_id(disk_path) or {}
        group = ex_resource_group or parts.get("rg") or None
        title = name or f"{volume.name}-snapshot"
        body = {
            "location": (disk or {}).get("location") or self._location(None),
            "tags": dict(ex_tags or {}),
            "properties": {"creationData": {"createOption": "Copy", "sourceResourceId": disk_path}},
        }
        path = self._path(*_SNAPSHOT, title, group)
        doc = yield from self._call("PUT", path, "disks", f"create snapshot {title}", body)
        return to_snapshot(doc or {}, self)

    @operation
    def list_volume_snapshots(self, volume: StorageVolume) -> Flow[list[VolumeSnapshot]]:
        """The snapshots (anywhere in the subscription) taken of ``volume``."""
        disk_path = self._ref(volume, *_DISK, None)
        found: list[VolumeSnapshot] = yield from type(self).ex_list_snapshots(self)
        return [s for s in found if _same(s.extra.get("source_id"), disk_path)]

    @operation
    def ex_list_snapshots(self, ex_resource_group: str | None = None) -> Flow[list[VolumeSnapshot]]:
        """Every snapshot of the subscription (or of ``ex_resource_group``)."""
        path = self._scope(*_SNAPSHOT, ex_resource_group)
        found: list[VolumeSnapshot] = yield from collect(
            self._pages(path, "disks", "list snapshots"), lambda d: to_snapshot(d, self)
        )
        return found

    @operation
    def destroy_volume_snapshot(self, snapshot: VolumeSnapshot) -> Flow[bool]:
        """Delete a snapshot."""
        path = self._ref(snapshot, *_SNAPSHOT, None)
        yield from self._call("DELETE", path, "disks", "delete snapshot")
        return True
