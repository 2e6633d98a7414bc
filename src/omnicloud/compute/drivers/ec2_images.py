"""EC2 images (AMIs) made, copied and deleted: ``create_image``, ``copy_image``,
``delete_image`` with Libcloud's EC2 arguments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from omnicloud.compute._models import Node, NodeImage
from omnicloud.compute._shell import operation

from .ec2_base import EC2Base, ident, tag_specification

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["EC2Images"]


class EC2Images(EC2Base):
    """Image operations."""

    def _made(self, answer: Any, name: str, description: str | None, **extra: Any) -> NodeImage:
        info = {"description": description, "image_state": "pending", **extra}
        return NodeImage(str(answer.get("imageId") or ""), name, self, info)

    @operation
    def create_image(
        self,
        node: Node,
        name: str,
        description: str | None = None,
        reboot: bool = False,
        block_device_mapping: Sequence[Mapping[str, Any]] | None = None,
        ex_metadata: Mapping[str, str] | None = None,
    ) -> Flow[NodeImage]:
        """An AMI of ``node`` (``CreateImage``; pending until EC2 has snapshotted its volumes).

        ``reboot=False`` (Libcloud's default) sends ``NoReboot``: the instance keeps running
        and the file systems are imaged as they are. ``block_device_mapping`` entries use the
        API's names; ``ex_metadata`` tags the image.
        """
        params = {
            "InstanceId": ident(node),
            "Name": name,
            "Description": description,
            "NoReboot": not reboot,
            "BlockDeviceMapping": [dict(m) for m in block_device_mapping or []] or None,
            "TagSpecification": tag_specification(None, ex_metadata, "image") or None,
        }
        answer = yield from self._call("CreateImage", params)
        return self._made(answer, name, description, instance_id=ident(node))

    @operation
    def copy_image(
        self,
        image: NodeImage | str,
        source_region: NodeImage | str,
        name: str | None = None,
        description: str | None = None,
    ) -> Flow[NodeImage]:
        """Copy AMI ``image`` of ``source_region`` into this driver's region (``CopyImage``,
        resent safely with its ``ClientToken``); the copy is pending at first.

        Libcloud's EC2 order ``(image, source_region)``; the generic order
        ``(source_region, image)`` is understood too. ``name`` defaults to the image's name.
        """
        if isinstance(source_region, NodeImage) or (
            isinstance(image, str) and not image.startswith("ami-")
        ):
            image, source_region = source_region, image
        region = str(source_region)
        image_id = ident(image)
        if name is None:
            name = image.name if isinstance(image, NodeImage) and image.name else image_id
        params = {
            "SourceRegion": region,
            "SourceImageId": image_id,
            "Name": name,
            "Description": description,
        }
        answer = yield from self._call("CopyImage", params)
        return self._made(answer, name, description, source_region=region, source_id=image_id)

    @operation
    def delete_image(self, image: NodeImage | str) -> Flow[bool]:
        """Deregister ``image`` (its snapshots stay; delete them with
        ``destroy_volume_snapshot``)."""
        answer = yield from self._call("DeregisterImage", {"ImageId": ident(image)})
        return str(answer.get("return", "true")) == "true"
