"""``omnicloud nodes ...``: list, show, create (in parallel, with progress), start, stop, reboot,
destroy and ssh."""

from __future__ import annotations

import os
import shutil
import sys

import click

from omnicloud.cli._cloud import cloud_name, driver, find, output_format, profile_option, status
from omnicloud.cli._errors import CliUsageError
from omnicloud.cli._render import emit
from omnicloud.errors import OmnicloudError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["nodes"]


@click.group()
def nodes() -> None:
    """Virtual machines."""


@nodes.command("list")
@click.pass_context
def list_nodes(ctx: click.Context) -> None:
    """List every node."""
    emit(driver(ctx).list_nodes(), output_format(ctx))


def _node(instance: Any, wanted: str) -> Any:
    return find(instance.list_nodes(), wanted, "node")


@nodes.command("show")
@click.argument("node")
@click.pass_context
def show_node(ctx: click.Context, node: str) -> None:
    """Show one node (by id or name)."""
    emit(_node(driver(ctx), node), output_format(ctx))


def _action(name: str, method: str, verb: str) -> click.Command:
    @click.command(name, help=f"{verb.capitalize()} nodes (by id or name).")
    @click.argument("node_names", metavar="NODE...", nargs=-1, required=True)
    @click.pass_context
    def command(ctx: click.Context, node_names: tuple[str, ...]) -> None:
        instance = driver(ctx)
        everything = instance.list_nodes()
        targets = [find(everything, wanted, "node") for wanted in node_names]
        for target in targets:
            with status(f"{verb} {target.name}..."):
                getattr(instance, method)(target)
            click.echo(f"{verb} {target.name} ({target.id})", err=True)

    return command


for _name, _method, _verb in (
    ("start", "start_node", "started"),
    ("stop", "stop_node", "stopped"),
    ("reboot", "reboot_node", "rebooted"),
    ("destroy", "destroy_node", "destroyed"),
):
    nodes.add_command(_action(_name, _method, _verb))


def _names(base: str, count: int) -> list[str]:
    return [base] if count == 1 else [f"{base}-{i + 1}" for i in range(count)]


async def _create_many(
    ctx: click.Context, names: list[str], spec: dict[str, Any], wait: bool
) -> list[Any]:
    import anyio

    from omnicloud._connect import connect

    created: list[Any] = []
    failures: list[str] = []
    show = sys.stderr.isatty()
    progress: Any = None
    if show:
        from rich.progress import Progress

        progress = Progress(transient=True, console=None)
    async with connect(cloud_name(ctx), asynchronous=True) as instance:
        sizes = await instance.list_sizes()
        images = await instance.list_images()
        locations = await instance.list_locations()
        args = {
            "size": find(sizes, spec["size"], "size"),
            "image": find(images, spec["image"], "image"),
            "location": find(locations, spec["location"], "location"),
            **spec["extra"],
        }
        task = progress.add_task("creating", total=len(names)) if progress else None

        async def one(name: str) -> None:
            outcome = "created"
            try:
                node = await instance.create_node(name=name, **args)
                if wait and str(getattr(node.state, "value", node.state)) != "running":
                    ((node, _ips),) = await instance.wait_until_running([node], wait_period=0.5)
                created.append(node)
            except OmnicloudError as exc:  # one failure must not hide the others' results
                failures.append(f"{name}: {exc}")
                outcome = "failed"
            if progress is not None:
                progress.advance(task)
            else:
                click.echo(f"{outcome} {name}", err=True)

        if progress is not None:
            progress.start()
        try:
            async with anyio.create_task_group() as group:
                for name in names:
                    group.start_soon(one, name)
        finally:
            if progress is not None:
                progress.stop()
    for failure in failures:
        click.echo(f"Error: {failure}", err=True)
    if failures:
        ctx.obj["exit_code"] = 1
    return sorted(created, key=lambda node: node.name)


@nodes.command("create")
@click.argument("name")
@click.option("--size", help="Size id or name (default: the profile's, else the first).")
@click.option("--image", help="Image id or name (default: the profile's, else the first).")
@click.option("--location", help="Location id or name (default: the profile's, else the first).")
@click.option(
    "--count",
    default=1,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="Create NAME-1..NAME-N in parallel.",
)
@click.option("--keypair", help="Key pair to install (CloudStack: ex_keyname).")
@click.option(
    "--security-group", "security_groups", multiple=True, help="Security group name (repeatable)."
)
@click.option(
    "--wait/--no-wait",
    default=True,
    show_default=True,
    help="Wait until the nodes are running and reachable.",
)
@click.pass_context
def create_nodes(
    ctx: click.Context,
    name: str,
    size: str | None,
    image: str | None,
    location: str | None,
    count: int,
    keypair: str | None,
    security_groups: tuple[str, ...],
    wait: bool,
) -> None:
    """Create NAME (or NAME-1..NAME-N with --count), in parallel with a live progress view."""
    import anyio

    extra: dict[str, Any] = {}
    if keypair:
        extra["ex_keyname"] = keypair
    if security_groups:
        extra["ex_security_groups"] = list(security_groups)
    spec = {
        "size": size or profile_option(ctx, "size"),
        "image": image or profile_option(ctx, "image"),
        "location": location or profile_option(ctx, "location"),
        "extra": extra,
    }
    created = anyio.run(_create_many, ctx, _names(name, count), spec, wait)
    if created:
        emit(created, output_format(ctx))
    if ctx.find_root().obj.get("exit_code"):
        ctx.exit(1)


@nodes.command("ssh", context_settings={"ignore_unknown_options": True})
@click.argument("node")
@click.option("-l", "--user", default="root", show_default=True, help="Login name.")
@click.option("-i", "--identity", type=click.Path(dir_okay=False), help="Private key file.")
@click.option("-p", "--port", default=22, show_default=True, type=click.IntRange(1, 65535))
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def ssh_node(
    ctx: click.Context,
    node: str,
    user: str,
    identity: str | None,
    port: int,
    command: tuple[str, ...],
) -> None:
    """Open an SSH session to NODE (its first public address, else its private one)."""
    target = _node(driver(ctx), node)
    addresses = list(target.public_ips or []) + list(target.private_ips or [])
    if not addresses:
        raise CliUsageError(f"node {target.name} has no IP address yet")
    program = shutil.which("ssh")
    if program is None:
        raise CliUsageError("the ssh client is not installed")
    argv = [program, "-p", str(port)]
    if identity:
        argv += ["-i", identity]
    argv += [f"{user}@{addresses[0]}", *command]
    sys.stdout.flush()
    os.execv(program, argv)
