"""Virtual machines as nodes: list lazily (with power states and addresses), get, create
(with the network pieces it needs), power operations and destroy (with clean-up)."""

from __future__ import annotations

import base64
import contextlib
import secrets
import string
from collections.abc import Mapping, Sequence
from typing import Any

from omnicloud._collect import collect, mapped
from omnicloud._flow import Emit, Gather, step
from omnicloud.compute._models import (
    Node,
    NodeAuthPassword,
    NodeAuthSSHKey,
    NodeImage,
    NodeLocation,
    NodeSize,
)
from omnicloud.compute._shell import Items, listing, operation
from omnicloud.errors import NotFoundError, OmnicloudError, ProviderError, ValidationError

from .azure_arm_base import API, AzureBase, parse_resource_id
from .azure_arm_convert import addresses_of, to_node

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["CREATED_TAG", "AzureNodes", "split_urn"]

_VM = ("Microsoft.Compute", "virtualMachines")
_NET = "Microsoft.Network"
#: Tag put on the network pieces ``create_node`` makes, naming the VM; ``destroy_node`` removes
#: tagged pieces along with the VM.
CREATED_TAG = "omnicloud-created-for"


def split_urn(image_id: str) -> tuple[str, str, str, str] | None:
    """``(publisher, offer, sku, version)`` of ``publisher:offer:sku:version``, else None."""
    parts = image_id.split(":")
    if len(parts) != 4 or not all(parts):
        return None
    return parts[0], parts[1], parts[2], parts[3]


def _image_reference(image: Any) -> dict[str, str]:
    found = getattr(image, "id", image)
    if not isinstance(found, str) or not found:
        raise ValidationError("create_node needs an image (publisher:offer:sku:version or an id)")
    urn = split_urn(found)
    if urn is not None:
        return dict(zip(("publisher", "offer", "sku", "version"), urn, strict=True))
    if found.startswith("/subscriptions/"):
        return {"id": found}
    raise ValidationError(
        f"not an Azure image id: {found!r} (publisher:offer:sku:version or a resource id)"
    )


def _generated_password() -> str:
    """A password meeting Azure's rules (upper, lower, digit, symbol; 12 to 72 characters)."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(20))
    return f"{body}aZ9!"


def _public_addresses(ips: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Allocated addresses by public IP resource id (lower case)."""
    found: dict[str, str] = {}
    for ip in ips:
        address = (ip.get("properties") or {}).get("ipAddress")
        if address:
            found[str(ip.get("id") or "").lower()] = str(address)
    return found


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and str(a).lower() == str(b).lower()


class AzureNodes(AzureBase):
    """Virtual machines."""

    # -- reading ------------------------------------------------------------------------------
    def _network_list(self, kind: str, what: str, resource_group: str | None) -> Flow[Any]:
        path = self._scope(_NET, kind, resource_group)
        return (yield from collect(self._pages(path, "network", what), dict))

    def _addresses(self, resource_group: str | None) -> Flow[Any]:
        """(public, private) addresses by NIC id for every NIC in scope."""
        nics, ips = yield Gather(
            [
                self._network_list("networkInterfaces", "list network interfaces", resource_group),
                self._network_list("publicIPAddresses", "list public IP addresses", resource_group),
            ]
        )
        return addresses_of(nics, _public_addresses(ips))

    def _vm_pages(self, resource_group: str | None) -> Flow[None]:
        """VM pages with their instance views (``$expand=instanceView``, in a group or across
        the subscription)."""
        path = self._scope(*_VM, resource_group)
        query = {"$expand": "instanceView"}
        yield from self._pages(path, "compute", "list virtual machines", **query)

    def _with_views(self, flow: Flow[None]) -> Flow[None]:
        """Re-emit VM pages, fetching the instance view of any VM listed without one."""
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                effect = step(flow, value, error)
            except StopIteration:
                return None
            if isinstance(effect, Emit):
                items = [dict(i) for i in effect.items]
                missing = [i for i in items if not (i.get("properties") or {}).get("instanceView")]
                if missing:
                    views = yield Gather([self._view(i) for i in missing])
                    for item, view in zip(missing, views, strict=True):
                        item["properties"] = {
                            **(item.get("properties") or {}),
                            "instanceView": view,
                        }
                effect = Emit(items)
            try:
                value, error = (yield effect), None
            except Exception as exc:
                value, error = None, exc

    def _view(self, doc: Mapping[str, Any]) -> Flow[Any]:
        try:
            return (
                yield from self._get(f"{doc['id']}/instanceView", "compute", "vm instance view")
            )
        except NotFoundError:
            return {}

    @listing
    def iterate_nodes(
        self,
        ex_resource_group: str | None = None,
        ex_fetch_nic: bool = True,
        ex_fetch_power_state: bool = True,
    ) -> Items[Node]:
        """VMs of the subscription (or of ``ex_resource_group``) lazily, page by page."""
        return Items(self._node_flow(ex_resource_group, ex_fetch_nic, ex_fetch_power_state))

    def _node_flow(self, resource_group: str | None, nics: bool, power: bool) -> Flow[None]:
        addresses = (yield from self._addresses(resource_group)) if nics else {}
        if power:
            flow = self._with_views(self._vm_pages(resource_group))
        else:
            flow = self._pages(
                self._scope(*_VM, resource_group), "compute", "list virtual machines"
            )
        yield from mapped(flow, lambda doc: to_node(doc, self, addresses))

    @operation
    def list_nodes(
        self,
        ex_resource_group: str | None = None,
        ex_fetch_nic: bool = True,
        ex_fetch_power_state: bool = True,
    ) -> Flow[list[Node]]:
        """Every VM of the subscription (or of ``ex_resource_group``), with power state and
        addresses (Libcloud's ``ex_fetch_power_state=False``/``ex_fetch_nic=False`` skip them:
        states are then UNKNOWN, addresses empty)."""
        flow = self._node_flow(ex_resource_group, ex_fetch_nic, ex_fetch_power_state)
        nodes: list[Node] = yield from collect(flow, lambda n: n)
        return nodes

    @operation
    def ex_get_node(self, node_id: str, ex_resource_group: str | None = None) -> Flow[Node]:
        """One VM by resource id (or name in the resource group); NotFoundError if absent."""
        path = self._ref(node_id, *_VM, ex_resource_group)
        doc = yield from self._get(
            path, "compute", "get virtual machine", **{"$expand": "instanceView"}
        )
        doc = dict(doc or {})
        if not (doc.get("properties") or {}).get("instanceView"):
            view = yield from self._view(doc)
            doc["properties"] = {**(doc.get("properties") or {}), "instanceView": view}
        nics = [
            str(n["id"])
            for n in ((doc.get("properties") or {}).get("networkProfile") or {}).get(
                "networkInterfaces"
            )
            or []
            if isinstance(n, Mapping) and n.get("id")
        ]
        addresses = yield from self._nic_addresses(nics)
        return to_node(doc, self, addresses)

    def _nic_addresses(self, nic_ids: Sequence[str]) -> Flow[Any]:
        docs = yield Gather(
            [self._optional(nic, "network", "get network interface") for nic in nic_ids]
        )
        nics = [d for d in docs if d]
        ip_ids: list[str] = []
        for nic in nics:
            for config in (nic.get("properties") or {}).get("ipConfigurations") or []:
                ref = (config.get("properties") or {}).get("publicIPAddress") or {}
                if ref.get("id") and not (ref.get("properties") or {}).get("ipAddress"):
                    ip_ids.append(str(ref["id"]))
        ips = yield Gather(
            [self._optional(ip, "network", "get public IP address") for ip in ip_ids]
        )
        return addresses_of(nics, _public_addresses([ip for ip in ips if ip]))

    def _optional(self, path: str, api: str, what: str) -> Flow[Any]:
        """GET ``path``, None when it does not exist."""
        try:
            return (yield from self._get(path, api, what))
        except NotFoundError:
            return None

    # -- creating -----------------------------------------------------------------------------
    @operation
    def create_node(
        self,
        name: str,
        size: NodeSize | str,
        image: NodeImage | str,
        location: NodeLocation | str | None = None,
        auth: NodeAuthSSHKey | NodeAuthPassword | None = None,
        ex_resource_group: str | None = None,
        ex_user_name: str = "azureuser",
        ex_network: Any = None,
        ex_subnet: Any = None,
        ex_nic: Any = None,
        ex_public_ip: bool = True,
        ex_nsg: Any = None,
        ex_customdata: str | bytes | None = None,
        ex_tags: Mapping[str, str] | None = None,
        ex_os_disk_size: int | None = None,
        ex_storage_account_type: str = "Standard_LRS",
        ex_os_disk_delete: bool = False,
        ex_disk_size: int | None = None,
        ex_storage_account: Any = None,
        ex_blob_container: str | None = None,
        ex_use_managed_disks: bool | None = None,
    ) -> Flow[Node]:
        """Create a VM and wait until Azure has provisioned it.

        Without ``ex_nic``, a network interface ``{name}-nic`` is made on ``ex_subnet`` (or the
        first subnet of ``ex_network``, a virtual network object, id or name created when
        absent; default ``{name}-vnet``), with a Standard static public IP ``{name}-ip`` unless
        ``ex_public_ip=False`` and the security group ``ex_nsg`` (object, id or a name created
        when absent); ``ex_subnet`` may also name a subnet of ``ex_network``, as Libcloud's.
        ``ex_os_disk_delete=True`` has Azure delete the OS disk with the VM; ``ex_disk_size``
        is Libcloud's name of ``ex_os_disk_size``. Disks are always managed, so Libcloud's
        ``ex_storage_account``, ``ex_blob_container`` and ``ex_use_managed_disks`` (for
        unmanaged VHDs) are accepted and have no effect.
        ``auth``: an SSH key or a password; without one a password is generated
        and returned in ``node.extra["password"]``.
        """
        if not name or "/" in name:
            raise ValidationError("create_node needs a VM name without '/'")
        where = self._location(location)
        group = self._group(ex_resource_group)
        vm_size = getattr(size, "id", size)
        if not isinstance(vm_size, str) or not vm_size:
            raise ValidationError("create_node needs a size (a NodeSize or a VM size name)")
        reference = _image_reference(image)
        os_profile: dict[str, Any] = {"computerName": name[:64], "adminUsername": ex_user_name}
        generated: str | None = None
        if isinstance(auth, NodeAuthSSHKey):
            os_profile["linuxConfiguration"] = {
                "disablePasswordAuthentication": True,
                "ssh": {
                    "publicKeys": [
                        {
                            "path": f"/home/{ex_user_name}/.ssh/authorized_keys",
                            "keyData": auth.pubkey.strip(),
                        }
                    ]
                },
            }
        elif isinstance(auth, NodeAuthPassword):
            os_profile["adminPassword"] = auth.password
        elif auth is None:
            generated = _generated_password()
            os_profile["adminPassword"] = generated
        else:
            raise ValidationError("auth must be NodeAuthSSHKey or NodeAuthPassword")
        if "adminPassword" in os_profile:
            self.client.redactor.add(os_profile["adminPassword"])
        if ex_customdata is not None:
            raw = ex_customdata.encode() if isinstance(ex_customdata, str) else ex_customdata
            os_profile["customData"] = base64.b64encode(raw).decode("ascii")
        made: list[str] = []  # what this call made, undone if the VM is refused
        try:
            if ex_nic is not None:
                nic_id = self._ref(ex_nic, _NET, "networkInterfaces", group)
            elif ex_subnet is not None and isinstance(ex_subnet, str) and "/" not in ex_subnet:
                if ex_network is None:
                    raise ValidationError("a subnet given by name needs ex_network")
                subnet_id = yield from self._subnet_of(
                    ex_network, where, group, {CREATED_TAG: name}, made, ex_subnet
                )
                nic_id = yield from self._make_nic(
                    name, where, group, None, subnet_id, ex_public_ip, ex_nsg, made
                )
            else:
                nic_id = yield from self._make_nic(
                    name, where, group, ex_network, ex_subnet, ex_public_ip, ex_nsg, made
                )
            path = self._path(*_VM, name, group)
            url = self.client.url(path, API["compute"])
            what = f"create virtual machine {name}"
            body = self._vm_body(
                where,
                vm_size,
                reference,
                os_profile,
                nic_id,
                ex_tags,
                ex_os_disk_size if ex_os_disk_size is not None else ex_disk_size,
                ex_storage_account_type,
            )
            if ex_os_disk_delete:
                body["properties"]["storageProfile"]["osDisk"]["deleteOption"] = "Delete"
            response = yield from self.client.send("PUT", url, body, operation=what)
        except ProviderError:
            yield from self._undo(made)
            raise
        # from here the VM exists (a failed provisioning leaves it for destroy_node to clean)
        yield from self.client.follow("PUT", url, response, operation=what)
        node: Node = yield from type(self).ex_get_node(self, path)
        if generated is not None:
            node.extra = {**node.extra, "password": generated}
        return node

    def _undo(self, made: list[str]) -> Flow[None]:
        """Delete what ``create_node`` made, newest first, as far as Azure lets it."""
        for path in reversed(made):
            with contextlib.suppress(OmnicloudError):
                yield from self._call("DELETE", path, "network", "undo create_node")

    @staticmethod
    def _vm_body(
        where: str,
        vm_size: str,
        reference: dict[str, str],
        os_profile: dict[str, Any],
        nic_id: str,
        tags: Mapping[str, str] | None,
        os_disk_size: int | None,
        storage_account_type: str,
    ) -> dict[str, Any]:
        os_disk: dict[str, Any] = {
            "createOption": "FromImage",
            "managedDisk": {"storageAccountType": storage_account_type},
        }
        if os_disk_size is not None:
            os_disk["diskSizeGB"] = int(os_disk_size)
        return {
            "location": where,
            "tags": dict(tags or {}),
            "properties": {
                "hardwareProfile": {"vmSize": vm_size},
                "storageProfile": {"imageReference": reference, "osDisk": os_disk},
                "osProfile": os_profile,
                "networkProfile": {
                    "networkInterfaces": [{"id": nic_id, "properties": {"primary": True}}]
                },
            },
        }

    def _make_nic(
        self,
        name: str,
        where: str,
        group: str,
        network: Any,
        subnet: Any,
        public_ip: bool,
        nsg: Any,
        made: list[str],
    ) -> Flow[str]:
        tags = {CREATED_TAG: name}
        if subnet is not None:
            subnet_id = self._subnet_ref(subnet, group)
        else:
            subnet_id = yield from self._subnet_of(
                network or f"{name}-vnet", where, group, tags, made
            )
        config: dict[str, Any] = {
            "subnet": {"id": subnet_id},
            "privateIPAllocationMethod": "Dynamic",
        }
        if public_ip:
            ip_path = self._path(_NET, "publicIPAddresses", f"{name}-ip", group)
            ip_body = {
                "location": where,
                "tags": tags,
                "sku": {"name": "Standard"},
                "properties": {
                    "publicIPAllocationMethod": "Static",
                    "publicIPAddressVersion": "IPv4",
                },
            }
            ip_doc = yield from self._call(
                "PUT", ip_path, "network", f"create public IP {name}-ip", ip_body
            )
            made.append(ip_path)
            config["publicIPAddress"] = {"id": str((ip_doc or {}).get("id") or ip_path)}
        nic_body: dict[str, Any] = {
            "location": where,
            "tags": tags,
            "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": config}]},
        }
        if nsg is not None:
            nsg_id = yield from self._nsg_of(nsg, where, group, tags, made)
            nic_body["properties"]["networkSecurityGroup"] = {"id": nsg_id}
        nic_path = self._path(_NET, "networkInterfaces", f"{name}-nic", group)
        nic_doc = yield from self._call(
            "PUT", nic_path, "network", f"create network interface {name}-nic", nic_body
        )
        made.append(nic_path)
        return str((nic_doc or {}).get("id") or nic_path)

    def _subnet_ref(self, subnet: Any, group: str) -> str:
        found = getattr(subnet, "id", subnet)
        if isinstance(found, str) and found.startswith("/subscriptions/"):
            return found
        raise ValidationError("ex_subnet must be an AzureSubnet or a subnet resource id")

    def _subnet_of(
        self,
        network: Any,
        where: str,
        group: str,
        tags: dict[str, str],
        made: list[str],
        subnet_name: str | None = None,
    ) -> Flow[str]:
        """The subnet ``subnet_name`` (default: the first) of ``network``; a network given by
        name is created when absent (with one subnet, ``default``)."""
        path = self._ref(network, _NET, "virtualNetworks", group)
        doc = yield from self._optional(path, "network", "get virtual network")
        if doc is None:
            if not isinstance(network, str) or network.startswith("/"):
                raise NotFoundError(
                    f"Azure: virtual network {path} does not exist", provider="azure", status=404
                )
            body = {
                "location": where,
                "tags": tags,
                "properties": {
                    "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                    "subnets": [
                        {"name": "default", "properties": {"addressPrefix": "10.0.0.0/24"}}
                    ],
                },
            }
            doc = yield from self._call(
                "PUT", path, "network", f"create virtual network {network}", body
            )
            made.append(path)
        subnets = [s for s in (doc or {}).get("properties", {}).get("subnets") or [] if s.get("id")]
        if subnet_name is not None:
            subnets = [s for s in subnets if _same(s.get("name"), subnet_name)]
        if not subnets:
            wanted = f"a subnet {subnet_name!r}" if subnet_name else "a subnet"
            raise ValidationError(f"Azure: virtual network {path} has no {wanted}")
        return str(subnets[0]["id"])

    def _nsg_of(
        self, nsg: Any, where: str, group: str, tags: dict[str, str], made: list[str]
    ) -> Flow[str]:
        path = self._ref(nsg, _NET, "networkSecurityGroups", group)
        doc = yield from self._optional(path, "network", "get network security group")
        if doc is None:
            if not isinstance(nsg, str) or nsg.startswith("/"):
                raise NotFoundError(
                    f"Azure: network security group {path} does not exist",
                    provider="azure",
                    status=404,
                )
            body = {"location": where, "tags": tags, "properties": {"securityRules": []}}
            doc = yield from self._call(
                "PUT", path, "network", f"create network security group {nsg}", body
            )
            made.append(path)
        return str((doc or {}).get("id") or path)

    # -- power --------------------------------------------------------------------------------
    def _action(self, node: Any, action: str, what: str) -> Flow[bool]:
        path = self._ref(node, *_VM, None)
        yield from self._call("POST", f"{path}/{action}", "compute", what)
        return True

    @operation
    def reboot_node(self, node: Node) -> Flow[bool]:
        """Restart the VM."""
        return (yield from self._action(node, "restart", "restart virtual machine"))

    @operation
    def start_node(self, node: Node) -> Flow[bool]:
        """Start a stopped or deallocated VM."""
        return (yield from self._action(node, "start", "start virtual machine"))

    @operation
    def stop_node(self, node: Node, ex_deallocate: bool = False) -> Flow[bool]:
        """Power the VM off (still billed); ``ex_deallocate=True`` releases its hardware."""
        if ex_deallocate:
            return (yield from self._action(node, "deallocate", "deallocate virtual machine"))
        return (yield from self._action(node, "powerOff", "power off virtual machine"))

    # -- destroying ---------------------------------------------------------------------------
    @operation
    def destroy_node(
        self,
        node: Node,
        ex_destroy_nic: bool = True,
        ex_destroy_vhd: bool = True,
        ex_destroy_public_ip: bool = True,
        ex_destroy_network: bool = True,
        ex_poll_qty: int | None = None,
        ex_poll_wait: float | None = None,
    ) -> Flow[bool]:
        """Delete the VM, then (by default) its network interfaces, their public IPs, its OS
        disk, and the virtual network and security group ``create_node`` made for it.

        Each deletion is followed to its end (the driver's ``wait_timeout``); Libcloud's
        ``ex_poll_qty``/``ex_poll_wait`` are accepted and have no effect."""
        path = self._ref(node, *_VM, None)
        doc = yield from self._get(path, "compute", "get virtual machine")
        props = (doc or {}).get("properties") or {}
        nic_ids = [
            str(n["id"])
            for n in (props.get("networkProfile") or {}).get("networkInterfaces") or []
            if n.get("id")
        ]
        os_disk = ((props.get("storageProfile") or {}).get("osDisk") or {}).get("managedDisk") or {}
        nics = yield Gather(
            [self._optional(n, "network", "get network interface") for n in nic_ids]
        )
        yield from self._call("DELETE", path, "compute", "delete virtual machine")
        vm_name = str((doc or {}).get("name") or "")
        leftovers: list[tuple[str, str]] = []  # (path, api) deleted in order
        networks: set[str] = set()
        for nic in nics:
            if not nic:
                continue
            nic_props = nic.get("properties") or {}
            for config in nic_props.get("ipConfigurations") or []:
                inner = config.get("properties") or {}
                ip = inner.get("publicIPAddress") or {}
                subnet = str((inner.get("subnet") or {}).get("id") or "")
                if subnet and "/subnets/" in subnet:
                    networks.add(subnet.split("/subnets/")[0])
                if ex_destroy_nic and ex_destroy_public_ip and ip.get("id"):
                    leftovers.append((str(ip["id"]), "network"))
            nsg = (nic_props.get("networkSecurityGroup") or {}).get("id")
            if ex_destroy_nic:
                leftovers.insert(0, (str(nic["id"]), "network"))
                if ex_destroy_network and nsg:
                    leftovers.append((f"?{nsg}", "network"))  # only when made for this VM
        if ex_destroy_vhd and os_disk.get("id"):
            leftovers.append((str(os_disk["id"]), "disks"))
        if ex_destroy_nic and ex_destroy_network:
            leftovers.extend((f"?{n}", "network") for n in sorted(networks))
        for target, api in leftovers:
            if target.startswith("?"):
                yield from self._delete_if_made_for(target[1:], vm_name)
                continue
            yield from self._delete_quietly(target, api)
        return True

    def _delete_quietly(self, path: str, api: str) -> Flow[None]:
        with contextlib.suppress(NotFoundError):
            yield from self._call("DELETE", path, api, f"delete {path.rsplit('/', 2)[-2]}")

    def _delete_if_made_for(self, path: str, vm_name: str) -> Flow[None]:
        """Delete a network or security group tagged as made by ``create_node`` for the VM."""
        doc = yield from self._optional(path, "network", "get network resource")
        if not doc or not _same((doc.get("tags") or {}).get(CREATED_TAG), vm_name):
            return
        kind = parse_resource_id(path)
        label = f"delete {kind['type'] if kind else 'resource'}"
        with contextlib.suppress(NotFoundError):
            yield from self._call("DELETE", path, "network", label)
