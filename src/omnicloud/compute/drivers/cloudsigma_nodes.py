"""CloudSigma servers as nodes: list (with boot drives per page), create, power, edit, VNC."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from omnicloud.cloudsigma._protocol import list_items
from omnicloud.cloudsigma._regions import REGIONS
from omnicloud.compute._models import (
    Node,
    NodeAuthPassword,
    NodeAuthSSHKey,
    NodeImage,
    NodeLocation,
    NodeSize,
)
from omnicloud.compute._shell import Items, computed, listing, operation
from omnicloud.errors import ValidationError

from .cloudsigma_base import CloudSigmaBase, ident
from .cloudsigma_convert import CAPABILITIES, LOCATION, NODE, boot_drive_uuid
from .cloudsigma_models import CloudSigmaCapabilities, CloudSigmaNodeSize
from .cloudsigma_sizes import check_size, predefined_sizes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["CloudSigmaNodes"]


def _uuids(values: Sequence[Any] | None) -> list[str] | None:
    return [ident(v) for v in values] if values else None


class CloudSigmaNodes(CloudSigmaBase):
    """Node operations."""

    # -- listing ------------------------------------------------------------------------------
    def _nodes_of_page(self, servers: list[Any]) -> Flow[list[Node]]:
        """Nodes for one page of servers, their boot drives fetched in one request."""
        uuids = sorted({u for u in map(boot_drive_uuid, servers) if u})
        drives: dict[str, Any] = {}
        if uuids:
            found = yield from self._get("drives/detail", uuid=",".join(uuids), limit=0)
            drives = {d["uuid"]: d for d in (found or {}).get("objects", [])}
            missing = [u for u in uuids if u not in drives]
            if missing:
                libs = yield from self._get("libdrives", uuid=",".join(missing), limit=0)
                drives.update({d["uuid"]: d for d in (libs or {}).get("objects", [])})
        node = NODE.bind(driver=self, drives=drives, mhz_per_core=self.mhz_per_core)
        return [node(s) for s in servers]

    def _servers_path(self, ex_tag: Any) -> str:
        return f"tags/{ident(ex_tag)}/servers/detail" if ex_tag is not None else "servers/detail"

    @listing
    def iterate_nodes(self, ex_tag: Any = None) -> Items[Node]:
        """Nodes lazily, one page (and one boot-drive request) at a time."""
        flow = list_items(self._settings, self._servers_path(ex_tag), pages=self._nodes_of_page)
        return Items(flow)

    @operation
    def list_nodes(self, ex_tag: Any = None) -> Flow[list[Node]]:
        """Every server (``ex_tag``: only those with this tag) with size and image filled in."""
        nodes: list[Node] = yield from self._all(
            self._servers_path(ex_tag), lambda n: n, pages=self._nodes_of_page
        )
        return nodes

    def _node(self, node_id: str) -> Flow[Node]:
        doc = yield from self._get(f"servers/{node_id}")
        (node,) = yield from self._nodes_of_page([doc])
        return node

    @operation
    def ex_get_node(self, node_id: str, return_json: bool = False) -> Flow[Any]:
        """One server as a Node (or the raw document with ``return_json=True``)."""
        if return_json:
            doc = yield from self._get(f"servers/{ident(node_id)}")
            return doc
        node: Node = yield from self._node(ident(node_id))
        return node

    # -- catalogue ----------------------------------------------------------------------------
    @computed
    def list_sizes(self, location: NodeLocation | None = None) -> list[NodeSize]:
        """The predefined sizes (any custom :class:`CloudSigmaNodeSize` works too)."""
        return list(predefined_sizes(self, self.mhz_per_core))

    @operation
    def list_locations(self) -> Flow[list[NodeLocation]]:
        """The cloud's locations (``GET /locations/``)."""
        found = yield from self._get("locations", limit=0)
        objects = (found or {}).get("objects") or []
        return list(map(LOCATION.bind(driver=self), objects)) or [
            NodeLocation(id=r.id, name=r.name, country=r.country, driver=self)
            for r in REGIONS.values()
        ]

    @operation
    def ex_list_capabilities(self) -> Flow[CloudSigmaCapabilities]:
        """The location's limits for this account."""
        raw = yield from self._get("capabilities")
        self._capabilities = CAPABILITIES(raw or {})
        return self._capabilities

    def _caps(self) -> Flow[CloudSigmaCapabilities]:
        """Fresh capabilities (they change with the account and location)."""
        caps: CloudSigmaCapabilities = yield from type(self).ex_list_capabilities(self)
        return caps

    # -- create -------------------------------------------------------------------------------
    def _boot_drive(self, name: str, size: CloudSigmaNodeSize, image: Any, avoid: Any) -> Flow[Any]:
        """Clone ``image``, wait, grow it to the size's disk, wait; the drive document."""
        params = {"avoid": avoid} if avoid else {}
        result = yield from self._action(
            f"drives/{ident(image)}", "clone", {"name": f"{name}-drive", "media": "disk"}, **params
        )
        drive = (result.get("objects") or [result])[0] if isinstance(result, dict) else result
        path = f"drives/{drive['uuid']}"
        drive = yield from self._wait(path, "unmounted")
        if size.disk_bytes > int(drive.get("size") or 0):
            body = {k: drive[k] for k in ("name", "media", "storage_type") if k in drive}
            yield from self._action(path, "resize", {**body, "size": size.disk_bytes})
            drive = yield from self._wait(path, "unmounted")
        return drive

    @operation
    def create_node(
        self,
        name: str,
        size: NodeSize,
        image: NodeImage,
        location: NodeLocation | None = None,
        auth: NodeAuthSSHKey | NodeAuthPassword | None = None,
        ex_metadata: Mapping[str, str] | None = None,
        ex_vnc_password: str | None = None,
        ex_avoid: Sequence[Any] | None = None,
        ex_vlan: Any = None,
        public_keys: Sequence[Any] | None = None,
        ex_tags: Sequence[Any] | None = None,
        ex_check_capabilities: bool = True,
    ) -> Flow[Node]:
        """Clone the image, wait, resize, create the server, start it (``ex_avoid``: servers
        to keep away from). An installation CD is attached instead of cloned."""
        self._check_auth(auth)
        if not isinstance(size, CloudSigmaNodeSize):
            raise ValidationError(
                "CloudSigma needs a CloudSigmaNodeSize (from list_sizes() or "
                "CloudSigmaNodeSize.custom(...)) so CPU units are explicit"
            )
        check_size(size)
        if ex_check_capabilities:
            check_size(size, (yield from self._caps()))
        avoid = _uuids(ex_avoid)
        is_cd = getattr(image, "media", None) == "cdrom"
        drive_id = ident(image)
        if not is_cd:
            drive = yield from self._boot_drive(name, size, image, avoid)
            drive_id = drive["uuid"]
        meta = dict(ex_metadata or {})
        if isinstance(auth, NodeAuthSSHKey):
            meta["ssh_public_key"] = auth.pubkey
        nics: list[dict[str, Any]] = [{"ip_v4_conf": {"conf": "dhcp", "ip": None}}]
        if ex_vlan is not None:
            nics.append({"vlan": ident(ex_vlan)})
        server = {
            "name": name,
            "cpu": size.cpu_mhz,
            "mem": size.mem_bytes,
            "smp": size.cores,
            "vnc_password": ex_vnc_password or secrets.token_hex(6),
            "meta": meta,
            "pubkeys": _uuids(public_keys) or [],
            "nics": nics,
            "drives": [
                {
                    "drive": drive_id,
                    "device": "ide" if is_cd else "virtio",
                    "dev_channel": "0:0",
                    "boot_order": 1,
                }
            ],
            "tags": _uuids(ex_tags) or [],
        }
        try:
            created = yield from self._create("servers", [server])
        except Exception:
            if not is_cd:
                yield from self._send("DELETE", f"drives/{drive_id}")
            raise
        yield from self._action(
            f"servers/{created['uuid']}", "start", **({"avoid": avoid} if avoid else {})
        )
        node: Node = yield from self._node(created["uuid"])
        return node

    # -- power --------------------------------------------------------------------------------
    @operation
    def start_node(self, node: Node, ex_avoid: Sequence[Any] | None = None) -> Flow[bool]:
        """Start a stopped server, away from the servers in ``ex_avoid`` (best effort)."""
        avoid = _uuids(ex_avoid)
        params = {"avoid": avoid} if avoid else {}
        yield from self._action(f"servers/{ident(node)}", "start", **params)
        return True

    @operation
    def ex_start_node(self, node: Node, ex_avoid: Sequence[Any] | None = None) -> Flow[bool]:
        """Libcloud's alias of :meth:`start_node`."""
        result: bool = yield from type(self).start_node(self, node, ex_avoid)
        return result

    @operation
    def stop_node(self, node: Node) -> Flow[bool]:
        """Power the server off (hard stop)."""
        yield from self._action(f"servers/{ident(node)}", "stop")
        return True

    @operation
    def ex_stop_node(self, node: Node) -> Flow[bool]:
        """Libcloud's alias of :meth:`stop_node`."""
        result: bool = yield from type(self).stop_node(self, node)
        return result

    @operation
    def ex_shutdown_node(self, node: Node) -> Flow[bool]:
        """ACPI shutdown (the guest may refuse; it then keeps running)."""
        yield from self._action(f"servers/{ident(node)}", "shutdown")
        return True

    @operation
    def ex_wait_for_node(
        self, node: Node, state: str = "running", timeout: float | None = None
    ) -> Flow[Node]:
        """Wait until the server's status is ``state`` (``running``/``stopped``)."""
        yield from self._wait(f"servers/{ident(node)}", state, timeout)
        result: Node = yield from self._node(ident(node))
        return result

    @operation
    def reboot_node(self, node: Node) -> Flow[bool]:
        """Stop (waiting until stopped) and start again; CloudSigma has no reboot action."""
        path = f"servers/{ident(node)}"
        current = yield from self._get(path)
        if current.get("status") in ("running", "starting"):
            yield from self._wait(path, "running")
            yield from self._action(path, "stop")
        yield from self._wait(path, "stopped")
        yield from self._action(path, "start")
        return True

    @operation
    def destroy_node(self, node: Node, ex_delete_drives: bool = False) -> Flow[bool]:
        """Stop the server if needed and delete it (``ex_delete_drives``: its drives too)."""
        path = f"servers/{ident(node)}"
        current = yield from self._get(path)
        if current.get("status") in ("running", "starting"):
            yield from self._wait(path, "running")
            yield from self._action(path, "stop")
            yield from self._wait(path, "stopped")
        params = {"recurse": "all_drives"} if ex_delete_drives else {}
        yield from self._send("DELETE", path, **params)
        return True

    # -- edit, clone, VNC, metadata -----------------------------------------------------------
    @operation
    def ex_edit_node(self, node: Node, params: Mapping[str, Any]) -> Flow[Node]:
        """Change fields (API units: ``cpu`` MHz, ``mem`` bytes) by GET, merge, PUT.

        While the server runs, CloudSigma applies only ``name``, ``meta`` and ``tags``.
        """
        path = f"servers/{ident(node)}"
        current = yield from self._get(path)
        yield from self._send("PUT", path, {**current, **dict(params)})
        result: Node = yield from self._node(ident(node))
        return result

    @operation
    def ex_get_metadata(self, node: Node) -> Flow[dict[str, str]]:
        """The server's metadata (``meta``)."""
        doc = yield from self._get(f"servers/{ident(node)}")
        return dict(doc.get("meta") or {})

    @operation
    def ex_set_metadata(
        self, node: Node, metadata: Mapping[str, str], replace: bool = False
    ) -> Flow[dict[str, str]]:
        """Add (or with ``replace`` set) metadata keys; the resulting metadata."""
        path = f"servers/{ident(node)}"
        current = yield from self._get(path)
        meta = {} if replace else dict(current.get("meta") or {})
        meta.update({str(k): str(v) for k, v in metadata.items()})
        updated = yield from self._send("PUT", path, {**current, "meta": meta})
        return dict((updated or {}).get("meta") or meta)

    @operation
    def ex_clone_node(
        self,
        node: Node,
        name: str | None = None,
        random_vnc_password: bool | None = None,
        ex_avoid: Sequence[Any] | None = None,
    ) -> Flow[Node]:
        """Clone a stopped server (disks are cloned, CDs re-attached)."""
        body = {
            k: v
            for k, v in {"name": name, "random_vnc_password": random_vnc_password}.items()
            if v is not None
        }
        avoid = _uuids(ex_avoid)
        doc = yield from self._action(
            f"servers/{ident(node)}", "clone", body, **({"avoid": avoid} if avoid else {})
        )
        (clone,) = yield from self._nodes_of_page([doc])
        return clone

    @operation
    def ex_open_vnc_tunnel(self, node: Node) -> Flow[str]:
        """Open a VNC tunnel; the ``vnc://`` URL (the password is ``extra["vnc_password"]``)."""
        result = yield from self._action(f"servers/{ident(node)}", "open_vnc")
        return str(result["vnc_url"])

    @operation
    def ex_close_vnc_tunnel(self, node: Node) -> Flow[bool]:
        """Close the VNC tunnel."""
        yield from self._action(f"servers/{ident(node)}", "close_vnc")
        return True

    @operation
    def ex_list_servers_availability_groups(self) -> Flow[list[list[str]]]:
        """Groups of running server UUIDs that share a physical host."""
        groups = yield from self._get("servers/availability_groups")
        return [list(g) for g in groups or []]
