"""``omnicloud ips ...``: public addresses a cloud hands out and moves between nodes.

One command for what each provider calls differently: OpenStack floating IPs, EC2 elastic IPs,
CloudStack public IPs (associated with a node by static NAT). Rows are the same everywhere:
ID, ADDRESS, NODE (the node it is associated with) and STATE.
"""

from __future__ import annotations

from dataclasses import dataclass

import click

from omnicloud.cli._cloud import driver, find, output_format
from omnicloud.cli._errors import CliUsageError
from omnicloud.cli._render import emit

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["ips"]

COLUMNS = ["id", "address", "node", "state"]


@dataclass(frozen=True, slots=True)
class _Kind:
    """How one provider names its address operations (driver methods) and fields."""

    list: str
    allocate: str
    associate: str
    disassociate: str
    release: str
    address: str
    node: str
    state: str


_KINDS = (
    _Kind(
        "ex_list_floating_ips",
        "ex_allocate_floating_ip",
        "ex_attach_floating_ip_to_node",
        "ex_detach_floating_ip_from_node",
        "ex_release_floating_ip",
        "ip_address",
        "node_id",
        "status",
    ),
    _Kind(
        "ex_describe_all_addresses",
        "ex_allocate_address",
        "ex_associate_address_with_node",
        "ex_disassociate_address",
        "ex_release_address",
        "ip",
        "instance_id",
        "domain",
    ),
    _Kind(
        "ex_list_public_ips",
        "ex_allocate_public_ip",
        "ex_enable_static_nat",
        "ex_disable_static_nat",
        "ex_release_public_ip",
        "address",
        "virtualmachine_id",
        "state",
    ),
)


def _kind(instance: Any) -> _Kind:
    for kind in _KINDS:
        if hasattr(instance, kind.list):
            return kind
    raise CliUsageError(f"{type(instance).__name__} has no public addresses to manage")


def _row(kind: _Kind, address: Any) -> dict[str, Any]:
    return {
        "id": str(getattr(address, "id", "")),
        "address": str(getattr(address, kind.address, "")),
        "node": getattr(address, kind.node, None) or "",
        "state": str(getattr(address, kind.state, "") or ""),
    }


def _address(instance: Any, kind: _Kind, wanted: str) -> Any:
    for address in getattr(instance, kind.list)():
        if wanted in (str(getattr(address, "id", "")), str(getattr(address, kind.address, ""))):
            return address
    raise CliUsageError(f"no public address {wanted!r} (give an address or its id)")


@click.group()
def ips() -> None:
    """Public IP addresses (floating, elastic or public IPs)."""


@ips.command("list")
@click.pass_context
def list_ips(ctx: click.Context) -> None:
    """List the account's public addresses."""
    instance = driver(ctx)
    kind = _kind(instance)
    rows = [_row(kind, a) for a in getattr(instance, kind.list)()]
    emit(rows, output_format(ctx), columns=COLUMNS)


@ips.command("allocate")
@click.option("--location", help="CloudStack: the zone (id or name) to allocate in.")
@click.option("--pool", help="OpenStack: the external network (id or name) to allocate from.")
@click.pass_context
def allocate_ip(ctx: click.Context, location: str | None, pool: str | None) -> None:
    """Allocate a new public address."""
    instance = driver(ctx)
    kind = _kind(instance)
    options: dict[str, Any] = {}
    if location is not None:
        if kind.allocate != "ex_allocate_public_ip":
            raise CliUsageError("--location is for CloudStack clouds")
        options["location"] = find(instance.list_locations(), location, "location")
    if pool is not None:
        if kind.allocate != "ex_allocate_floating_ip":
            raise CliUsageError("--pool is for OpenStack clouds")
        options["pool"] = pool
    made = getattr(instance, kind.allocate)(**options)
    emit(_row(kind, made), output_format(ctx), columns=COLUMNS)


@ips.command("associate")
@click.argument("address")
@click.argument("node")
@click.pass_context
def associate_ip(ctx: click.Context, address: str, node: str) -> None:
    """Associate ADDRESS (or its id) with NODE (id or name)."""
    instance = driver(ctx)
    kind = _kind(instance)
    target = find(instance.list_nodes(), node, "node")
    getattr(instance, kind.associate)(target, _address(instance, kind, address))
    click.echo(f"associated {address} with {target.name}")


@ips.command("disassociate")
@click.argument("address")
@click.pass_context
def disassociate_ip(ctx: click.Context, address: str) -> None:
    """Take ADDRESS (or its id) off the node it is associated with."""
    instance = driver(ctx)
    kind = _kind(instance)
    found = _address(instance, kind, address)
    if kind.disassociate == "ex_detach_floating_ip_from_node":
        getattr(instance, kind.disassociate)(None, found)
    else:
        getattr(instance, kind.disassociate)(found)
    click.echo(f"disassociated {address}")


@ips.command("release")
@click.argument("address")
@click.pass_context
def release_ip(ctx: click.Context, address: str) -> None:
    """Give ADDRESS (or its id) back."""
    instance = driver(ctx)
    kind = _kind(instance)
    getattr(instance, kind.release)(_address(instance, kind, address))
    click.echo(f"released {address}")
