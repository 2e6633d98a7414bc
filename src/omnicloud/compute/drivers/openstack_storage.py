"""Cinder volumes and snapshots; attaching through Nova's ``os-volume_attachments``.

Cinder's volumes pass through short states (``creating``, ``attaching``, ``detaching``,
``deleting``); with ``ex_wait=True`` (the default) each operation returns once the volume has
settled, so the next one is accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from omnicloud._poll import PollStatus
from omnicloud.compute._models import Node, NodeLocation, StorageVolume, VolumeSnapshot
from omnicloud.compute._shell import operation
from omnicloud.errors import NotFoundError, ProviderError

from .openstack_base import OpenStackBase, ident
from .openstack_convert import SNAPSHOT, VOLUME

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["OpenStackStorage"]

_FAILED = {"error", "error_deleting", "error_extending", "error_restoring"}


class OpenStackStorage(OpenStackBase):
    """Volumes and snapshots."""

    def _volume_doc(self, volume_id: str) -> Flow[dict[str, Any]]:
        doc = yield from self._get("volume", f"/volumes/{volume_id}")
        found: dict[str, Any] = doc["volume"]
        return found

    def _settle(
        self, path: str, key: str, done: Callable[[dict[str, Any] | None], bool], what: str
    ) -> Flow[dict[str, Any] | None]:
        """Poll ``path`` until ``done(document)`` (None once it is gone)."""

        def check() -> Flow[PollStatus]:
            try:
                doc = yield from self._get("volume", path)
            except NotFoundError:
                return PollStatus(done=done(None), value=None)
            current = doc[key]
            if str(current.get("status")) in _FAILED and not done(current):
                raise ProviderError(
                    f"cinder: {what} failed: the {key} is {current.get('status')}",
                    provider="openstack",
                )
            return PollStatus(done=done(current), value=current)

        found: dict[str, Any] | None = yield from self._wait(check, what)
        return found

    def _status_is(self, *wanted: str) -> Callable[[dict[str, Any] | None], bool]:
        return lambda doc: doc is not None and str(doc.get("status")) in wanted

    @operation
    def list_volumes(self) -> Flow[list[StorageVolume]]:
        """Every volume of the project."""
        volumes: list[StorageVolume] = yield from self._all(
            "volume", "/volumes/detail", "volumes", VOLUME.bind(driver=self)
        )
        return volumes

    @operation
    def ex_get_volume(self, volume_id: str) -> Flow[StorageVolume]:
        """One volume by id."""
        doc = yield from self._volume_doc(ident(volume_id))
        return VOLUME(doc, driver=self)

    @operation
    def create_volume(
        self,
        size: int,
        name: str,
        location: NodeLocation | None = None,
        snapshot: VolumeSnapshot | None = None,
        ex_volume_type: str | None = None,
        ex_image_ref: Any = None,
        ex_metadata: Mapping[str, str] | None = None,
        ex_description: str | None = None,
        ex_wait: bool = True,
    ) -> Flow[StorageVolume]:
        """Create a volume of ``size`` GB (from ``snapshot`` or ``ex_image_ref`` if given);
        waits until it is available unless ``ex_wait=False``."""
        body: dict[str, Any] = {"size": int(size), "name": name}
        optional = {
            "availability_zone": location.id if location is not None else None,
            "snapshot_id": ident(snapshot) if snapshot is not None else None,
            "volume_type": ex_volume_type,
            "imageRef": ident(ex_image_ref) if ex_image_ref is not None else None,
            "metadata": dict(ex_metadata) if ex_metadata else None,
            "description": ex_description,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        doc = yield from self._json("volume", "POST", "/volumes", {"volume": body})
        created = doc["volume"]
        if ex_wait:
            settled = yield from self._settle(
                f"/volumes/{created['id']}",
                "volume",
                self._status_is("available"),
                f"volume {created['id']} to be available",
            )
            created = settled or created
        return VOLUME(created, driver=self)

    @operation
    def attach_volume(
        self,
        node: Node,
        volume: StorageVolume,
        device: str | None = None,
        ex_wait: bool = True,
    ) -> Flow[bool]:
        """Attach through Nova (``device`` such as ``/dev/vdb``, else Nova picks)."""
        attachment: dict[str, Any] = {"volumeId": ident(volume)}
        if device:
            attachment["device"] = device
        yield from self._json(
            "compute",
            "POST",
            f"/servers/{ident(node)}/os-volume_attachments",
            {"volumeAttachment": attachment},
        )
        if ex_wait:
            yield from self._settle(
                f"/volumes/{ident(volume)}",
                "volume",
                self._status_is("in-use"),
                f"volume {ident(volume)} to be attached",
            )
        return True

    @operation
    def detach_volume(self, volume: StorageVolume, ex_wait: bool = True) -> Flow[bool]:
        """Detach from every server it is attached to."""
        doc = yield from self._volume_doc(ident(volume))
        servers = {
            str(a.get("server_id")) for a in doc.get("attachments") or [] if a.get("server_id")
        }
        if not servers:
            return False
        for server in sorted(servers):
            yield from self._send(
                "compute", "DELETE", f"/servers/{server}/os-volume_attachments/{ident(volume)}"
            )
        if ex_wait:
            yield from self._settle(
                f"/volumes/{ident(volume)}",
                "volume",
                self._status_is("available"),
                f"volume {ident(volume)} to be detached",
            )
        return True

    @operation
    def destroy_volume(self, volume: StorageVolume, ex_wait: bool = True) -> Flow[bool]:
        """Delete a volume; waits until Cinder no longer lists it unless ``ex_wait=False``."""
        yield from self._send("volume", "DELETE", f"/volumes/{ident(volume)}")
        if ex_wait:
            yield from self._settle(
                f"/volumes/{ident(volume)}",
                "volume",
                lambda doc: doc is None,
                f"volume {ident(volume)} to be deleted",
            )
        return True

    # -- snapshots ----------------------------------------------------------------------------
    @operation
    def ex_list_snapshots(self) -> Flow[list[VolumeSnapshot]]:
        """Every snapshot of the project."""
        snapshots: list[VolumeSnapshot] = yield from self._all(
            "volume", "/snapshots/detail", "snapshots", SNAPSHOT.bind(driver=self)
        )
        return snapshots

    @operation
    def list_volume_snapshots(self, volume: StorageVolume) -> Flow[list[VolumeSnapshot]]:
        """Snapshots of ``volume``."""
        snapshots: list[VolumeSnapshot] = yield from self._all(
            "volume",
            "/snapshots/detail",
            "snapshots",
            SNAPSHOT.bind(driver=self),
            {"volume_id": ident(volume)},
        )
        return [s for s in snapshots if s.extra.get("volume_id") == ident(volume)]

    @operation
    def create_volume_snapshot(
        self,
        volume: StorageVolume,
        name: str | None = None,
        ex_description: str | None = None,
        ex_force: bool = True,
        ex_wait: bool = True,
    ) -> Flow[VolumeSnapshot]:
        """Snapshot ``volume`` (``ex_force``: even while attached)."""
        body: dict[str, Any] = {"volume_id": ident(volume), "force": ex_force}
        if name:
            body["name"] = name
        if ex_description:
            body["description"] = ex_description
        doc = yield from self._json("volume", "POST", "/snapshots", {"snapshot": body})
        created = doc["snapshot"]
        if ex_wait:
            settled = yield from self._settle(
                f"/snapshots/{created['id']}",
                "snapshot",
                self._status_is("available"),
                f"snapshot {created['id']} to be available",
            )
            created = settled or created
        return SNAPSHOT(created, driver=self)

    @operation
    def destroy_volume_snapshot(self, snapshot: VolumeSnapshot, ex_wait: bool = True) -> Flow[bool]:
        """Delete a snapshot."""
        yield from self._send("volume", "DELETE", f"/snapshots/{ident(snapshot)}")
        if ex_wait:
            yield from self._settle(
                f"/snapshots/{ident(snapshot)}",
                "snapshot",
                lambda doc: doc is None,
                f"snapshot {ident(snapshot)} to be deleted",
            )
        return True

    #: Libcloud's names.
    ex_create_snapshot = create_volume_snapshot
    ex_delete_snapshot = destroy_volume_snapshot
