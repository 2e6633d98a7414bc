"""``omnicloud nodes ...``: list, show, create (in parallel, with progress), start, stop, reboot,
destroy and ssh."""

from __future__ import annotations

import os
import shutil
import sys

import click

from omnicloud.cli._cloud import cloud_name, driver, find, output_format, profile_option, status
from omnicloud.cli._complete import complete_images, complete_nodes, complete_sizes
from omnicloud.cli._errors import EXIT_PROVIDER, CliUsageError, resume_hint
from omnicloud.cli._jobs import can_submit, program, submit, wait_option
from omnicloud.cli._render import emit
from omnicloud.errors import JobPollError, OmnicloudError

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
    emit(driver(ctx).list_nodes(), output_format(ctx), kind="Node")


def _node(instance: Any, wanted: str) -> Any:
    return find(instance.list_nodes(), wanted, "node")


@nodes.command("show")
@click.argument("node", shell_complete=complete_nodes)
@click.pass_context
def show_node(ctx: click.Context, node: str) -> None:
    """Show one node (by id or name)."""
    emit(_node(driver(ctx), node), output_format(ctx))


# name: (driver method, CloudStack command, "-ing" word, past tense, state once finished)
_ACTIONS: dict[str, tuple[str, str, str, str, str | None]] = {
    "start": ("start_node", "startVirtualMachine", "starting", "started", "running"),
    "stop": ("stop_node", "stopVirtualMachine", "stopping", "stopped", "stopped"),
    "reboot": ("reboot_node", "rebootVirtualMachine", "rebooting", "rebooted", "running"),
    "destroy": ("destroy_node", "destroyVirtualMachine", "destroying", "destroyed", None),
}


def _reach(instance: Any) -> str:
    """Where the driver's new nodes get the address the CLI waits for."""
    return str(getattr(instance, "ex_reachable_by", "public_ips"))


def _state(node: Any) -> str:
    return str(getattr(node.state, "value", node.state))


def _settle(instance: Any, node: Any, final: str) -> None:
    """Wait until ``node`` reaches ``final`` where the driver returned before it did."""
    if final == "running" and hasattr(instance, "wait_until_running"):
        instance.wait_until_running([node], wait_period=0.5, ssh_interface=_reach(instance))
    elif hasattr(instance, "ex_wait_for_node"):
        instance.ex_wait_for_node(node, final)


def _expunge_options(instance: Any, method: str) -> dict[str, Any]:
    """``ex_expunge=True`` where the driver's destroy takes it, else a usage error."""
    import inspect

    if "ex_expunge" not in inspect.signature(getattr(instance, method)).parameters:
        raise CliUsageError("--expunge is for CloudStack clouds; this cloud destroys at once")
    return {"ex_expunge": True}


def _action(name: str) -> click.Command:
    method, command_name, doing, done, final = _ACTIONS[name]
    shown = "" if final is None else " and print the nodes"

    def expunge_option(fn: Any) -> Any:
        if name != "destroy":
            return fn
        return click.option(
            "--expunge",
            is_flag=True,
            help="Purge at once (CloudStack), releasing security groups and addresses now.",
        )(fn)

    @click.command(name, help=f"{name.capitalize()} nodes (by id or name){shown}.")
    @click.argument(
        "node_names", metavar="NODE...", nargs=-1, required=True, shell_complete=complete_nodes
    )
    @wait_option(f"the nodes are {done}")
    @expunge_option
    @click.pass_context
    def command(
        ctx: click.Context, node_names: tuple[str, ...], wait: bool, expunge: bool = False
    ) -> None:
        instance = driver(ctx)
        options = _expunge_options(instance, method) if expunge else {}
        everything = instance.list_nodes()
        targets = [find(everything, wanted, "node") for wanted in node_names]
        for target in targets:
            if not wait and can_submit(instance):
                extra = {"expunge": "true"} if expunge else {}
                job = submit(instance, command_name, id=target.id, **extra).get("jobid")
                click.echo(f"{doing} {target.name} ({target.id}), job {job}", err=True)
                continue
            try:
                with status(f"{doing} {target.name}..."):
                    getattr(instance, method)(target, **options)
                    if wait and final is not None and not can_submit(instance):
                        _settle(instance, target, final)
            except JobPollError as exc:
                click.echo(f"Error: {exc}", err=True)
                click.echo(resume_hint(exc, program(ctx)), err=True)
                ctx.exit(EXIT_PROVIDER)
            click.echo(f"{done if wait else doing} {target.name} ({target.id})", err=True)
        if final is not None:
            wanted_ids = [target.id for target in targets]
            by_id = {node.id: node for node in instance.list_nodes()}
            emit([by_id[i] for i in wanted_ids if i in by_id], output_format(ctx), kind="Node")

    return command


for _name in _ACTIONS:
    nodes.add_command(_action(_name))


def _names(base: str, count: int) -> list[str]:
    return [base] if count == 1 else [f"{base}-{i + 1}" for i in range(count)]


class _Tracker:
    """A live progress view on stderr when it is a terminal, else one line per finished item."""

    def __init__(self, description: str, total: int) -> None:
        self._progress: Any = None
        self._task: Any = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
                redirect_stdout=False,
            )
            self._task = self._progress.add_task(description, total=total)

    def __enter__(self) -> _Tracker:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def done(self, outcome: str, name: str) -> None:
        if self._progress is not None:
            self._progress.advance(self._task)
        else:
            click.echo(f"{outcome} {name}", err=True)


def _resolve(instance: Any, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "size": find(instance.list_sizes(), spec["size"], "size"),
        "image": find(instance.list_images(), spec["image"], "image"),
        "location": find(instance.list_locations(), spec["location"], "location"),
    }


def _submit_many(
    ctx: click.Context, instance: Any, names: list[str], spec: dict[str, Any]
) -> list[Any]:
    """CloudStack with --no-wait: submit one deployVirtualMachine per name, wait for none."""
    chosen = _resolve(instance, spec)
    extra = spec["extra"]
    groups = extra.get("ex_security_groups")
    ids: list[str] = []
    failures: list[str] = []
    with _Tracker("submitting", len(names)) as tracker:
        for name in names:
            try:
                answer = instance.ex_submit_node(
                    name,
                    chosen["size"],
                    chosen["image"],
                    chosen["location"],
                    ex_keyname=extra.get("ex_keyname"),
                    ex_security_groups=groups or None,
                )
            except OmnicloudError as exc:
                failures.append(f"{name}: {exc}")
                tracker.done("failed", name)
                continue
            ids.append(str(answer.get("id")))
            tracker.done(f"submitted (job {answer.get('jobid')})", name)
    _report(ctx, failures)
    by_id = {node.id: node for node in instance.list_nodes()}
    return _in_order([by_id[i] for i in ids if i in by_id], names)


def _in_order(created: list[Any], names: list[str]) -> list[Any]:
    """The nodes in the order their names were asked for (web-2 before web-10)."""
    rank = {name: index for index, name in enumerate(names)}
    return sorted(created, key=lambda node: (rank.get(node.name, len(rank)), node.name))


def _failure(ctx: click.Context, name: str, error: OmnicloudError) -> str:
    """One failed node: the error, and for a job accepted but not waited to its end, how to
    wait for it instead of creating the node again."""
    if isinstance(error, JobPollError):
        return f"{name}: {error}\n{resume_hint(error, program(ctx))}"
    return f"{name}: {error}"


def _report(ctx: click.Context, failures: list[str]) -> None:
    for failure in failures:
        click.echo(f"Error: {failure}", err=True)
    if failures:
        ctx.find_root().obj["exit_code"] = 1


async def _create_many(
    ctx: click.Context, names: list[str], spec: dict[str, Any], wait: bool
) -> list[Any]:
    import anyio

    from omnicloud._connect import connect

    created: list[Any] = []
    failures: list[str] = []
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
        with _Tracker("creating", len(names)) as tracker:

            async def one(name: str) -> None:
                outcome = "created"
                try:
                    node = await instance.create_node(name=name, **args)
                    if wait and _state(node) != "running":
                        ((node, _ips),) = await instance.wait_until_running(
                            [node], wait_period=0.5, ssh_interface=_reach(instance)
                        )
                    created.append(node)
                except OmnicloudError as exc:  # one failure must not hide the others' results
                    failures.append(_failure(ctx, name, exc))
                    outcome = "failed"
                tracker.done(outcome, name)

            async with anyio.create_task_group() as group:
                for name in names:
                    group.start_soon(one, name)
    _report(ctx, failures)
    return _in_order(created, names)


@nodes.command("create")
@click.argument("name")
@click.option(
    "--size",
    shell_complete=complete_sizes,
    help="Size id or name (default: the profile's, else the first).",
)
@click.option(
    "--image",
    shell_complete=complete_images,
    help="Image id or name (default: the profile's, else the first).",
)
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
@wait_option("the nodes are running and reachable")
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
    """Create NAME (or NAME-1..NAME-N with --count), in parallel with a live progress view.

    The progress view goes to stderr when it is a terminal; stdout holds only the result.
    """
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
    names = _names(name, count)
    instance = None if wait else driver(ctx)
    if instance is not None and can_submit(instance):
        created = _submit_many(ctx, instance, names, spec)
    else:
        created = anyio.run(_create_many, ctx, names, spec, wait)
    if created:
        emit(created, output_format(ctx))
    if ctx.find_root().obj.get("exit_code"):
        ctx.exit(1)


@nodes.command("ssh", context_settings={"ignore_unknown_options": True})
@click.argument("node", shell_complete=complete_nodes)
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
