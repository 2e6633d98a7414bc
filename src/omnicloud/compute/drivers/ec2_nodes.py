"""EC2 instances as nodes (list, look up, create, power, terminate) and the catalogue
(availability zones, instance types, images)."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

from omnicloud._collect import collect, mapped
from omnicloud._poll import PollSettings, PollStatus, poll
from omnicloud.aws._regions import country
from omnicloud.compute._driver import NODE_ONLINE_WAIT_TIMEOUT
from omnicloud.compute._models import (
    KeyPair,
    Node,
    NodeAuthPassword,
    NodeAuthSSHKey,
    NodeImage,
    NodeLocation,
    NodeSize,
)
from omnicloud.compute._shell import Items, listing, operation
from omnicloud.errors import ValidationError

from .ec2_base import EC2Base, filters, ident, not_found, tag_specification
from .ec2_convert import IMAGE, LOCATION, NODE, SIZE
from .ec2_storage import key_fingerprints

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["EC2Nodes"]


class EC2Nodes(EC2Base):
    """Node and catalogue operations."""

    # -- nodes --------------------------------------------------------------------------------
    def _node_params(
        self, ex_node_ids: Sequence[str] | None, ex_filters: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        return {"InstanceId": list(ex_node_ids or []) or None, "Filter": filters(ex_filters)}

    @listing
    def iterate_nodes(
        self,
        ex_node_ids: Sequence[str] | None = None,
        ex_filters: Mapping[str, Any] | None = None,
    ) -> Items[Node]:
        """Instances lazily, one ``DescribeInstances`` page at a time."""
        params = self._node_params(ex_node_ids, ex_filters)
        flow = self._instances(params, paged=not ex_node_ids)
        return Items(mapped(flow, NODE.bind(driver=self)))

    @operation
    def list_nodes(
        self,
        ex_node_ids: Sequence[str] | None = None,
        ex_filters: Mapping[str, Any] | None = None,
    ) -> Flow[list[Node]]:
        """Every instance (terminated ones too, while EC2 still lists them); ``ex_node_ids``
        and ``ex_filters`` (``{"tag:Env": "prod"}``) narrow the list."""
        params = self._node_params(ex_node_ids, ex_filters)
        flow = self._instances(params, paged=not ex_node_ids)
        nodes: list[Node] = yield from collect(flow, NODE.bind(driver=self))
        return nodes

    @operation
    def ex_get_node(self, node_id: str) -> Flow[Node]:
        """One instance by id (NotFoundError if EC2 has none)."""
        nodes: list[Node] = yield from type(self).list_nodes(self, ex_node_ids=[node_id])
        if not nodes:
            raise not_found("instance", node_id)
        return nodes[0]

    @operation
    def create_node(
        self,
        name: str,
        size: NodeSize,
        image: NodeImage,
        location: NodeLocation | None = None,
        auth: NodeAuthSSHKey | NodeAuthPassword | None = None,
        ex_keyname: str | None = None,
        ex_userdata: str | bytes | None = None,
        ex_security_groups: Sequence[str] | None = None,
        ex_security_group_ids: Sequence[str] | None = None,
        ex_subnet: Any = None,
        ex_blockdevicemappings: Sequence[Mapping[str, Any]] | None = None,
        ex_metadata: Mapping[str, str] | None = None,
        ex_iamprofile: str | None = None,
        ex_ebs_optimized: bool | None = None,
        ex_terminate_on_shutdown: bool | None = None,
        ex_clienttoken: str | None = None,
        ex_mincount: int = 1,
        ex_maxcount: int = 1,
    ) -> Flow[Any]:
        """``RunInstances``, tagged ``Name=name`` (and ``ex_metadata``): one node, or as
        Libcloud does, a list of nodes when more than one instance started (``ex_mincount``
        to ``ex_maxcount`` of them, all named ``name``).

        A ``ClientToken`` (``ex_clienttoken`` or a fresh one) goes with every attempt, so a
        resent request never starts a second instance. ``location`` is an availability zone;
        ``ex_keyname`` a key pair, or ``auth=NodeAuthSSHKey(public_key)``: the key pair with
        that key, imported first if there is none; ``ex_blockdevicemappings`` entries use the
        API's names (``{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 20}}``).
        """
        if isinstance(auth, NodeAuthPassword):
            raise ValidationError(
                "EC2 sets no passwords: log in with a key pair (auth=NodeAuthSSHKey, ex_keyname=)"
            )
        if auth is not None and ex_keyname:
            raise ValidationError("give auth= or ex_keyname=, not both")
        if auth is not None:
            key_fingerprints(auth.pubkey)  # a key EC2 cannot take fails before any request
            pair: KeyPair = yield from type(self).ex_find_or_import_keypair_by_key_material(
                self, auth.pubkey
            )
            ex_keyname = pair.name
        if not 1 <= ex_mincount <= ex_maxcount:
            raise ValidationError("need 1 <= ex_mincount <= ex_maxcount")
        if isinstance(ex_userdata, str):
            ex_userdata = ex_userdata.encode("utf-8")
        iam = None
        if ex_iamprofile:
            iam = {"Arn" if ex_iamprofile.startswith("arn:") else "Name": ex_iamprofile}
        params: dict[str, Any] = {
            "ImageId": ident(image),
            "InstanceType": ident(size),
            "MinCount": ex_mincount,
            "MaxCount": ex_maxcount,
            "KeyName": ex_keyname,
            "UserData": base64.b64encode(ex_userdata).decode("ascii") if ex_userdata else None,
            "SecurityGroup": list(ex_security_groups or []) or None,
            "SecurityGroupId": list(ex_security_group_ids or []) or None,
            "SubnetId": ident(ex_subnet) if ex_subnet is not None else None,
            "Placement": {"AvailabilityZone": location.name} if location is not None else None,
            "BlockDeviceMapping": [dict(m) for m in ex_blockdevicemappings or []] or None,
            "TagSpecification": tag_specification(name, ex_metadata, "instance") or None,
            "IamInstanceProfile": iam,
            "EbsOptimized": ex_ebs_optimized,
            "InstanceInitiatedShutdownBehavior": (
                None
                if ex_terminate_on_shutdown is None
                else "terminate"
                if ex_terminate_on_shutdown
                else "stop"
            ),
            "ClientToken": ex_clienttoken,
        }
        answer = yield from self._call("RunInstances", params)
        nodes = [NODE(doc, driver=self) for doc in answer["instancesSet"]]
        for node in nodes:
            if "Name" not in node.extra.get("tags", {}):
                node.name = name  # some servers leave the tags out of RunInstances' answer
        return nodes[0] if len(nodes) == 1 else nodes

    @operation
    def ex_wait_for_node(
        self,
        node: Node,
        state: str = "running",
        timeout: float | None = None,
        wait_period: float = 2.0,
    ) -> Flow[Node]:
        """Wait until the instance's state is ``state`` (``running``, ``stopped``,
        ``terminated``...; JobTimeoutError after ``timeout`` seconds, default 600)."""
        node_id = ident(node)

        def check() -> Flow[PollStatus]:
            current: Node = yield from type(self).ex_get_node(self, node_id)
            done = current.extra.get("status") == state or current.state == state
            return PollStatus(done=done, value=current, progress=current.state)

        settings = PollSettings(
            interval=wait_period, first_interval=0.0, timeout=timeout or NODE_ONLINE_WAIT_TIMEOUT
        )
        found: Node = yield from poll(check, settings, what=f"waiting for {node_id} to be {state}")
        return found

    @operation
    def ex_find_or_import_keypair_by_key_material(self, pubkey: str) -> Flow[KeyPair]:
        """The key pair holding OpenSSH public key ``pubkey`` (found by fingerprint), imported
        as ``COMMENT-FINGERPRINT`` when there is none (what ``create_node(auth=...)`` uses)."""
        fingerprints = key_fingerprints(pubkey)
        pairs: list[KeyPair] = yield from type(self).list_key_pairs(self)
        for pair in pairs:
            if pair.fingerprint in fingerprints:
                return pair
        words = pubkey.strip().split(maxsplit=2)
        comment = words[2].strip() if len(words) > 2 and words[2].strip() else "unnamed"
        name = f"{comment}-{fingerprints[0]}"
        made: KeyPair = yield from type(self).import_key_pair_from_string(self, name, pubkey)
        return made

    def _power(self, action: str, node: Node, idempotent: bool) -> Flow[bool]:
        answer = yield from self._call(action, {"InstanceId": [ident(node)]}, idempotent=idempotent)
        return str(answer.get("return", "true")) == "true"

    @operation
    def reboot_node(self, node: Node) -> Flow[bool]:
        """``RebootInstances``."""
        return (yield from self._power("RebootInstances", node, False))

    @operation
    def start_node(self, node: Node) -> Flow[bool]:
        """``StartInstances`` (EC2 ignores a repeat, so it is resent safely)."""
        return (yield from self._power("StartInstances", node, True))

    @operation
    def stop_node(self, node: Node) -> Flow[bool]:
        """``StopInstances``."""
        return (yield from self._power("StopInstances", node, True))

    @operation
    def destroy_node(self, node: Node) -> Flow[bool]:
        """``TerminateInstances`` (idempotent on EC2)."""
        return (yield from self._power("TerminateInstances", node, True))

    # -- catalogue ----------------------------------------------------------------------------
    @operation
    def list_locations(self) -> Flow[list[NodeLocation]]:
        """The region's availability zones (id and name ``us-east-1a``)."""
        convert = LOCATION.bind(driver=self, country=country(self.region))
        found: list[NodeLocation] = yield from self._all(
            "DescribeAvailabilityZones", "availabilityZoneInfo", convert, paged=False
        )
        return found

    @operation
    def list_sizes(
        self,
        location: NodeLocation | None = None,
        ex_instance_types: Sequence[str] | None = None,
        ex_filters: Mapping[str, Any] | None = None,
    ) -> Flow[list[NodeSize]]:
        """Instance types (``DescribeInstanceTypes``; the full list is read once per driver):
        RAM in MiB, vCPUs in ``extra["cpu"]``, hourly prices from the pricing file when it has
        them. ``ex_instance_types``/``ex_filters`` ask for fewer."""
        convert = SIZE.bind(driver=self, region=self.region)
        if ex_instance_types or ex_filters:
            params = {"InstanceType": list(ex_instance_types or []), "Filter": filters(ex_filters)}
            found: list[NodeSize] = yield from self._all(
                "DescribeInstanceTypes", "instanceTypeSet", convert, params, paged=False
            )
            return found
        if self._sizes is None:
            self._sizes = yield from self._all(
                "DescribeInstanceTypes", "instanceTypeSet", convert, paged=False
            )
        return list(self._sizes)

    @operation
    def list_images(
        self,
        location: NodeLocation | None = None,
        ex_image_ids: Sequence[str] | None = None,
        ex_owner: str | Sequence[str] | None = None,
        ex_executableby: str | None = None,
        ex_filters: Mapping[str, Any] | None = None,
    ) -> Flow[list[NodeImage]]:
        """AMIs (``ex_owner="amazon"``/``"self"``/an account id, ``ex_filters``); without
        arguments every image the account may launch, as Libcloud does."""
        owners = [ex_owner] if isinstance(ex_owner, str) else list(ex_owner or [])
        params = {
            "ImageId": list(ex_image_ids or []) or None,
            "Owner": owners or None,
            "ExecutableBy": [ex_executableby] if ex_executableby else None,
            "Filter": filters(ex_filters),
        }
        found: list[NodeImage] = yield from self._all(
            "DescribeImages", "imagesSet", IMAGE.bind(driver=self), params, paged=False
        )
        return found

    @operation
    def get_image(self, image_id: str) -> Flow[NodeImage]:
        """One AMI by id (NotFoundError if absent)."""
        images: list[NodeImage] = yield from type(self).list_images(self, ex_image_ids=[image_id])
        if not images:
            raise not_found("image", image_id)
        return images[0]
