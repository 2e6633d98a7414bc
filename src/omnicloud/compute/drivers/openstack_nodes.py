"""Nova servers as nodes (create, list lazily, get, power, rebuild, resize, destroy), flavors,
availability zones and Glance images."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

from omnicloud._collect import mapped
from omnicloud._poll import PollStatus
from omnicloud.compute._models import (
    Node,
    NodeAuthPassword,
    NodeAuthSSHKey,
    NodeImage,
    NodeLocation,
    NodeSize,
)
from omnicloud.compute._shell import Items, listing, operation
from omnicloud.errors import ValidationError

from .openstack_base import OpenStackBase, ident
from .openstack_convert import IMAGE, LOCATION, NODE, SIZE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["OpenStackNodes"]


def _user_data(value: str | bytes | None) -> str | None:
    if value is None:
        return None
    raw = value.encode() if isinstance(value, str) else value
    return base64.b64encode(raw).decode("ascii")


def _network_refs(value: Any) -> Any:
    """``ex_networks`` as Nova's ``networks``: ``"auto"``/``"none"``, or networks, ports, ids."""
    if value is None or (isinstance(value, str) and value in ("auto", "none")):
        return value
    refs: list[dict[str, str]] = []
    for item in value if isinstance(value, list | tuple) else [value]:
        if isinstance(item, Mapping):
            refs.append({str(k): str(v) for k, v in item.items()})
        elif type(item).__name__ == "OpenStackPort":
            refs.append({"port": ident(item)})
        else:
            refs.append({"uuid": ident(item)})
    return refs


class OpenStackNodes(OpenStackBase):
    """Servers, flavors, zones, images."""

    # -- servers ------------------------------------------------------------------------------
    @listing
    def iterate_nodes(self, ex_filters: Mapping[str, Any] | None = None) -> Items[Node]:
        """Servers lazily, one page (``limit``/``marker``) at a time."""
        flow = self._pages("compute", "/servers/detail", "servers", ex_filters)
        return Items(mapped(flow, NODE.bind(driver=self)))

    @operation
    def list_nodes(self, ex_filters: Mapping[str, Any] | None = None) -> Flow[list[Node]]:
        """Every server of the project (``ex_filters``: Nova's query filters, e.g. ``name``)."""
        nodes: list[Node] = yield from self._all(
            "compute", "/servers/detail", "servers", NODE.bind(driver=self), ex_filters
        )
        return nodes

    @operation
    def ex_get_node(self, node_id: str) -> Flow[Node]:
        """One server by id (NotFoundError when there is none)."""
        doc = yield from self._get("compute", f"/servers/{ident(node_id)}")
        return NODE(doc["server"], driver=self)

    def _node_of(self, node: Any) -> Flow[Node]:
        found: Node = yield from type(self).ex_get_node(self, ident(node))
        return found

    @operation
    def create_node(
        self,
        name: str,
        size: NodeSize,
        image: NodeImage | None = None,
        location: NodeLocation | None = None,
        auth: NodeAuthSSHKey | NodeAuthPassword | None = None,
        ex_keyname: str | None = None,
        ex_security_groups: Sequence[Any] | None = None,
        ex_networks: Any = None,
        ex_userdata: str | bytes | None = None,
        ex_metadata: Mapping[str, str] | None = None,
        ex_availability_zone: str | None = None,
        ex_config_drive: bool | None = None,
        ex_boot_volume: Any = None,
        ex_boot_volume_size: int | None = None,
        ex_delete_boot_volume: bool = True,
        ex_blockdevicemappings: Sequence[Mapping[str, Any]] | None = None,
        ex_tags: Sequence[str] | None = None,
        ex_description: str | None = None,
        ex_admin_pass: str | None = None,
        ex_disk_config: str | None = None,
        ex_os_scheduler_hints: Mapping[str, Any] | None = None,
        networks: Any = None,
    ) -> Flow[Node]:
        """Create a server; the Node carries Nova's generated password in
        ``extra["password"]``.

        ``ex_networks``: networks, ports or ids, ``"auto"`` or ``"none"`` (default ``"auto"``
        from microversion 2.37, where Nova needs one); ``ex_security_groups``: groups or names;
        ``ex_userdata`` is base64-encoded here; ``networks`` is Libcloud's spelling of
        ``ex_networks``, ``ex_admin_pass`` of ``auth=NodeAuthPassword(...)``. Boot from
        volume: ``ex_boot_volume`` (an existing volume) or ``ex_boot_volume_size`` (GB, a new
        volume from ``image``, deleted with the server unless ``ex_delete_boot_volume=False``).
        """
        if isinstance(auth, NodeAuthSSHKey):
            raise ValidationError(
                "OpenStack injects keys through key pairs: import the key "
                "(import_key_pair_from_string) and pass ex_keyname="
            )
        yield from self._negotiate()
        server: dict[str, Any] = {"name": name, "flavorRef": ident(size)}
        mappings = [dict(m) for m in ex_blockdevicemappings or []]
        if ex_boot_volume is not None:
            mappings.insert(
                0,
                {
                    "boot_index": 0,
                    "uuid": ident(ex_boot_volume),
                    "source_type": "volume",
                    "destination_type": "volume",
                    "delete_on_termination": False,
                },
            )
        elif ex_boot_volume_size is not None:
            if image is None:
                raise ValidationError("ex_boot_volume_size needs the image to copy")
            mappings.insert(
                0,
                {
                    "boot_index": 0,
                    "uuid": ident(image),
                    "source_type": "image",
                    "destination_type": "volume",
                    "volume_size": int(ex_boot_volume_size),
                    "delete_on_termination": ex_delete_boot_volume,
                },
            )
        elif image is not None:
            server["imageRef"] = ident(image)
        else:
            raise ValidationError("create_node needs an image or a boot volume")
        if mappings:
            server["block_device_mapping_v2"] = mappings
        wanted = _network_refs(ex_networks if ex_networks is not None else networks)
        if wanted is None and self._at_least(2, 37):
            wanted = "auto"
        if wanted is not None:
            server["networks"] = wanted
        if isinstance(auth, NodeAuthPassword):
            ex_admin_pass = auth.password
        if ex_admin_pass:
            server["adminPass"] = ex_admin_pass
        if ex_disk_config:
            server["OS-DCF:diskConfig"] = ex_disk_config
        groups = [getattr(g, "name", g) for g in ex_security_groups or []]
        optional: dict[str, Any] = {
            "key_name": ex_keyname,
            "security_groups": [{"name": str(g)} for g in groups] or None,
            "user_data": _user_data(ex_userdata),
            "metadata": dict(ex_metadata) if ex_metadata else None,
            "availability_zone": ex_availability_zone or (location.id if location else None),
            "config_drive": ex_config_drive,
            "tags": list(ex_tags) if ex_tags and self._at_least(2, 52) else None,
            "description": ex_description if self._at_least(2, 19) else None,
        }
        server.update({k: v for k, v in optional.items() if v is not None})
        request: dict[str, Any] = {"server": server}
        if ex_os_scheduler_hints:
            request["os:scheduler_hints"] = dict(ex_os_scheduler_hints)
        answer = yield from self._json("compute", "POST", "/servers", request)
        created = (answer or {}).get("server") or {}
        node = yield from self._node_of(str(created.get("id") or ""))
        password = ex_admin_pass or created.get("adminPass")
        if password:
            node.extra = {**node.extra, "password": password}
        if ex_tags and not self._at_least(2, 52) and self._at_least(2, 26):
            yield from self._json(
                "compute", "PUT", f"/servers/{node.id}/tags", {"tags": list(ex_tags)}
            )
            node.extra = {**node.extra, "tags": list(ex_tags)}
        return node

    def _action(self, node: Any, body: Mapping[str, Any]) -> Flow[Any]:
        return (yield from self._json("compute", "POST", f"/servers/{ident(node)}/action", body))

    @operation
    def reboot_node(self, node: Node, ex_hard: bool = False, ex_wait: bool = True) -> Flow[bool]:
        """Reboot (soft, or hard with ``ex_hard=True``); unless ``ex_wait=False``, returns once
        the server is ACTIVE again (Nova refuses other actions while it reboots)."""
        yield from self._action(node, {"reboot": {"type": "HARD" if ex_hard else "SOFT"}})
        if ex_wait:
            yield from type(self).ex_wait_for_state(self, node, "ACTIVE")
        return True

    @operation
    def ex_hard_reboot_node(self, node: Node) -> Flow[bool]:
        """Hard reboot (power cycle)."""
        return (yield from type(self).reboot_node(self, node, ex_hard=True))

    @operation
    def ex_soft_reboot_node(self, node: Node) -> Flow[bool]:
        """Soft reboot (the guest is asked to restart)."""
        return (yield from type(self).reboot_node(self, node))

    @operation
    def start_node(self, node: Node) -> Flow[bool]:
        """Power on a SHUTOFF server."""
        yield from self._action(node, {"os-start": None})
        return True

    @operation
    def stop_node(self, node: Node) -> Flow[bool]:
        """Power off a server."""
        yield from self._action(node, {"os-stop": None})
        return True

    @operation
    def destroy_node(self, node: Node) -> Flow[bool]:
        """Delete a server (it shows as TERMINATED while Nova deletes it)."""
        yield from self._send("compute", "DELETE", f"/servers/{ident(node)}")
        return True

    @operation
    def ex_rebuild(
        self,
        node: Node,
        image: NodeImage,
        ex_metadata: Mapping[str, str] | None = None,
        ex_name: str | None = None,
        ex_admin_pass: str | None = None,
    ) -> Flow[bool]:
        """Rebuild the server from ``image`` (its disk is replaced)."""
        body: dict[str, Any] = {"imageRef": ident(image)}
        if ex_metadata is not None:
            body["metadata"] = dict(ex_metadata)
        if ex_name:
            body["name"] = ex_name
        if ex_admin_pass:
            body["adminPass"] = ex_admin_pass
        yield from self._action(node, {"rebuild": body})
        return True

    @operation
    def ex_resize(self, node: Node, size: NodeSize) -> Flow[bool]:
        """Start resizing to ``size``; confirm (or revert) once it is VERIFY_RESIZE."""
        yield from self._action(node, {"resize": {"flavorRef": ident(size)}})
        return True

    @operation
    def ex_confirm_resize(self, node: Node) -> Flow[bool]:
        """Keep the new flavor of a VERIFY_RESIZE server."""
        yield from self._action(node, {"confirmResize": None})
        return True

    @operation
    def ex_revert_resize(self, node: Node) -> Flow[bool]:
        """Go back to the old flavor of a VERIFY_RESIZE server."""
        yield from self._action(node, {"revertResize": None})
        return True

    @operation
    def ex_wait_for_state(
        self, node: Node, status: str | Sequence[str], timeout: float | None = None
    ) -> Flow[Node]:
        """Poll until the server's Nova ``status`` is one of ``status`` (``"ACTIVE"``,
        ``"VERIFY_RESIZE"``...) with no task in progress; the Node."""
        wanted = {status} if isinstance(status, str) else set(status)

        def check() -> Flow[PollStatus]:
            current = yield from self._node_of(node)
            done = current.extra.get("status") in wanted and not current.extra.get("task_state")
            if not done and current.extra.get("status") == "ERROR" and "ERROR" not in wanted:
                fault = current.extra.get("fault") or {}
                raise ValidationError(
                    f"server {current.id} went to ERROR: {fault.get('message', 'no message')}"
                )
            return PollStatus(done=done, value=current)

        found: Node = yield from self._wait(check, f"server {ident(node)} to be {status}", timeout)
        return found

    # -- catalogue ----------------------------------------------------------------------------
    @operation
    def list_sizes(self, location: NodeLocation | None = None) -> Flow[list[NodeSize]]:
        """Flavors (RAM in MB, disk in GB, vCPUs in ``extra["vcpus"]``)."""
        sizes: list[NodeSize] = yield from self._all(
            "compute", "/flavors/detail", "flavors", SIZE.bind(driver=self)
        )
        return sizes

    @operation
    def ex_get_size(self, size_id: str) -> Flow[NodeSize]:
        """One flavor by id."""
        doc = yield from self._get("compute", f"/flavors/{ident(size_id)}")
        return SIZE(doc["flavor"], driver=self)

    @operation
    def list_locations(self) -> Flow[list[NodeLocation]]:
        """Availability zones."""
        doc = yield from self._get("compute", "/os-availability-zone")
        zones = [z for z in (doc or {}).get("availabilityZoneInfo") or [] if z.get("zoneName")]
        convert = LOCATION.bind(driver=self, country="")
        return [convert(z) for z in zones] or [
            NodeLocation(id="nova", name="nova", country="", driver=self)
        ]

    @listing
    def iterate_images(self, ex_filters: Mapping[str, Any] | None = None) -> Items[NodeImage]:
        """Glance images lazily, following the ``next`` links."""
        flow = self._pages("image", "/images", "images", ex_filters)
        return Items(mapped(flow, IMAGE.bind(driver=self)))

    @operation
    def list_images(
        self, location: NodeLocation | None = None, ex_filters: Mapping[str, Any] | None = None
    ) -> Flow[list[NodeImage]]:
        """Every image the project may boot (``ex_filters``: Glance's, e.g. ``status``)."""
        images: list[NodeImage] = yield from self._all(
            "image", "/images", "images", IMAGE.bind(driver=self), ex_filters
        )
        return images

    @operation
    def get_image(self, image_id: str) -> Flow[NodeImage]:
        """One image by id."""
        doc = yield from self._get("image", f"/images/{ident(image_id)}")
        return IMAGE(doc, driver=self)

    @operation
    def create_image(
        self,
        node: Node,
        name: str,
        description: str | None = None,
        ex_metadata: Mapping[str, str] | None = None,
    ) -> Flow[NodeImage]:
        """Snapshot ``node`` into a new Glance image (it is ``saving`` for a while)."""
        body: dict[str, Any] = {"name": name}
        metadata = dict(ex_metadata or {})
        if description:
            metadata.setdefault("description", description)
        if metadata:
            body["metadata"] = metadata
        response = yield from self._send(
            "compute", "POST", f"/servers/{ident(node)}/action", {"createImage": body}
        )
        image_id = None
        if response.content and "json" in response.content_type:
            image_id = (response.json() or {}).get("image_id")
        location = response.headers.get("location") or ""
        image_id = image_id or location.rstrip("/").rsplit("/", 1)[-1]
        image: NodeImage = yield from type(self).get_image(self, image_id)
        return image

    @operation
    def delete_image(self, node_image: NodeImage) -> Flow[bool]:
        """Delete an image."""
        yield from self._send("image", "DELETE", f"/images/{ident(node_image)}")
        return True

    #: Libcloud's names.
    ex_get_node_details = ex_get_node
