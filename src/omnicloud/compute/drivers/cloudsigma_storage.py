"""CloudSigma drives: library and user drives, images, create/clone/resize/attach/detach/destroy."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from omnicloud.compute._models import Node, NodeImage, NodeLocation, StorageVolume, VolumeSnapshot
from omnicloud.compute._shell import operation
from omnicloud.errors import NotFoundError, ValidationError

from .cloudsigma_base import CloudSigmaBase, ident
from .cloudsigma_convert import DRIVE, VOLUME
from .cloudsigma_models import GIB, CloudSigmaDrive

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["CloudSigmaStorage"]

_MAX_VIRTIO = (1024 // 6 + 1, 6)


def _free_channel(drives: Sequence[Any], device: str) -> str:
    used = {d.get("dev_channel") for d in drives if d.get("device") == device}
    controllers, units = (2, 2) if device == "ide" else _MAX_VIRTIO
    for controller in range(controllers):
        for unit in range(units):
            channel = f"{controller}:{unit}"
            if channel not in used:
                return channel
    raise ValidationError(f"no free {device} channel left on this server")


def _gb(size: float, what: str = "size") -> int:
    if size <= 0:
        raise ValidationError(f"{what} must be a positive number of GB")
    return int(size * GIB)


class CloudSigmaStorage(CloudSigmaBase):
    """Drive operations."""

    @operation
    def list_images(self, location: NodeLocation | None = None) -> Flow[list[NodeImage]]:
        """Pre-installed library drives (clone-ready operating systems)."""

        def image(doc: Any) -> NodeImage:
            return DRIVE(doc, driver=self)

        drives: list[NodeImage] = yield from self._all(
            "libdrives", image, {"image_type": "preinst"}
        )
        return drives

    @operation
    def get_image(self, image_id: str) -> Flow[NodeImage]:
        """One library drive."""
        doc = yield from self._get(f"libdrives/{ident(image_id)}")
        return DRIVE(doc, driver=self)

    @operation
    def ex_list_library_drives(self) -> Flow[list[CloudSigmaDrive]]:
        """Every library drive: pre-installed images, installation and live CDs."""
        drives: list[CloudSigmaDrive] = yield from self._all("libdrives", DRIVE.bind(driver=self))
        return drives

    @operation
    def ex_list_user_drives(self) -> Flow[list[CloudSigmaDrive]]:
        """The account's own drives."""
        drives: list[CloudSigmaDrive] = yield from self._all(
            "drives/detail", DRIVE.bind(driver=self)
        )
        return drives

    @operation
    def list_volumes(self) -> Flow[list[StorageVolume]]:
        """The account's drives as volumes."""
        volumes: list[StorageVolume] = yield from self._all(
            "drives/detail", VOLUME.bind(driver=self)
        )
        return volumes

    @operation
    def ex_get_drive(self, drive_id: str) -> Flow[CloudSigmaDrive]:
        """One drive (user or library)."""
        doc = yield from self._get(f"drives/{ident(drive_id)}")
        return DRIVE(doc, driver=self)

    @operation
    def ex_create_drive(
        self,
        name: str,
        size: float,
        media: str = "disk",
        ex_avoid: Sequence[Any] | None = None,
        ex_storage_type: str | None = None,
        ex_wait: bool = True,
    ) -> Flow[CloudSigmaDrive]:
        """Create an empty drive of ``size`` GB (waits until it is ready unless ``ex_wait``)."""
        if media not in ("disk", "cdrom"):
            raise ValidationError("media must be 'disk' or 'cdrom'")
        body = {"name": name, "size": _gb(size), "media": media}
        if ex_storage_type:
            body["storage_type"] = ex_storage_type
        params = {"avoid": [ident(a) for a in ex_avoid]} if ex_avoid else {}
        doc = yield from self._create("drives", [body], **params)
        if ex_wait:
            doc = yield from self._wait(f"drives/{doc['uuid']}", "unmounted")
        return DRIVE(doc, driver=self)

    @operation
    def create_volume(
        self,
        size: int,
        name: str,
        location: NodeLocation | None = None,
        snapshot: VolumeSnapshot | None = None,
        ex_media: str = "disk",
        ex_avoid: Sequence[Any] | None = None,
    ) -> Flow[StorageVolume]:
        """Create a drive of ``size`` GB as a volume."""
        if snapshot is not None:
            raise ValidationError("CloudSigma volumes cannot be created from a snapshot here")
        drive = yield from type(self).ex_create_drive(self, name, size, ex_media, ex_avoid)
        doc = yield from self._get(f"drives/{drive.id}")
        return VOLUME(doc, driver=self)

    @operation
    def ex_clone_drive(
        self,
        drive: Any,
        name: str | None = None,
        ex_avoid: Sequence[Any] | None = None,
        ex_wait: bool = True,
    ) -> Flow[CloudSigmaDrive]:
        """Clone a drive (user or library); waits for the copy unless ``ex_wait`` is false."""
        body = {"name": name} if name else {}
        params = {"avoid": [ident(a) for a in ex_avoid]} if ex_avoid else {}
        result = yield from self._action(f"drives/{ident(drive)}", "clone", body, **params)
        doc = (result.get("objects") or [result])[0]
        if ex_wait:
            doc = yield from self._wait(f"drives/{doc['uuid']}", "unmounted")
        return DRIVE(doc, driver=self)

    @operation
    def ex_resize_drive(
        self, drive: Any, size: float, ex_wait: bool = True
    ) -> Flow[CloudSigmaDrive]:
        """Grow an unmounted drive to ``size`` GB (sends the full definition, as required)."""
        path = f"drives/{ident(drive)}"
        current = yield from self._get(path)
        body = {k: v for k, v in current.items() if k not in ("status", "mounted_on", "jobs")}
        result = yield from self._action(path, "resize", {**body, "size": _gb(size)})
        doc = (result.get("objects") or [result])[0]
        if ex_wait:
            doc = yield from self._wait(path, "unmounted")
        return DRIVE(doc, driver=self)

    @operation
    def ex_wait_for_drive(
        self, drive: Any, status: str = "unmounted", timeout: float | None = None
    ) -> Flow[CloudSigmaDrive]:
        """Wait until the drive's status is ``status``."""
        doc = yield from self._wait(f"drives/{ident(drive)}", status, timeout)
        return DRIVE(doc, driver=self)

    @operation
    def ex_attach_drive(self, node: Node, drive: Any, device: str | None = None) -> Flow[bool]:
        """Attach a drive to a stopped server on the next free channel (CDs on ``ide``)."""
        path = f"servers/{ident(node)}"
        server = yield from self._get(path)
        media = getattr(drive, "media", None)
        if media is None:
            media = (yield from self._get(f"drives/{ident(drive)}")).get("media")
        chosen = device or ("ide" if media == "cdrom" else "virtio")
        drives = [
            {
                **d,
                "drive": ident(d["drive"]["uuid"] if isinstance(d["drive"], dict) else d["drive"]),
            }
            for d in server.get("drives") or []
        ]
        drives.append(
            {
                "drive": ident(drive),
                "device": chosen,
                "dev_channel": _free_channel(drives, chosen),
                "boot_order": None,
            }
        )
        yield from self._send("PUT", path, {**server, "drives": drives})
        return True

    @operation
    def attach_volume(
        self, node: Node, volume: StorageVolume, device: str | None = None
    ) -> Flow[bool]:
        """Attach ``volume`` to ``node`` (``device``: virtio, ide or scsi)."""
        result: bool = yield from type(self).ex_attach_drive(self, node, volume, device)
        return result

    @operation
    def ex_detach_drive(self, node: Node, drive: Any) -> Flow[bool]:
        """Detach a drive from a stopped server."""
        path = f"servers/{ident(node)}"
        server = yield from self._get(path)
        target = ident(drive)
        drives = [d for d in server.get("drives") or [] if d["drive"]["uuid"] != target]
        if len(drives) == len(server.get("drives") or []):
            raise NotFoundError(f"drive {target} is not attached to server {ident(node)}")
        yield from self._send("PUT", path, {**server, "drives": drives})
        return True

    @operation
    def detach_volume(self, volume: StorageVolume) -> Flow[bool]:
        """Detach ``volume`` from the server it is mounted on."""
        doc = yield from self._get(f"drives/{ident(volume)}")
        servers = [ref["uuid"] for ref in doc.get("mounted_on") or []]
        if not servers:
            raise NotFoundError(f"drive {ident(volume)} is not attached to any server")
        for server in servers:
            yield from type(self).ex_detach_drive(self, server, volume)
        return True

    @operation
    def ex_destroy_drive(self, drive: Any) -> Flow[bool]:
        """Delete a drive (it must not be mounted)."""
        yield from self._send("DELETE", f"drives/{ident(drive)}")
        return True

    @operation
    def destroy_volume(self, volume: StorageVolume) -> Flow[bool]:
        """Delete ``volume``."""
        result: bool = yield from type(self).ex_destroy_drive(self, volume)
        return result

    @operation
    def ex_list_drives_availability_groups(self) -> Flow[list[list[str]]]:
        """Groups of drive UUIDs that share a storage host."""
        groups = yield from self._get("drives/availability_groups")
        return [list(g) for g in groups or []]
