"""Persistent disks as volumes (create, list lazily across zones, attach, detach, delete) and
their snapshots."""

from __future__ import annotations

from typing import Any

from omnicloud._collect import mapped
from omnicloud.compute._models import Node, NodeImage, NodeLocation, StorageVolume, VolumeSnapshot
from omnicloud.compute._shell import Items, listing, operation
from omnicloud.errors import ValidationError
from omnicloud.gcp._compute import last_segment

from .gce_base import check_name, name_of, segment, size_gb
from .gce_convert import SNAPSHOT, VOLUME
from .gce_nodes import GCENodes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["GCEStorage"]


class GCEStorage(GCENodes):
    """Persistent disks and snapshots."""

    def _disk_path(self, volume: Any) -> str:
        name = name_of(volume, "volume")
        zone = self._zone_of((getattr(volume, "extra", None) or {}).get("zone"), "a disk")
        return f"zones/{segment(zone)}/disks/{segment(name)}"

    def _disk_pages(self, ex_zone: Any) -> Flow[None]:
        if ex_zone is None or ex_zone == "all":
            return self._aggregated("disks")
        return self._pages(f"zones/{segment(name_of(ex_zone, 'zone'))}/disks")

    @listing
    def iterate_volumes(self, ex_zone: Any = None) -> Items[StorageVolume]:
        """Disks lazily, of every zone or of ``ex_zone``."""
        return Items(mapped(self._disk_pages(ex_zone), VOLUME.bind(driver=self)))

    @operation
    def list_volumes(self, ex_zone: Any = None) -> Flow[list[StorageVolume]]:
        """Every persistent disk (``ex_zone``: one zone's only)."""
        volumes: list[StorageVolume] = yield from self._all(
            self._disk_pages(ex_zone), VOLUME.bind(driver=self)
        )
        return volumes

    @operation
    def ex_get_volume(self, name: str, zone: Any = None) -> Flow[StorageVolume]:
        """One disk by name in ``zone`` (default: the driver's)."""
        where = self._zone_of(zone, "ex_get_volume")
        doc = yield from self._get(f"zones/{segment(where)}/disks/{segment(name_of(name))}")
        return VOLUME(doc, driver=self)

    @operation
    def create_volume(
        self,
        size: int | None,
        name: str,
        location: NodeLocation | str | None = None,
        snapshot: VolumeSnapshot | str | None = None,
        image: NodeImage | str | None = None,
        ex_disk_type: str = "pd-standard",
        ex_labels: dict[str, str] | None = None,
        ex_description: str | None = None,
    ) -> Flow[StorageVolume]:
        """Create a disk of ``size`` GB (empty, or from ``snapshot`` or ``image``) and wait
        for the zone operation."""
        check_name(name, "disk name")
        zone = self._zone_of(location, "create_volume")
        body: dict[str, Any] = {
            "name": name,
            "type": f"zones/{zone}/diskTypes/{name_of(ex_disk_type, 'disk type')}",
        }
        if size is not None:
            body["sizeGb"] = size_gb(size)
        if snapshot is not None:
            body["sourceSnapshot"] = f"global/snapshots/{name_of(snapshot, 'snapshot')}"
        query: dict[str, Any] = {}
        if image is not None:
            found = image if isinstance(image, NodeImage) and image.extra.get("project") else None
            if found is None:
                found = yield from type(self).ex_get_image(self, name_of(image, "image"))
            project = found.extra.get("project") or self.project
            query["sourceImage"] = f"projects/{project}/global/images/{found.name}"
        if ex_labels:
            body["labels"] = dict(ex_labels)
        if ex_description:
            body["description"] = ex_description
        yield from self._act(
            "POST", f"zones/{segment(zone)}/disks", body, query=query, what=f"create disk {name}"
        )
        doc = yield from self._get(f"zones/{segment(zone)}/disks/{segment(name)}")
        return VOLUME(doc, driver=self)

    @operation
    def attach_volume(
        self,
        node: Node,
        volume: StorageVolume,
        device: str | None = None,
        ex_mode: str = "READ_WRITE",
        ex_boot: bool = False,
        ex_auto_delete: bool = False,
    ) -> Flow[bool]:
        """Attach the disk to the instance (``device``: its device name, default the disk's
        name) and wait for the operation."""
        node_path = self._node_path(node)
        body = {
            "source": f"projects/{self.project}/{self._disk_path(volume)}",
            "deviceName": device or name_of(volume, "volume"),
            "mode": ex_mode,
            "boot": ex_boot,
            "autoDelete": ex_auto_delete,
            "type": "PERSISTENT",
        }
        yield from self._act(
            "POST", f"{node_path}/attachDisk", body, what=f"attach disk {volume.name}"
        )
        return True

    @operation
    def detach_volume(self, volume: StorageVolume, ex_node: Node | None = None) -> Flow[bool]:
        """Detach the disk from ``ex_node`` (default: the instance using it) and wait."""
        disk_path = self._disk_path(volume)
        disk = yield from self._get(disk_path)
        users = [str(u) for u in disk.get("users") or []]
        if ex_node is not None:
            node_path = self._node_path(ex_node)
        elif users:
            node_path = users[0]
        else:
            raise ValidationError(f"disk {volume.name!r} is not attached to any instance")
        instance = yield from self._get(node_path)
        wanted = last_segment(disk.get("selfLink") or disk_path)
        device = next(
            (
                str(d.get("deviceName"))
                for d in instance.get("disks") or []
                if last_segment(d.get("source")) == wanted
            ),
            None,
        )
        if device is None:
            raise ValidationError(
                f"disk {volume.name!r} is not attached to {last_segment(node_path)!r}"
            )
        yield from self._act(
            "POST", f"{node_path}/detachDisk", query={"deviceName": device},
            what=f"detach disk {volume.name}",
        )  # fmt: skip
        return True

    @operation
    def destroy_volume(self, volume: StorageVolume) -> Flow[bool]:
        """Delete the disk and wait for the operation."""
        yield from self._act("DELETE", self._disk_path(volume), what=f"delete disk {volume.name}")
        return True

    # -- snapshots ----------------------------------------------------------------------------
    @operation
    def create_volume_snapshot(
        self, volume: StorageVolume, name: str | None = None
    ) -> Flow[VolumeSnapshot]:
        """Snapshot the disk (``name`` default: ``<disk>-snapshot-<n>``) and wait."""
        if name is None:
            import time

            name = f"{name_of(volume, 'volume')}-snap-{int(time.time())}"[:63]
        check_name(name, "snapshot name")
        yield from self._act(
            "POST", f"{self._disk_path(volume)}/createSnapshot", {"name": name},
            what=f"snapshot disk {volume.name}",
        )  # fmt: skip
        doc = yield from self._get(f"global/snapshots/{segment(name)}")
        return SNAPSHOT(doc, driver=self)

    @operation
    def ex_list_snapshots(self) -> Flow[list[VolumeSnapshot]]:
        """Every snapshot of the project."""
        snapshots: list[VolumeSnapshot] = yield from self._all(
            self._pages("global/snapshots"), SNAPSHOT.bind(driver=self)
        )
        return snapshots

    @operation
    def list_volume_snapshots(self, volume: StorageVolume) -> Flow[list[VolumeSnapshot]]:
        """Snapshots taken of ``volume``."""
        every: list[VolumeSnapshot] = yield from type(self).ex_list_snapshots(self)
        name = name_of(volume, "volume")
        return [
            s
            for s in every
            if (volume.id and s.extra.get("sourceDiskId") == volume.id)
            or s.extra.get("source_disk") == name
        ]

    @operation
    def destroy_volume_snapshot(self, snapshot: VolumeSnapshot) -> Flow[bool]:
        """Delete the snapshot and wait for the global operation."""
        name = name_of(snapshot.name or snapshot.id, "snapshot")
        yield from self._act(
            "DELETE", f"global/snapshots/{segment(name)}", what=f"delete snapshot {name}"
        )
        return True
