"""The base compute API on CloudStack: nodes, catalogue, volumes, snapshots, key pairs."""

from __future__ import annotations

from collections.abc import Sequence

from omnicloud._wire import bind
from omnicloud.cloudstack import _protocol
from omnicloud.cloudstack._driver_base import success
from omnicloud.compute._models import (
    KeyPair,
    Node,
    NodeAuthPassword,
    NodeAuthSSHKey,
    NodeImage,
    NodeLocation,
    NodeSize,
    StorageVolume,
    VolumeSnapshot,
)
from omnicloud.compute._shell import operation
from omnicloud.errors import NotFoundError, ValidationError

from ._base import CloudStackBase
from ._models import (
    CloudStackDiskOffering,
    CloudStackImage,
    CloudStackKeyPair,
    CloudStackLocation,
    CloudStackNode,
    CloudStackNodeSize,
    CloudStackSnapshot,
    CloudStackVolume,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud._flow import Flow

__all__ = ["CloudStackCompute", "KeyPairDoesNotExistError"]


class KeyPairDoesNotExistError(NotFoundError):
    """No key pair has that name."""


def _id(obj: Any) -> str | None:
    return None if obj is None else str(getattr(obj, "id", obj))


def _ids(objs: Sequence[Any] | None) -> list[str] | None:
    return None if not objs else [str(getattr(obj, "id", obj)) for obj in objs]


def _base64(data: bytes) -> str:
    import base64  # here, not with the driver: only user data needs it

    return base64.b64encode(data).decode()


def _fill_prices(sizes: Sequence[CloudStackNodeSize], driver_name: str, region: str | None) -> None:
    """Hourly prices from :mod:`omnicloud.pricing`: the driver's own entry by offering id, then
    by name, then the built-in simulator's list (keyed by its offering ids, unique to it)."""
    from omnicloud.pricing import SIMULATOR_DRIVER, first_size_price

    for size in sizes:
        size.price = first_size_price(
            "compute",
            [(driver_name, size.id), (driver_name, size.name), (SIMULATOR_DRIVER, size.id)],
            region,
        )


# What ex_wait_for_job builds from a job's result: its key -> the model.
_JOB_MODELS: dict[str, type[Any]] = {
    "virtualmachine": CloudStackNode,
    "volume": CloudStackVolume,
    "snapshot": CloudStackSnapshot,
    "template": CloudStackImage,
}


class CloudStackCompute(CloudStackBase):
    """Every base compute operation, on CloudStack commands."""

    # -- nodes --------------------------------------------------------------------------------
    @operation
    def list_nodes(
        self, /, project: Any = None, location: NodeLocation | None = None, **ex_filters: Any
    ) -> Flow[list[CloudStackNode]]:
        """Every VM (all pages) in one listVirtualMachines stream; NAT public IPs included.

        Pages are decoded into only the fields a node maps; ``node.extra`` parses the rest of
        its page when first read.
        """
        from ._listing import VM_HEADS

        params = self._with_project(dict(ex_filters), project)
        nodes: list[CloudStackNode] = yield from self._list(
            "listVirtualMachines",
            bind(CloudStackNode, driver=self),
            page_reader=VM_HEADS,
            zoneid=_id(location),
            **params,
        )
        return nodes

    @operation
    def ex_get_node(self, node_id: str, project: Any = None) -> Flow[CloudStackNode]:
        """One node by id (NotFoundError if absent)."""
        node = yield from self._one(
            "listVirtualMachines",
            CloudStackNode,
            f"node {node_id}",
            **self._with_project({"id": node_id}, project),
        )
        return node

    @operation
    def create_node(
        self,
        name: str,
        size: NodeSize,
        image: NodeImage,
        location: NodeLocation | None = None,
        auth: NodeAuthSSHKey | NodeAuthPassword | None = None,
        networks: Sequence[Any] | None = None,
        project: Any = None,
        diskoffering: CloudStackDiskOffering | None = None,
        ex_keyname: str | None = None,
        ex_userdata: str | bytes | None = None,
        ex_security_groups: Sequence[str] | None = None,
        ex_displayname: str | None = None,
        ex_ip_address: str | None = None,
        ex_start_vm: bool = True,
        ex_rootdisksize: int | None = None,
        ex_affinity_groups: Sequence[Any] | None = None,
    ) -> Flow[CloudStackNode]:
        """Deploy a VM and wait for it; it starts unless ``ex_start_vm=False``.

        ``ex_security_groups`` and ``ex_keyname`` are names; ``networks`` and
        ``ex_affinity_groups`` objects or ids. A generated password is in
        ``node.extra["password"]``.
        """
        params = yield from self._deploy_params(
            name, size, image, location, auth, networks, project, diskoffering, ex_keyname,
            ex_userdata, ex_security_groups, ex_displayname, ex_ip_address, ex_start_vm,
            ex_rootdisksize, ex_affinity_groups,
        )  # fmt: skip
        node = yield from self._job_model(
            CloudStackNode, "virtualmachine", "deployVirtualMachine", **params
        )
        return node

    @operation
    def ex_submit_node(
        self,
        name: str,
        size: NodeSize,
        image: NodeImage,
        location: NodeLocation | None = None,
        auth: NodeAuthSSHKey | NodeAuthPassword | None = None,
        networks: Sequence[Any] | None = None,
        project: Any = None,
        diskoffering: CloudStackDiskOffering | None = None,
        ex_keyname: str | None = None,
        ex_userdata: str | bytes | None = None,
        ex_security_groups: Sequence[str] | None = None,
        ex_displayname: str | None = None,
        ex_ip_address: str | None = None,
        ex_start_vm: bool = True,
        ex_rootdisksize: int | None = None,
        ex_affinity_groups: Sequence[Any] | None = None,
    ) -> Flow[dict[str, Any]]:
        """Submit the deploy :meth:`create_node` makes (same arguments) without waiting.

        Returns CloudStack's answer, ``{"id": <the VM's id>, "jobid": <its job>}``;
        :meth:`ex_wait_for_job` on the job id gives the node.
        """
        params = yield from self._deploy_params(
            name, size, image, location, auth, networks, project, diskoffering, ex_keyname,
            ex_userdata, ex_security_groups, ex_displayname, ex_ip_address, ex_start_vm,
            ex_rootdisksize, ex_affinity_groups,
        )  # fmt: skip
        body = yield from self._call("deployVirtualMachine", **params)
        return dict(body) if isinstance(body, dict) else {}

    def _deploy_params(
        self,
        name: str,
        size: NodeSize,
        image: NodeImage,
        location: NodeLocation | None,
        auth: NodeAuthSSHKey | NodeAuthPassword | None,
        networks: Sequence[Any] | None,
        project: Any,
        diskoffering: CloudStackDiskOffering | None,
        ex_keyname: str | None,
        ex_userdata: str | bytes | None,
        ex_security_groups: Sequence[str] | None,
        ex_displayname: str | None,
        ex_ip_address: str | None,
        ex_start_vm: bool,
        ex_rootdisksize: int | None,
        ex_affinity_groups: Sequence[Any] | None,
    ) -> Flow[dict[str, Any]]:
        """The deployVirtualMachine parameters of create_node/ex_submit_node."""
        self._check_auth(auth)
        zone = yield from self._zone_id(location)
        userdata = ex_userdata.encode() if isinstance(ex_userdata, str) else ex_userdata
        return self._with_project(
            {
                "name": name,
                "displayname": ex_displayname,
                "serviceofferingid": size.id,
                "templateid": image.id,
                "zoneid": zone,
                "networkids": _ids(networks),
                "diskofferingid": _id(diskoffering),
                "keypair": ex_keyname,
                "userdata": _base64(userdata) if userdata else None,
                "securitygroupnames": list(ex_security_groups or []) or None,
                "ipaddress": ex_ip_address,
                "startvm": ex_start_vm,
                "rootdisksize": ex_rootdisksize,
                "affinitygroupids": _ids(ex_affinity_groups),
            },
            project,
        )

    @operation
    def ex_wait_for_job(self, job_id: str) -> Flow[Any]:
        """Wait again for job ``job_id`` (say from a :class:`~omnicloud.errors.JobPollError`)
        and return what the call that started it returns: a node for a deploy, a volume, a
        snapshot or an image for their creation; for other jobs, the job's result as a dict."""
        result = yield from _protocol.wait_for_job(self._settings, job_id)
        for key, cls in _JOB_MODELS.items():
            if isinstance(result, dict) and isinstance(result.get(key), dict):
                return self._build(cls, result, key)
        return result

    @operation
    def reboot_node(self, node: Node) -> Flow[bool]:
        """Reboot and wait for the job."""
        yield from self._job("rebootVirtualMachine", id=node.id)
        return True

    @operation
    def start_node(self, node: Node) -> Flow[bool]:
        """Start and wait for the job."""
        yield from self._job("startVirtualMachine", id=node.id)
        return True

    @operation
    def stop_node(self, node: Node, ex_forced: bool | None = None) -> Flow[bool]:
        """Stop and wait for the job."""
        yield from self._job("stopVirtualMachine", id=node.id, forced=ex_forced)
        return True

    @operation
    def ex_start(self, node: Node) -> Flow[str]:
        """Libcloud's name: start and return the new CloudStack state string."""
        result = yield from self._job("startVirtualMachine", id=node.id)
        return str(result.get("virtualmachine", {}).get("state", "Running"))

    @operation
    def ex_stop(self, node: Node) -> Flow[str]:
        """Libcloud's name: stop and return the new CloudStack state string."""
        result = yield from self._job("stopVirtualMachine", id=node.id)
        return str(result.get("virtualmachine", {}).get("state", "Stopped"))

    @operation
    def destroy_node(self, node: Node, ex_expunge: bool = False) -> Flow[bool]:
        """Destroy (and with ``ex_expunge`` purge at once) and wait for the job."""
        yield from self._job("destroyVirtualMachine", id=node.id, expunge=ex_expunge or None)
        return True

    @operation
    def ex_restore(self, node: Node, template: NodeImage | None = None) -> Flow[str]:
        """Reinstall the node from ``template`` (default: its own); returns the template id."""
        result = yield from self._job(
            "restoreVirtualMachine", virtualmachineid=node.id, templateid=_id(template)
        )
        return str(result.get("virtualmachine", {}).get("templateid", _id(template) or ""))

    @operation
    def ex_change_node_size(self, node: Node, offering: NodeSize) -> Flow[str]:
        """Scale to ``offering``; returns the new service offering id."""
        yield from self._job("scaleVirtualMachine", id=node.id, serviceofferingid=offering.id)
        return offering.id

    # -- catalogue ----------------------------------------------------------------------------
    @operation
    def list_sizes(self, location: NodeLocation | None = None) -> Flow[list[CloudStackNodeSize]]:
        """Service offerings (for ``location``'s zone when given), priced where data exists."""
        sizes = yield from self._models(
            "listServiceOfferings", CloudStackNodeSize, zoneid=_id(location)
        )
        _fill_prices(sizes, str(self.type or "cloudstack"), getattr(location, "name", None))
        return sizes

    @operation
    def list_locations(self) -> Flow[list[CloudStackLocation]]:
        """Zones."""
        zones = yield from self._models("listZones", CloudStackLocation)
        return zones

    @operation
    def list_images(
        self, location: NodeLocation | None = None, ex_filter: str = "executable"
    ) -> Flow[list[CloudStackImage]]:
        """Templates (``ex_filter``: executable, featured, self, community ...)."""
        images = yield from self._models(
            "listTemplates", CloudStackImage, templatefilter=ex_filter, zoneid=_id(location)
        )
        return images

    @operation
    def get_image(self, image_id: str) -> Flow[CloudStackImage]:
        """One template by id."""
        image = yield from self._one(
            "listTemplates",
            CloudStackImage,
            f"image {image_id}",
            templatefilter="executable",
            id=image_id,
        )
        return image

    @operation
    def create_image(
        self, node: Node, name: str, description: str | None = None
    ) -> Flow[CloudStackImage]:
        """A template from the node's ROOT volume (CloudStack wants the node stopped)."""
        roots = yield from self._models(
            "listVolumes", CloudStackVolume, virtualmachineid=node.id, type="ROOT"
        )
        if not roots:
            raise NotFoundError(f"node {node.id} has no ROOT volume", provider="cloudstack")
        os_type = node.extra.get("ostypeid") or node.extra.get("guestosid")
        image = yield from self._job_model(
            CloudStackImage,
            "template",
            "createTemplate",
            name=name,
            displaytext=description or name,
            volumeid=roots[0].id,
            ostypeid=os_type,
        )
        return image

    @operation
    def ex_create_snapshot_template(
        self, snapshot: VolumeSnapshot, name: str, ostypeid: str, displaytext: str | None = None
    ) -> Flow[CloudStackImage]:
        """A template from a volume snapshot."""
        image = yield from self._job_model(
            CloudStackImage,
            "template",
            "createTemplate",
            name=name,
            displaytext=displaytext or name,
            snapshotid=snapshot.id,
            ostypeid=ostypeid,
        )
        return image

    @operation
    def delete_image(self, node_image: NodeImage) -> Flow[bool]:
        """Delete a template."""
        result = yield from self._job("deleteTemplate", id=node_image.id)
        return success(result)

    # -- volumes ------------------------------------------------------------------------------
    @operation
    def list_volumes(self, node: Node | None = None) -> Flow[list[CloudStackVolume]]:
        """Every volume (of ``node`` when given)."""
        volumes = yield from self._models(
            "listVolumes", CloudStackVolume, virtualmachineid=_id(node)
        )
        return volumes

    @operation
    def ex_get_volume(self, volume_id: str, project: Any = None) -> Flow[CloudStackVolume]:
        """One volume by id."""
        volume = yield from self._one(
            "listVolumes",
            CloudStackVolume,
            f"volume {volume_id}",
            **self._with_project({"id": volume_id}, project),
        )
        return volume

    @operation
    def ex_list_disk_offerings(self) -> Flow[list[CloudStackDiskOffering]]:
        """Disk offerings."""
        offerings = yield from self._models("listDiskOfferings", CloudStackDiskOffering)
        return offerings

    @operation
    def ex_pick_disk_offering(
        self, size: int, name: str | None = None
    ) -> Flow[CloudStackDiskOffering]:
        """The disk offering ``create_volume`` uses for ``size`` GB: the one named ``name``,
        else one of exactly ``size`` GB, else a customizable one (ValidationError if none)."""
        offerings = yield from self._models("listDiskOfferings", CloudStackDiskOffering)
        return _pick_offering(offerings, size, name)

    @operation
    def create_volume(
        self,
        size: int,
        name: str,
        location: NodeLocation | None = None,
        snapshot: VolumeSnapshot | None = None,
        ex_volume_type: str | None = None,
    ) -> Flow[CloudStackVolume]:
        """A data volume of ``size`` GB (from ``snapshot`` when given).

        The disk offering is the one named ``ex_volume_type``, else one of exactly ``size`` GB,
        else a customizable one.
        """
        zone = yield from self._zone_id(location)
        params: dict[str, Any] = {"name": name, "zoneid": zone}
        if snapshot is not None:
            params["snapshotid"] = snapshot.id
        else:
            offerings = yield from self._models("listDiskOfferings", CloudStackDiskOffering)
            chosen = _pick_offering(offerings, size, ex_volume_type)
            params["diskofferingid"] = chosen.id
            if chosen.customizable:
                params["size"] = size
        volume = yield from self._job_model(
            CloudStackVolume, "volume", "createVolume", **self._with_project(params)
        )
        return volume

    @operation
    def attach_volume(
        self, node: Node, volume: StorageVolume, device: str | int | None = None
    ) -> Flow[bool]:
        """Attach; ``device`` is CloudStack's numeric device id when given."""
        yield from self._job(
            "attachVolume", id=volume.id, virtualmachineid=node.id, deviceid=device
        )
        return True

    @operation
    def detach_volume(self, volume: StorageVolume) -> Flow[bool]:
        """Detach from its node."""
        yield from self._job("detachVolume", id=volume.id)
        return True

    @operation
    def destroy_volume(self, volume: StorageVolume) -> Flow[bool]:
        """Delete a (detached) volume."""
        body = yield from self._call("deleteVolume", id=volume.id)
        return success(body)

    # -- snapshots ----------------------------------------------------------------------------
    @operation
    def list_snapshots(self) -> Flow[list[CloudStackSnapshot]]:
        """Every volume snapshot (Libcloud's CloudStack name)."""
        snapshots = yield from self._models("listSnapshots", CloudStackSnapshot)
        return snapshots

    @operation
    def list_volume_snapshots(self, volume: StorageVolume) -> Flow[list[CloudStackSnapshot]]:
        """Snapshots of ``volume``."""
        snapshots = yield from self._models("listSnapshots", CloudStackSnapshot, volumeid=volume.id)
        return snapshots

    @operation
    def create_volume_snapshot(
        self, volume: StorageVolume, name: str | None = None
    ) -> Flow[CloudStackSnapshot]:
        """Snapshot ``volume`` (named ``name`` when given)."""
        snapshot = yield from self._job_model(
            CloudStackSnapshot, "snapshot", "createSnapshot", volumeid=volume.id, name=name
        )
        return snapshot

    @operation
    def destroy_volume_snapshot(self, snapshot: VolumeSnapshot) -> Flow[bool]:
        """Delete a snapshot."""
        result = yield from self._job("deleteSnapshot", id=snapshot.id)
        return success(result)

    # -- key pairs ----------------------------------------------------------------------------
    @operation
    def list_key_pairs(self, /, **kwargs: Any) -> Flow[list[CloudStackKeyPair]]:
        """SSH key pairs (filters such as ``name=`` pass through)."""
        pairs = yield from self._models("listSSHKeyPairs", CloudStackKeyPair, **kwargs)
        return pairs

    @operation
    def get_key_pair(self, name: str) -> Flow[CloudStackKeyPair]:
        """One key pair by name (KeyPairDoesNotExistError if absent)."""
        pairs = yield from self._models("listSSHKeyPairs", CloudStackKeyPair, name=name)
        for pair in pairs:
            if pair.name == name:
                return pair
        raise KeyPairDoesNotExistError(f"key pair {name!r} does not exist", provider="cloudstack")

    @operation
    def create_key_pair(self, /, name: str, **kwargs: Any) -> Flow[CloudStackKeyPair]:
        """Create a key pair; the private key is only in this result."""
        body = yield from self._call("createSSHKeyPair", name=name, **kwargs)
        return self._build(CloudStackKeyPair, body, "keypair")

    @operation
    def import_key_pair_from_string(
        self, /, name: str, key_material: str, **kwargs: Any
    ) -> Flow[CloudStackKeyPair]:
        """Register an existing public key."""
        body = yield from self._call(
            "registerSSHKeyPair", name=name, publickey=key_material.strip(), **kwargs
        )
        return self._build(CloudStackKeyPair, body, "keypair")

    @operation
    def delete_key_pair(self, /, key_pair: KeyPair, **kwargs: Any) -> Flow[bool]:
        """Delete a key pair."""
        body = yield from self._call("deleteSSHKeyPair", name=key_pair.name, **kwargs)
        return success(body)


def _pick_offering(
    offerings: list[CloudStackDiskOffering], size: int, name: str | None
) -> CloudStackDiskOffering:
    if name is not None:
        for offering in offerings:
            if offering.name == name:
                return offering
        raise ValidationError(f"no disk offering named {name!r}")
    for offering in offerings:
        if offering.size == size and not offering.customizable:
            return offering
    for offering in offerings:
        if offering.customizable:
            return offering
    raise ValidationError(f"no disk offering of {size} GB and none customizable")
