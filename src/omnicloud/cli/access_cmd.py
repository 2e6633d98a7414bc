"""``omnicloud keys ...`` and ``omnicloud security-groups ...``: who may log in, what may reach."""

from __future__ import annotations

import os
from pathlib import Path

import click

from omnicloud.cli._cloud import driver, find, output_format
from omnicloud.cli._errors import CliUsageError
from omnicloud.cli._render import emit

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["keys", "security_groups"]


@click.group()
def keys() -> None:
    """SSH key pairs."""


@keys.command("list")
@click.pass_context
def list_keys(ctx: click.Context) -> None:
    """List key pairs."""
    emit(driver(ctx).list_key_pairs(), output_format(ctx), kind="KeyPair")


@keys.command("create")
@click.argument("name")
@click.option(
    "--output",
    "output_path",
    type=click.Path(dir_okay=False),
    help="Where to write the private key (default: ./NAME.pem, mode 600).",
)
@click.pass_context
def create_key(ctx: click.Context, name: str, output_path: str | None) -> None:
    """Create a key pair; the private key goes to a file, never to the terminal."""
    path = Path(output_path or f"{name}.pem")
    if path.exists():
        raise CliUsageError(f"{path} exists; choose another --output")
    pair = driver(ctx).create_key_pair(name)
    if pair.private_key:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(pair.private_key)
        click.echo(f"private key written to {path}", err=True)
    emit(pair, output_format(ctx))


@keys.command("import")
@click.argument("name")
@click.argument("public_key_file", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def import_key(ctx: click.Context, name: str, public_key_file: str) -> None:
    """Import a public key from a file."""
    emit(driver(ctx).import_key_pair_from_file(name, public_key_file), output_format(ctx))


@keys.command("delete")
@click.argument("name")
@click.pass_context
def delete_key(ctx: click.Context, name: str) -> None:
    """Delete a key pair."""
    instance = driver(ctx)
    instance.delete_key_pair(instance.get_key_pair(name))
    click.echo(f"deleted key pair {name}", err=True)


def _groups_driver(ctx: click.Context) -> Any:
    instance = driver(ctx)
    if not hasattr(instance, "ex_list_security_groups"):
        raise CliUsageError(f"{getattr(instance, 'name', 'this cloud')} has no security groups")
    return instance


def _groups(instance: Any) -> list[Any]:
    """The groups as objects: ``ex_get_security_groups`` where a driver has it (EC2, whose
    ``ex_list_security_groups`` gives names only, as Libcloud's does), else
    ``ex_list_security_groups`` (CloudStack)."""
    getter = getattr(instance, "ex_get_security_groups", None)
    return list(getter() if getter is not None else instance.ex_list_security_groups())


def _by_id(instance: Any) -> bool:
    """Whether the driver names groups by id in its calls (EC2) rather than by name."""
    return hasattr(instance, "ex_delete_security_group_by_id")


@click.group("security-groups")
def security_groups() -> None:
    """Security groups (CloudStack basic zones, EC2)."""


@security_groups.command("list")
@click.pass_context
def list_groups(ctx: click.Context) -> None:
    """List security groups."""
    emit(_groups(_groups_driver(ctx)), output_format(ctx), kind="SecurityGroup")


@security_groups.command("create")
@click.argument("name")
@click.option("--description", help="What the group is for.")
@click.pass_context
def create_group(ctx: click.Context, name: str, description: str | None) -> None:
    """Create a security group."""
    instance = _groups_driver(ctx)
    emit(instance.ex_create_security_group(name, description=description), output_format(ctx))


@security_groups.command("delete")
@click.argument("name")
@click.pass_context
def delete_group(ctx: click.Context, name: str) -> None:
    """Delete a security group (by name, or by id where the cloud has ids)."""
    instance = _groups_driver(ctx)
    if _by_id(instance):
        instance.ex_delete_security_group_by_id(find(_groups(instance), name, "security group").id)
    else:
        instance.ex_delete_security_group(name)
    click.echo(f"deleted security group {name}", err=True)


def _ports(value: str) -> tuple[int, int]:
    try:
        first, _, last = value.partition("-")
        start, end = int(first), int(last or first)
    except ValueError:
        raise CliUsageError(f"--port must be N or N-M, got {value!r}") from None
    if not (0 < start <= end < 65536):
        raise CliUsageError(f"--port out of range: {value!r}")
    return start, end


@security_groups.command("authorize")
@click.argument("name")
@click.option(
    "--protocol", type=click.Choice(["tcp", "udp", "icmp"]), default="tcp", show_default=True
)
@click.option("--port", "port_range", help="Port or range, e.g. 22 or 8000-8080 (tcp/udp).")
@click.option("--cidr", default="0.0.0.0/0", show_default=True, help="Who may connect.")
@click.option("--egress", is_flag=True, help="An outbound rule instead of an inbound one.")
@click.pass_context
def authorize(
    ctx: click.Context, name: str, protocol: str, port_range: str | None, cidr: str, egress: bool
) -> None:
    """Allow traffic into (or, with --egress, out of) a security group."""
    instance = _groups_driver(ctx)
    ports: dict[str, int] = {}
    if protocol != "icmp":
        if not port_range:
            raise CliUsageError("--port is required for tcp and udp")
        ports["startport"], ports["endport"] = _ports(port_range)
    method = getattr(
        instance,
        "ex_authorize_security_group_egress" if egress else "ex_authorize_security_group_ingress",
    )
    if not _by_id(instance):  # CloudStack: the group by name, the rule as its API has it
        result = method(name, protocol, cidr, **ports)
        emit(result if result not in (None, True) else {"authorized": name}, output_format(ctx))
        return
    group = find(_groups(instance), name, "security group")
    start, end = (ports["startport"], ports["endport"]) if ports else (-1, -1)  # icmp: all
    method(group.id, start, end, [cidr], protocol=protocol)
    emit(find(_groups(instance), group.id, "security group"), output_format(ctx))


@security_groups.command("revoke")
@click.argument("name")
@click.option("--rule", "rule_id", help="The rule's id (clouds whose rules have ids: CloudStack).")
@click.option(
    "--protocol", type=click.Choice(["tcp", "udp", "icmp"]), default="tcp", show_default=True
)
@click.option("--port", "port_range", help="Port or range of the rule (tcp/udp).")
@click.option("--cidr", default="0.0.0.0/0", show_default=True, help="Who the rule lets in.")
@click.option("--egress", is_flag=True, help="An outbound rule instead of an inbound one.")
@click.pass_context
def revoke(
    ctx: click.Context,
    name: str,
    rule_id: str | None,
    protocol: str,
    port_range: str | None,
    cidr: str,
    egress: bool,
) -> None:
    """Remove a rule from a security group: by --rule id, or (EC2) by what it allows."""
    instance = _groups_driver(ctx)
    method = getattr(
        instance,
        "ex_revoke_security_group_egress" if egress else "ex_revoke_security_group_ingress",
    )
    if not _by_id(instance):
        if not rule_id:
            raise CliUsageError("--rule is required: this cloud revokes rules by id")
        method(rule_id)
        click.echo(f"revoked rule {rule_id} of {name}", err=True)
        return
    if rule_id:
        raise CliUsageError("this cloud's rules have no ids: give --protocol, --port and --cidr")
    if protocol != "icmp" and not port_range:
        raise CliUsageError("--port is required for tcp and udp")
    start, end = _ports(port_range) if protocol != "icmp" and port_range else (-1, -1)
    group = find(_groups(instance), name, "security group")
    method(group.id, start, end, [cidr], protocol=protocol)
    emit(find(_groups(instance), group.id, "security group"), output_format(ctx))
