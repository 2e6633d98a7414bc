"""Instances as nodes (create, list lazily across zones, get, reset, start, stop, delete),
machine types, zones and regions, and images (public image projects plus the project's own,
families resolved to their newest image)."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

from omnicloud._collect import collect, mapped
from omnicloud._flow import Emit
from omnicloud.compute._models import (
    Node,
    NodeAuthPassword,
    NodeAuthSSHKey,
    NodeImage,
    NodeLocation,
    NodeSize,
)
from omnicloud.compute._shell import Items, listing, operation
from omnicloud.errors import NotFoundError, ValidationError
from omnicloud.gcp._compute import GCENotFoundError

from .gce_base import GCEBase, check_name, name_of, segment, size_gb
from .gce_convert import IMAGE, LOCATION, NODE, REGION, SIZE
from .gce_models import GCEAddress, GCERegion

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["PUBLIC_IMAGE_PROJECTS", "GCENodes"]

#: The public image projects :meth:`GCENodes.list_images` and image lookups search.
PUBLIC_IMAGE_PROJECTS: tuple[str, ...] = (
    "debian-cloud",
    "ubuntu-os-cloud",
    "centos-cloud",
    "rocky-linux-cloud",
    "cos-cloud",
    "rhel-cloud",
    "suse-cloud",
    "windows-cloud",
)
#: Family prefixes and the public project that publishes them (looked at first).
_FAMILY_PROJECTS = (
    ("debian-", "debian-cloud"),
    ("ubuntu-", "ubuntu-os-cloud"),
    ("centos-", "centos-cloud"),
    ("rocky-linux-", "rocky-linux-cloud"),
    ("cos-", "cos-cloud"),
    ("rhel-", "rhel-cloud"),
    ("sles-", "suse-cloud"),
    ("windows-", "windows-cloud"),
)
_SCOPE_ALIASES = {
    "cloud-platform": "cloud-platform",
    "compute-ro": "compute.readonly",
    "compute-rw": "compute",
    "storage-ro": "devstorage.read_only",
    "storage-rw": "devstorage.read_write",
    "storage-full": "devstorage.full_control",
    "logging-write": "logging.write",
    "monitoring-write": "monitoring.write",
    "userinfo-email": "userinfo.email",
}


def _metadata_items(value: Any) -> list[dict[str, str]]:
    """``ex_metadata`` as metadata items: a dict, or Libcloud's ``{"items": [...]}``."""
    if value is None:
        return []
    if isinstance(value, Mapping) and isinstance(value.get("items"), list):
        pairs = [(i.get("key"), i.get("value")) for i in value["items"] if isinstance(i, Mapping)]
    elif isinstance(value, Mapping):
        pairs = list(value.items())
    else:
        raise ValidationError("ex_metadata must be a dict (or Libcloud's {'items': [...]})")
    return [{"key": str(k), "value": str(v)} for k, v in pairs if k]


def _service_accounts(value: Any) -> list[dict[str, Any]]:
    """Libcloud's ``ex_service_accounts``: ``[{"email": ..., "scopes": ["storage-ro"]}]``."""
    accounts = []
    for entry in value or []:
        if not isinstance(entry, Mapping):
            raise ValidationError("ex_service_accounts items are {'email':..., 'scopes': [...]}")
        scopes = []
        for scope in entry.get("scopes") or ["devstorage.read_only"]:
            scope = str(scope)
            if "://" not in scope:
                scope = "https://www.googleapis.com/auth/" + _SCOPE_ALIASES.get(scope, scope)
            scopes.append(scope)
        accounts.append({"email": str(entry.get("email") or "default"), "scopes": scopes})
    return accounts


class GCENodes(GCEBase):
    """Instances, machine types, zones, regions, images."""

    # -- instances ----------------------------------------------------------------------------
    def _node_pages(self, ex_zone: Any, ex_filter: str | None) -> Flow[None]:
        query = {"filter": ex_filter}
        if ex_zone is None or ex_zone == "all":
            return self._aggregated("instances", query)
        zone = segment(name_of(ex_zone, "zone"))
        return self._pages(f"zones/{zone}/instances", query)

    @listing
    def iterate_nodes(self, ex_zone: Any = None, ex_filter: str | None = None) -> Items[Node]:
        """Instances lazily, one page (``pageToken``) at a time: of every zone (an aggregated
        list), or of ``ex_zone``; ``ex_filter`` is Compute Engine's filter expression."""
        return Items(mapped(self._node_pages(ex_zone, ex_filter), NODE.bind(driver=self)))

    @operation
    def list_nodes(self, ex_zone: Any = None, ex_filter: str | None = None) -> Flow[list[Node]]:
        """Every instance of the project (``ex_zone``: one zone's only)."""
        nodes: list[Node] = yield from self._all(
            self._node_pages(ex_zone, ex_filter), NODE.bind(driver=self)
        )
        return nodes

    @operation
    def ex_get_node(self, name: str, zone: Any = None) -> Flow[Node]:
        """An instance by name (or numeric id) in ``zone``; without a zone, it is looked up
        across every zone. NotFoundError when there is none."""
        wanted = str(getattr(name, "name", name) or "")
        if zone is not None:
            path = f"zones/{segment(name_of(zone, 'zone'))}/instances/{segment(wanted)}"
            doc = yield from self._get(path)
            return NODE(doc, driver=self)
        field = "id" if wanted.isdigit() else "name"
        nodes: list[Node] = []
        if field == "id" or _is_name(wanted):  # anything else names no instance
            nodes = yield from type(self).list_nodes(self, ex_filter=f"{field} = {wanted}")
        found = [n for n in nodes if (n.id if field == "id" else n.name) == wanted]
        if not found:
            raise GCENotFoundError(
                f"gce: no instance {wanted!r} in project {self.project!r}", status=404,
                code="notFound", provider="gce",
            )  # fmt: skip
        return found[0]

    @operation
    def create_node(
        self,
        name: str,
        size: NodeSize | str,
        image: NodeImage | str | None,
        location: NodeLocation | str | None = None,
        ex_network: Any = "default",
        ex_subnetwork: Any = None,
        ex_tags: Sequence[str] | None = None,
        ex_metadata: Any = None,
        external_ip: Any = "ephemeral",
        ex_disk_type: str = "pd-standard",
        ex_disk_auto_delete: bool = True,
        ex_service_accounts: Sequence[Mapping[str, Any]] | None = None,
        description: str | None = None,
        ex_can_ip_forward: bool | None = None,
        ex_on_host_maintenance: str | None = None,
        ex_automatic_restart: bool | None = None,
        ex_preemptible: bool | None = None,
        ex_image_family: str | None = None,
        ex_labels: Mapping[str, str] | None = None,
        ex_disk_size: int | None = None,
        auth: NodeAuthSSHKey | NodeAuthPassword | None = None,
        ex_ssh_user: str = "omnicloud",
    ) -> Flow[Node]:
        """Create an instance and wait for its zone operation; an operation error (quota,
        unknown image...) raises with Google's message.

        ``image``: a NodeImage, an image name or a family (``"debian-12"``: its newest image),
        searched in the project and the public image projects. ``external_ip``:
        ``"ephemeral"`` (default), None (no external address) or a static address (a
        :class:`GCEAddress` or its IP). ``ex_metadata``: metadata items such as
        ``{"startup-script": ...}``. ``auth=NodeAuthSSHKey(pub)`` adds the key for
        ``ex_ssh_user`` to the instance's ``ssh-keys``.
        """
        check_name(name, "instance name")
        if isinstance(ex_tags, str):
            ex_tags = [ex_tags]
        if ex_labels is not None and not isinstance(ex_labels, Mapping):
            raise ValidationError("ex_labels must be a dict of label names to values")
        if isinstance(auth, NodeAuthPassword):
            raise ValidationError("Compute Engine logs in with SSH keys: pass auth=NodeAuthSSHKey")
        zone = self._zone_of(location, "create_node")
        machine = name_of(size, "size")
        items = _metadata_items(ex_metadata)
        disk_size = None if ex_disk_size is None else size_gb(ex_disk_size, "ex_disk_size")
        found = image if isinstance(image, NodeImage) and image.extra.get("selfLink") else None
        if found is None:
            wanted = image if image is not None else ex_image_family
            found = yield from type(self).ex_get_image(self, name_of(wanted, "image"))
        source = f"projects/{found.extra.get('project') or self.project}/global/images/{found.name}"
        init: dict[str, Any] = {
            "sourceImage": source,
            "diskType": f"zones/{zone}/diskTypes/{name_of(ex_disk_type, 'disk type')}",
        }
        if disk_size is not None:
            init["diskSizeGb"] = disk_size
        nic: dict[str, Any] = {}
        if ex_network is not None:
            network = name_of(ex_network, "network")
            nic["network"] = f"global/networks/{network}"
        if ex_subnetwork is not None:
            subnet = getattr(ex_subnetwork, "name", ex_subnetwork)
            nic["subnetwork"] = (
                subnet
                if "/" in str(subnet)
                else f"regions/{zone.rsplit('-', 1)[0]}/subnetworks/{subnet}"
            )
        if external_ip is not None:
            config: dict[str, Any] = {"name": "External NAT", "type": "ONE_TO_ONE_NAT"}
            if external_ip != "ephemeral":
                config["natIP"] = (
                    external_ip.address if isinstance(external_ip, GCEAddress) else str(external_ip)
                )
            nic["accessConfigs"] = [config]
        if isinstance(auth, NodeAuthSSHKey):
            line = f"{ex_ssh_user}:{auth.pubkey.strip()}"
            keys = next((i for i in items if i["key"] == "ssh-keys"), None)
            if keys is None:
                items.append({"key": "ssh-keys", "value": line})
            else:
                keys["value"] = f"{keys['value'].rstrip()}\n{line}"
        body: dict[str, Any] = {
            "name": name,
            "machineType": f"zones/{zone}/machineTypes/{machine}",
            "disks": [
                {
                    "boot": True,
                    "autoDelete": ex_disk_auto_delete,
                    "type": "PERSISTENT",
                    "mode": "READ_WRITE",
                    "initializeParams": init,
                }
            ],
            "networkInterfaces": [nic],
        }
        optional: dict[str, Any] = {
            "tags": {"items": list(ex_tags)} if ex_tags else None,
            "labels": dict(ex_labels) if ex_labels else None,
            "metadata": {"items": items} if items else None,
            "serviceAccounts": _service_accounts(ex_service_accounts) or None,
            "description": description,
            "canIpForward": ex_can_ip_forward,
        }
        scheduling: dict[str, Any] = {}
        if ex_preemptible:
            scheduling = {
                "preemptible": True,
                "automaticRestart": False,
                "onHostMaintenance": "TERMINATE",
            }
        if ex_on_host_maintenance is not None:
            scheduling["onHostMaintenance"] = ex_on_host_maintenance
        if ex_automatic_restart is not None:
            scheduling["automaticRestart"] = ex_automatic_restart
        if scheduling:
            optional["scheduling"] = scheduling
        body.update({k: v for k, v in optional.items() if v is not None})
        yield from self._act(
            "POST", f"zones/{segment(zone)}/instances", body, what=f"create instance {name}"
        )
        node: Node = yield from type(self).ex_get_node(self, name, zone)
        return node

    def _node_action(self, node: Any, action: str) -> Flow[bool]:
        path = self._node_path(node)
        what = f"{action} instance {name_of(node, 'node')}"
        yield from self._act("POST", f"{path}/{action}", what=what)
        return True

    @operation
    def reboot_node(self, node: Node) -> Flow[bool]:
        """Reset the instance (a hard reset) and wait for the operation."""
        return (yield from self._node_action(node, "reset"))

    @operation
    def start_node(self, node: Node) -> Flow[bool]:
        """Start a stopped (TERMINATED) instance and wait for the operation."""
        return (yield from self._node_action(node, "start"))

    @operation
    def stop_node(self, node: Node) -> Flow[bool]:
        """Stop the instance and wait until it is stopped."""
        return (yield from self._node_action(node, "stop"))

    @operation
    def destroy_node(self, node: Node, destroy_boot_disk: bool = False) -> Flow[bool]:
        """Delete the instance and wait for the operation (its boot disk goes with it unless
        created with ``ex_disk_auto_delete=False``; ``destroy_boot_disk`` then deletes it)."""
        boot = (getattr(node, "extra", None) or {}).get("boot_disk")
        path = self._node_path(node)
        yield from self._act("DELETE", path, what=f"delete instance {name_of(node, 'node')}")
        if destroy_boot_disk and boot:
            disk = f"zones/{segment(self._zone_of_node(node))}/disks/{segment(boot)}"
            with contextlib.suppress(NotFoundError):  # auto-deleted with the instance
                yield from self._act("DELETE", disk, what=f"delete disk {boot}")
        return True

    @operation
    def ex_start_node(self, node: Node) -> Flow[bool]:
        """Libcloud's name of :meth:`start_node`."""
        return (yield from type(self).start_node(self, node))

    @operation
    def ex_stop_node(self, node: Node) -> Flow[bool]:
        """Libcloud's name of :meth:`stop_node`."""
        return (yield from type(self).stop_node(self, node))

    # -- catalogue ----------------------------------------------------------------------------
    @operation
    def list_sizes(self, location: NodeLocation | str | None = None) -> Flow[list[NodeSize]]:
        """Machine types of ``location`` (default: the driver's zone; every zone's when the
        driver has none), RAM in MB, vCPUs in ``extra["guestCpus"]``, prices when the pricing
        file has them."""
        zone = name_of(location, "location") if location is not None else self.zone
        if zone is None:
            flow = self._aggregated("machineTypes")
            region = None
        else:
            flow = self._pages(f"zones/{segment(zone)}/machineTypes")
            region = zone.rsplit("-", 1)[0]
        sizes: list[NodeSize] = yield from self._all(flow, SIZE.bind(driver=self, region=region))
        return sizes

    @operation
    def ex_get_size(self, name: str, zone: Any = None) -> Flow[NodeSize]:
        """One machine type by name."""
        where = self._zone_of(zone, "ex_get_size")
        doc = yield from self._get(f"zones/{segment(where)}/machineTypes/{segment(name)}")
        return SIZE(doc, driver=self, region=where.rsplit("-", 1)[0])

    @operation
    def list_locations(self) -> Flow[list[NodeLocation]]:
        """Zones."""
        zones: list[NodeLocation] = yield from self._all(
            self._pages("zones"), LOCATION.bind(driver=self, country="")
        )
        return zones

    @operation
    def ex_get_zone(self, name: str) -> Flow[NodeLocation]:
        """One zone by name."""
        doc = yield from self._get(f"zones/{segment(name_of(name, 'zone'))}")
        return LOCATION(doc, driver=self, country="")

    @operation
    def ex_list_regions(self) -> Flow[list[GCERegion]]:
        """Regions (``zones``: their zone names)."""
        regions: list[GCERegion] = yield from self._all(
            self._pages("regions"), REGION.bind(driver=self)
        )
        return regions

    # -- images -------------------------------------------------------------------------------
    def _image_pages(self, projects: Sequence[str], deprecated: bool) -> Flow[None]:
        for project in projects:
            try:
                docs: list[Any] = yield from collect(
                    self._pages(f"projects/{segment(project)}/global/images"), dict
                )
            except GCENotFoundError:
                continue  # an image project this endpoint does not know
            if not deprecated:
                docs = [d for d in docs if not (d.get("deprecated") or {}).get("state")]
            if docs:
                yield Emit(docs)

    def _image_projects(self, ex_image_projects: Sequence[str] | None) -> list[str]:
        others = PUBLIC_IMAGE_PROJECTS if ex_image_projects is None else ex_image_projects
        return [self.project, *(p for p in others if p != self.project)]

    @listing
    def iterate_images(
        self,
        ex_include_deprecated: bool = False,
        ex_image_projects: Sequence[str] | None = None,
    ) -> Items[NodeImage]:
        """Images of the project, then of the public image projects, lazily."""
        flow = self._image_pages(self._image_projects(ex_image_projects), ex_include_deprecated)
        return Items(mapped(flow, IMAGE.bind(driver=self)))

    @operation
    def list_images(
        self,
        location: NodeLocation | None = None,
        ex_include_deprecated: bool = False,
        ex_image_projects: Sequence[str] | None = None,
    ) -> Flow[list[NodeImage]]:
        """Images nodes can boot from: the project's own and those of the public image
        projects (:data:`PUBLIC_IMAGE_PROJECTS`, or ``ex_image_projects``), deprecated ones
        only with ``ex_include_deprecated=True``."""
        flow = self._image_pages(self._image_projects(ex_image_projects), ex_include_deprecated)
        images: list[NodeImage] = yield from self._all(flow, IMAGE.bind(driver=self))
        return images

    def _try_image(self, path: str) -> Flow[NodeImage | None]:
        try:
            doc = yield from self._get(path)
        except GCENotFoundError:
            return None
        return IMAGE(doc, driver=self)

    @operation
    def ex_get_image(
        self, partial_name: str, ex_project_list: Sequence[str] | None = None
    ) -> Flow[NodeImage]:
        """An image by name, by family (its newest image: ``"debian-12"``), by
        ``projects/P/global/images/NAME`` (or ``.../family/F``) or by URL, searched in the
        project then the public image projects. NotFoundError names what was searched."""
        wanted = str(partial_name or "")
        if "projects/" in wanted:
            path = "projects/" + wanted.split("projects/", 1)[1]
            found = yield from self._try_image(path)
            if found is None:
                raise GCENotFoundError(
                    f"gce: no image {wanted!r}", status=404, code="notFound", provider="gce"
                )
            return found
        if not wanted or "/" in wanted:
            raise ValidationError(f"not an image name, family or URL: {partial_name!r}")
        projects = self._image_projects(ex_project_list)
        guessed = [p for prefix, p in _FAMILY_PROJECTS if wanted.startswith(prefix)]
        ordered = [self.project, *guessed, *(p for p in projects if p not in guessed)]
        ordered = list(dict.fromkeys(ordered))
        for project in ordered:
            base = f"projects/{segment(project)}/global/images"
            found = yield from self._try_image(f"{base}/{segment(wanted)}")
            if found is None:
                found = yield from self._try_image(f"{base}/family/{segment(wanted)}")
            if found is not None:
                return found
        raise GCENotFoundError(
            f"gce: no image or image family {wanted!r} in projects {', '.join(ordered)}",
            status=404, code="notFound", provider="gce",
        )  # fmt: skip

    @operation
    def get_image(self, image_id: str) -> Flow[NodeImage]:
        """One image by numeric id (searched in the image projects) or by name or family."""
        wanted = str(image_id or "")
        if not wanted.isdigit():
            if "projects/" not in wanted and not _is_name(wanted):
                raise GCENotFoundError(
                    f"gce: no image {wanted!r}", status=404, code="notFound", provider="gce"
                )
            return (yield from type(self).ex_get_image(self, wanted))
        for project in self._image_projects(None):
            try:
                docs: list[Any] = yield from self._all(
                    self._pages(
                        f"projects/{segment(project)}/global/images",
                        {"filter": f"id = {wanted}"},
                    ),
                    dict,
                )
            except GCENotFoundError:
                continue
            match = next((d for d in docs if str(d.get("id")) == wanted), None)
            if match is not None:
                return IMAGE(match, driver=self)
        raise GCENotFoundError(
            f"gce: no image with id {wanted}", status=404, code="notFound", provider="gce"
        )

    @operation
    def delete_image(self, node_image: NodeImage) -> Flow[bool]:
        """Delete one of the project's images."""
        name = name_of(node_image, "image")
        yield from self._act(
            "DELETE", f"global/images/{segment(name)}", what=f"delete image {name}"
        )
        return True

    @operation
    def create_image(
        self,
        node: Any,
        name: str,
        description: str | None = None,
        ex_family: str | None = None,
    ) -> Flow[NodeImage]:
        """An image of ``node``'s boot disk (or of a StorageVolume), in the project."""
        check_name(name, "image name")
        disk = getattr(node, "extra", {}).get("boot_disk") if isinstance(node, Node) else None
        zone_hint = getattr(node, "extra", {}).get("zone")
        disk = disk or name_of(node, "disk")
        zone = self._zone_of(zone_hint, "create_image")
        body: dict[str, Any] = {"name": name, "sourceDisk": f"zones/{zone}/disks/{disk}"}
        if description:
            body["description"] = description
        if ex_family:
            body["family"] = ex_family
        yield from self._act("POST", "global/images", body, what=f"create image {name}")
        doc = yield from self._get(f"global/images/{segment(name)}")
        return IMAGE(doc, driver=self)


def _is_name(text: str) -> bool:
    try:
        check_name(text)
    except ValidationError:
        return False
    return True
