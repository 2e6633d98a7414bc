"""``omnicloud lb ...``: load balancers of the selected cloud's load balancer driver
(CloudStack load balancer rules; an ``aws`` profile gives ELBv2)."""

from __future__ import annotations

import click

from omnicloud.cli._cloud import driver, output_format
from omnicloud.cli._errors import CliUsageError
from omnicloud.cli._render import emit

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["lb"]

BALANCER_COLUMNS = ["id", "name", "state", "ip", "port"]
MEMBER_COLUMNS = ["id", "ip", "port", "health"]


def _lb(ctx: click.Context) -> Any:
    return driver(ctx, "loadbalancer")


def _balancer(instance: Any, wanted: str) -> Any:
    """The balancer whose id or name is ``wanted``, read again with ``get_balancer`` (ELBv2
    fills the port and listeners there)."""
    listed = instance.list_balancers()
    matches = [b for b in listed if b.id == wanted] or [b for b in listed if b.name == wanted]
    if len(matches) > 1:
        raise CliUsageError(f"several load balancers are named {wanted!r}; use the id")
    if not matches:
        raise CliUsageError(f"no load balancer {wanted!r} (give an id or a name)")
    return instance.get_balancer(matches[0].id)


def _member_row(member: Any) -> dict[str, Any]:
    extra = member.extra or {}
    row = {"id": member.id, "ip": member.ip, "port": member.port}
    row["health"] = extra.get("health") or extra.get("state")
    if extra.get("target_group"):
        row["target_group"] = getattr(extra["target_group"], "id", extra["target_group"])
    return row


def _member(spec: str) -> Any:
    """``ID`` or ``ID:PORT`` as a :class:`Member`."""
    from omnicloud.loadbalancer import Member

    ident, _, port = spec.rpartition(":") if spec.count(":") == 1 else (spec, "", "")
    if port and not port.isdigit():
        raise CliUsageError(f"member {spec!r}: the port after ':' must be a number")
    return Member(ident or spec, None, int(port) if port else None)


def _accepts(instance: Any, name: str) -> bool:
    import inspect

    return name in inspect.signature(instance.create_balancer).parameters


@click.group()
def lb() -> None:
    """Load balancers and their members."""


@lb.command("list")
@click.pass_context
def list_balancers(ctx: click.Context) -> None:
    """List load balancers."""
    emit(_lb(ctx).list_balancers(), output_format(ctx), columns=BALANCER_COLUMNS)


@lb.command("show")
@click.argument("balancer")
@click.pass_context
def show(ctx: click.Context, balancer: str) -> None:
    """Show BALANCER (an id or a name)."""
    emit(_balancer(_lb(ctx), balancer), output_format(ctx), columns=BALANCER_COLUMNS)


@lb.command("protocols")
@click.pass_context
def protocols(ctx: click.Context) -> None:
    """List the protocols a balancer can speak."""
    emit([{"protocol": p} for p in _lb(ctx).list_protocols()], output_format(ctx))


@lb.command("create")
@click.argument("name")
@click.option("--port", type=click.IntRange(1, 65535), default=80, show_default=True)
@click.option("--protocol", default=None, help="http, https, tcp, udp... (default: the first).")
@click.option(
    "--algorithm",
    type=click.Choice(["round_robin", "least_connections", "random", "persistent_ip"]),
    default="round_robin",
    show_default=True,
)
@click.option("--member", "members", multiple=True, help="A member: ID or ID:PORT (repeat).")
@click.option("--private-port", type=click.IntRange(1, 65535), help="The members' port.")
@click.option("--network", help="CloudStack: the guest network to balance in.")
@click.option("--subnet", "subnets", multiple=True, help="ELBv2: a subnet id (repeat).")
@click.option("--security-group", "security_groups", multiple=True, help="ELBv2 (repeat).")
@click.option("--scheme", type=click.Choice(["internet-facing", "internal"]), help="ELBv2.")
@click.option("--type", "kind", type=click.Choice(["application", "network"]), help="ELBv2.")
@click.option("--certificate", help="ELBv2: certificate ARN of an https/tls listener.")
@click.pass_context
def create(
    ctx: click.Context,
    name: str,
    port: int,
    protocol: str | None,
    algorithm: str,
    members: tuple[str, ...],
    private_port: int | None,
    network: str | None,
    subnets: tuple[str, ...],
    security_groups: tuple[str, ...],
    scheme: str | None,
    kind: str | None,
    certificate: str | None,
) -> None:
    """Create load balancer NAME listening on --port over the --member backends."""
    from omnicloud.loadbalancer import Algorithm

    instance = _lb(ctx)
    wanted: list[tuple[str, tuple[str, ...], Any]] = [
        ("private-port", ("private_port", "ex_target_port"), private_port),
        ("network", ("network_id",), network),
        ("subnet", ("ex_subnets",), list(subnets) or None),
        ("security-group", ("ex_security_groups",), list(security_groups) or None),
        ("scheme", ("ex_scheme",), scheme),
        ("type", ("ex_type",), kind),
        ("certificate", ("ex_ssl_cert_arn",), certificate),
    ]
    options: dict[str, Any] = {}
    for flag, names, value in wanted:
        if value is None:
            continue
        accepted = next((n for n in names if _accepts(instance, n)), None)
        if accepted is None:
            raise CliUsageError(f"this cloud's load balancers take no --{flag}")
        options[accepted] = value
    made = instance.create_balancer(
        name,
        port,
        (protocol or instance.list_protocols()[0]).lower(),
        Algorithm(algorithm),
        [_member(spec) for spec in members],
        **options,
    )
    emit(made, output_format(ctx), columns=BALANCER_COLUMNS)


@lb.command("delete")
@click.argument("balancer")
@click.pass_context
def delete(ctx: click.Context, balancer: str) -> None:
    """Delete BALANCER (an id or a name)."""
    instance = _lb(ctx)
    found = _balancer(instance, balancer)
    instance.destroy_balancer(found)
    click.echo(f"deleted load balancer {found.name}", err=True)


@lb.command("members")
@click.argument("balancer")
@click.pass_context
def list_members(ctx: click.Context, balancer: str) -> None:
    """List the members of BALANCER."""
    instance = _lb(ctx)
    found = instance.balancer_list_members(_balancer(instance, balancer))
    emit([_member_row(m) for m in found], output_format(ctx), columns=MEMBER_COLUMNS)


@lb.command("attach")
@click.argument("balancer")
@click.argument("members", nargs=-1, required=True)
@click.pass_context
def attach(ctx: click.Context, balancer: str, members: tuple[str, ...]) -> None:
    """Attach MEMBERS (ID or ID:PORT: a VM id, an EC2 instance id) to BALANCER."""
    instance = _lb(ctx)
    found = _balancer(instance, balancer)
    attached = [instance.balancer_attach_member(found, _member(spec)) for spec in members]
    emit([_member_row(m) for m in attached], output_format(ctx), columns=MEMBER_COLUMNS)


@lb.command("detach")
@click.argument("balancer")
@click.argument("members", nargs=-1, required=True)
@click.pass_context
def detach(ctx: click.Context, balancer: str, members: tuple[str, ...]) -> None:
    """Detach MEMBERS (ID or ID:PORT) from BALANCER."""
    instance = _lb(ctx)
    found = _balancer(instance, balancer)
    missing = [s for s in members if not instance.balancer_detach_member(found, _member(s))]
    if missing:
        raise CliUsageError(f"not members of {found.name}: {', '.join(missing)}")
    click.echo(f"detached {len(members)} member{'s' if len(members) > 1 else ''}", err=True)
