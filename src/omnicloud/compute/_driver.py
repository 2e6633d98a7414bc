"""The compute driver contract, written as flows (see :mod:`omnicloud.compute._shell`).

Providers subclass :class:`NodeDriverCore` and override the operations they support; the rest
raise :class:`NotSupportedError`. ``wait_until_running``, ``deploy_node`` and
``import_key_pair_from_file`` are implemented here once for every provider.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from omnicloud._flow import Call
from omnicloud._poll import PollSettings, PollStatus, poll
from omnicloud._shell import unsupported
from omnicloud.errors import NotSupportedError, ValidationError

from ._models import (
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
from ._shell import operation
from ._types import NodeState
from .deployment import (
    DeploymentError,
    SimulatedAddressError,
    SSHTarget,
    SSHUnavailableError,
    get_ssh_connector,
    registered_ssh_connector,
    run_over_ssh,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud._flow import Flow

__all__ = ["NODE_ONLINE_WAIT_TIMEOUT", "NodeDriverCore", "NotSupportedError"]

NODE_ONLINE_WAIT_TIMEOUT = 600.0
SSH_CONNECT_TIMEOUT = 300.0


class NodeDriverCore:
    """Every compute operation; providers override what they support."""

    name: str = "Generic"
    website: str = ""
    type: str | None = None
    features: dict[str, list[str]] = {"create_node": []}
    #: True when the cloud is an in-process simulator: its node addresses exist nowhere, so
    #: ``deploy_node`` refuses to try SSH to them (unless given a connector of its own).
    ex_simulated: bool = False
    #: The addresses a new node is usually reached by: ``"private_ips"`` where nodes sit on a
    #: private network until given a floating address (OpenStack, libvirt's NAT). The CLI's
    #: ``nodes create``/``start`` wait for an address there.
    ex_reachable_by: str = "public_ips"

    # -- nodes --------------------------------------------------------------------------------
    @operation
    def list_nodes(self) -> Flow[list[Node]]:
        """Every node."""
        return (yield from unsupported(self, "list_nodes"))

    @operation
    def create_node(
        self,
        name: str,
        size: NodeSize,
        image: NodeImage,
        location: NodeLocation | None = None,
        auth: NodeAuthSSHKey | NodeAuthPassword | None = None,
    ) -> Flow[Node]:
        """Create (and start) a node."""
        return (yield from unsupported(self, "create_node"))

    @operation
    def reboot_node(self, node: Node) -> Flow[bool]:
        """Reboot ``node``."""
        return (yield from unsupported(self, "reboot_node"))

    @operation
    def start_node(self, node: Node) -> Flow[bool]:
        """Start a stopped node."""
        return (yield from unsupported(self, "start_node"))

    @operation
    def stop_node(self, node: Node) -> Flow[bool]:
        """Stop a running node."""
        return (yield from unsupported(self, "stop_node"))

    @operation
    def destroy_node(self, node: Node) -> Flow[bool]:
        """Destroy ``node`` (its data may be lost)."""
        return (yield from unsupported(self, "destroy_node"))

    # -- catalogue ----------------------------------------------------------------------------
    @operation
    def list_sizes(self, location: NodeLocation | None = None) -> Flow[list[NodeSize]]:
        """Machine sizes."""
        return (yield from unsupported(self, "list_sizes"))

    @operation
    def list_locations(self) -> Flow[list[NodeLocation]]:
        """Data centres / zones."""
        return (yield from unsupported(self, "list_locations"))

    @operation
    def list_images(self, location: NodeLocation | None = None) -> Flow[list[NodeImage]]:
        """Images nodes can boot from."""
        return (yield from unsupported(self, "list_images"))

    @operation
    def get_image(self, image_id: str) -> Flow[NodeImage]:
        """One image by id (NotFoundError if absent)."""
        return (yield from unsupported(self, "get_image"))

    @operation
    def create_image(
        self, node: Node, name: str, description: str | None = None
    ) -> Flow[NodeImage]:
        """Make an image from ``node``."""
        return (yield from unsupported(self, "create_image"))

    @operation
    def delete_image(self, node_image: NodeImage) -> Flow[bool]:
        """Delete an image."""
        return (yield from unsupported(self, "delete_image"))

    @operation
    def copy_image(
        self, source_region: str, node_image: NodeImage, name: str, description: str | None = None
    ) -> Flow[NodeImage]:
        """Copy an image to another region."""
        return (yield from unsupported(self, "copy_image"))

    # -- volumes ------------------------------------------------------------------------------
    @operation
    def list_volumes(self) -> Flow[list[StorageVolume]]:
        """Every volume."""
        return (yield from unsupported(self, "list_volumes"))

    @operation
    def create_volume(
        self,
        size: int,
        name: str,
        location: NodeLocation | None = None,
        snapshot: VolumeSnapshot | None = None,
    ) -> Flow[StorageVolume]:
        """Create a volume of ``size`` GB."""
        return (yield from unsupported(self, "create_volume"))

    @operation
    def attach_volume(
        self, node: Node, volume: StorageVolume, device: str | None = None
    ) -> Flow[bool]:
        """Attach ``volume`` to ``node``."""
        return (yield from unsupported(self, "attach_volume"))

    @operation
    def detach_volume(self, volume: StorageVolume) -> Flow[bool]:
        """Detach ``volume`` from its node."""
        return (yield from unsupported(self, "detach_volume"))

    @operation
    def destroy_volume(self, volume: StorageVolume) -> Flow[bool]:
        """Delete ``volume``."""
        return (yield from unsupported(self, "destroy_volume"))

    @operation
    def list_volume_snapshots(self, volume: StorageVolume) -> Flow[list[VolumeSnapshot]]:
        """Snapshots of ``volume``."""
        return (yield from unsupported(self, "list_volume_snapshots"))

    @operation
    def create_volume_snapshot(
        self, volume: StorageVolume, name: str | None = None
    ) -> Flow[VolumeSnapshot]:
        """Snapshot ``volume``."""
        return (yield from unsupported(self, "create_volume_snapshot"))

    @operation
    def destroy_volume_snapshot(self, snapshot: VolumeSnapshot) -> Flow[bool]:
        """Delete ``snapshot``."""
        return (yield from unsupported(self, "destroy_volume_snapshot"))

    # -- key pairs ----------------------------------------------------------------------------
    @operation
    def list_key_pairs(self) -> Flow[list[KeyPair]]:
        """Every key pair."""
        return (yield from unsupported(self, "list_key_pairs"))

    @operation
    def get_key_pair(self, name: str) -> Flow[KeyPair]:
        """One key pair by name (NotFoundError if absent)."""
        return (yield from unsupported(self, "get_key_pair"))

    @operation
    def create_key_pair(self, name: str) -> Flow[KeyPair]:
        """Create a key pair; the private key is in the result only."""
        return (yield from unsupported(self, "create_key_pair"))

    @operation
    def import_key_pair_from_string(self, name: str, key_material: str) -> Flow[KeyPair]:
        """Register an existing public key."""
        return (yield from unsupported(self, "import_key_pair_from_string"))

    @operation
    def import_key_pair_from_file(self, name: str, key_file_path: str) -> Flow[KeyPair]:
        """Register the public key stored in ``key_file_path`` (``~`` is expanded)."""
        with open(os.path.expanduser(key_file_path), encoding="utf-8") as handle:
            material = handle.read().strip()
        return (yield from type(self).import_key_pair_from_string(self, name, material))

    @operation
    def delete_key_pair(self, key_pair: KeyPair) -> Flow[bool]:
        """Delete a key pair."""
        return (yield from unsupported(self, "delete_key_pair"))

    # -- waiting and deployment ---------------------------------------------------------------
    def _nodes_for_wait(self, **kwargs: Any) -> Flow[list[Node]]:
        result: list[Node] = yield from type(self).list_nodes(self, **kwargs)
        return result

    @operation
    def wait_until_running(
        self,
        nodes: Sequence[Node],
        wait_period: float = 5,
        timeout: float = NODE_ONLINE_WAIT_TIMEOUT,
        ssh_interface: str = "public_ips",
        force_ipv4: bool = True,
        ex_list_nodes_kwargs: dict[str, Any] | None = None,
        ex_on_progress: Callable[[Any], None] | None = None,
    ) -> Flow[list[tuple[Node, list[str]]]]:
        """Wait until every node is running with an address on ``ssh_interface``.

        Returns ``[(node, addresses)]`` in the order given; raises JobTimeoutError after
        ``timeout`` seconds.
        """
        if ssh_interface not in {"public_ips", "private_ips"}:
            raise ValidationError("ssh_interface must be 'public_ips' or 'private_ips'")
        wanted = [node.id for node in nodes]
        if len(set(wanted)) != len(wanted):
            raise ValidationError("wait_until_running: the same node is listed twice")
        kwargs = dict(ex_list_nodes_kwargs or {})

        def usable(ips: list[str]) -> list[str]:
            return [ip for ip in ips if not force_ipv4 or _is_ipv4(ip)]

        def check() -> Flow[PollStatus]:
            current = yield from self._nodes_for_wait(**kwargs)
            by_id = {node.id: node for node in current if node.id in wanted}
            ready = [
                (by_id[node_id], usable(getattr(by_id[node_id], ssh_interface)))
                for node_id in wanted
                if node_id in by_id and by_id[node_id].state == NodeState.RUNNING
            ]
            done = len(ready) == len(wanted) and all(ips for _node, ips in ready)
            return PollStatus(done=done, value=ready, progress=ready)

        settings = PollSettings(interval=wait_period, first_interval=0.0, timeout=timeout)
        what = f"waiting for {len(wanted)} node(s) to be running"
        result: list[tuple[Node, list[str]]] = yield from poll(
            check, settings, what=what, on_progress=ex_on_progress
        )
        return result

    def _check_auth(self, auth: Any) -> None:
        supported = self.features.get("create_node", [])
        if isinstance(auth, NodeAuthSSHKey) and "ssh_key" not in supported:
            raise ValidationError(f"{self.name} cannot inject an SSH key at create time")
        if isinstance(auth, NodeAuthPassword) and "password" not in supported:
            raise ValidationError(f"{self.name} cannot set a password at create time")

    @operation
    def deploy_node(
        self,
        /,
        name: str,
        size: NodeSize,
        image: NodeImage,
        deploy: Any,
        ssh_username: str = "root",
        ssh_alternate_usernames: Sequence[str] | None = None,
        ssh_port: int = 22,
        ssh_timeout: float = 10,
        ssh_key: str | Sequence[str] | None = None,
        ssh_key_password: str | None = None,
        auth: NodeAuthSSHKey | NodeAuthPassword | None = None,
        timeout: float = SSH_CONNECT_TIMEOUT,
        max_tries: int = 3,
        ssh_interface: str = "public_ips",
        wait_period: float = 5,
        ex_ssh_connector: Callable[[SSHTarget], Any] | None = None,
        **create_node_kwargs: Any,
    ) -> Flow[Node]:
        """Create a node, wait until it runs, then run ``deploy`` on it.

        ``deploy`` is a :class:`~omnicloud.compute.deployment.Deployment` (run over SSH through
        ``ex_ssh_connector`` or the registered connector) or a callable
        ``deploy(node, ip_addresses)``. A failure after creation raises DeploymentError with the
        node attached.
        """
        self._check_auth(auth)
        can_login = (
            auth is not None
            or ssh_key is not None
            or {"password", "generates_password"} & set(self.features.get("create_node", []))
        )
        if not can_login and hasattr(deploy, "run"):
            raise ValidationError("deploy_node needs auth=, ssh_key= or a password-capable driver")
        if auth is not None:
            create_node_kwargs["auth"] = auth
        node: Node = yield from type(self).create_node(
            self, name=name, size=size, image=image, **create_node_kwargs
        )
        try:
            ((node, ips),) = yield from type(self).wait_until_running(
                self, [node], wait_period=wait_period, timeout=timeout, ssh_interface=ssh_interface
            )
        except Exception as exc:
            raise DeploymentError(node, exc) from exc
        if not hasattr(deploy, "run"):
            try:
                deploy(node, ips)
            except Exception as exc:
                raise DeploymentError(node, exc) from exc
            return node
        if self.ex_simulated and ex_ssh_connector is None and registered_ssh_connector() is None:
            unreachable = SimulatedAddressError(
                f"the node's address {ips[0] if ips else '(none)'} is a simulated address and "
                "cannot be reached by SSH (pass ex_ssh_connector= to stand in for the node)"
            )
            raise DeploymentError(node, unreachable)
        connector = ex_ssh_connector or get_ssh_connector()
        if connector is None:
            missing = SSHUnavailableError(
                "no SSH connector: pass ex_ssh_connector= or call "
                "omnicloud.compute.deployment.set_ssh_connector()"
            )
            raise DeploymentError(node, missing)
        password = auth.password if isinstance(auth, NodeAuthPassword) else None
        password = password or (node.extra.get("password") if node.extra else None)
        keys = [ssh_key] if isinstance(ssh_key, str) else list(ssh_key or [])
        keys = [os.path.expanduser(path) for path in keys]
        errors: list[BaseException] = []
        for username in [ssh_username, *(ssh_alternate_usernames or [])]:
            target = SSHTarget(
                host=ips[0],
                port=ssh_port,
                username=username,
                password=password,
                key_files=keys,
                key_password=ssh_key_password,
                timeout=ssh_timeout,
            )
            for _attempt in range(max(1, max_tries)):
                try:  # blocking SSH: a worker thread's job in an async driver
                    yield Call(run_over_ssh, (connector, target, deploy, node))
                    return node
                except Exception as exc:
                    errors.append(exc)
        raise DeploymentError(node, errors[-1] if errors else None)


def _is_ipv4(address: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(address).version == 4
    except ValueError:
        return False
