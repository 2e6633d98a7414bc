"""``omnicloud demo``: the main job on the zero-config built-in ``local`` cloud.

Compute is ``omnicloud.connect("local")`` (the CloudStack simulator in-process, state in the user
data directory or ``$OMNICLOUD_DATA_DIR``) and storage is ``omnicloud.connect("local",
"storage")``. The demo creates a key pair and a security group with an SSH rule, deploys several
nodes at once with progress, lists them, snapshots a volume, stores a file and fetches it back,
prices the fleet, tears everything down and prints a summary. Each step names the ``omnicloud``
command that does the same thing, and whatever a failed run created is removed before it exits.
"""

from __future__ import annotations

import hashlib
import secrets
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import click

from omnicloud.cli._errors import CliUsageError
from omnicloud.errors import OmnicloudError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["demo"]

CLOUD = "local"
HOURS_PER_MONTH = 730  # Libcloud prices are hourly; a month is 730 hours on most price lists


def _say(text: str = "") -> None:
    click.echo(text)


def _cmd(*args: object) -> str:
    """The ``omnicloud`` command line for a step (arguments quoted for a POSIX shell)."""
    import shlex

    return " ".join(["omnicloud", "--cloud", CLOUD, *(shlex.quote(str(a)) for a in args)])


def _money(price: float | None) -> str:
    return "unknown" if price is None else f"${price:,.4f}"


@dataclass
class _Step:
    title: str
    note: str = ""
    seconds: float = 0.0


@dataclass
class _Run:
    """What one demo run did: timed steps, and how to undo what it created."""

    tag: str
    steps: list[_Step] = field(default_factory=list)
    undo: list[tuple[str, Callable[[], Awaitable[object]]]] = field(default_factory=list)
    number: int = 0

    @contextmanager
    def step(self, title: str, *commands: str) -> Iterator[_Step]:
        """A numbered step: its title, the equivalent commands, then what it did (timed)."""
        self.number += 1
        _say(f"\n[{self.number}] {title}")
        for command in commands:
            if command:
                _say(f"    $ {command}")
        record = _Step(title)
        started = time.monotonic()
        yield record
        record.seconds = time.monotonic() - started
        self.steps.append(record)

    def created(self, label: str, action: Callable[[], Awaitable[object]]) -> None:
        self.undo.append((label, action))

    async def rollback(self) -> None:
        """Best-effort removal of everything still recorded (after a failure)."""
        while self.undo:
            label, action = self.undo.pop()
            try:
                await action()
                click.echo(f"cleaned up {label}", err=True)
            except Exception as exc:  # keep cleaning; report each leftover
                click.echo(f"could not clean up {label}: {exc}", err=True)


class _Progress:
    """A rich progress bar on a terminal, one plain line per item otherwise."""

    def __init__(self, label: str, total: int) -> None:
        self.bar: Any = None
        if sys.stdout.isatty():
            from rich.progress import Progress

            self.bar = Progress(transient=True)
            self.task = self.bar.add_task(label, total=total)

    def __enter__(self) -> _Progress:
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def done(self, line: str) -> None:
        if self.bar is not None:
            self.bar.advance(self.task)
            self.bar.console.print(line, highlight=False, markup=False)
        else:
            _say(line)


def _pick(items: list[Any], wanted: str | None, what: str, default: Any) -> Any:
    from omnicloud.cli._cloud import find

    return find(items, wanted, what) if wanted else default


def _state(node: Any) -> str:
    return str(getattr(node.state, "value", node.state))


async def _in_parallel(
    names: list[str], action: Callable[[str], Awaitable[str]], label: str
) -> list[str]:
    """Run ``action`` for every name at once; failures are collected, not raised mid-way."""
    import anyio

    failures: list[str] = []
    with _Progress(label, len(names)) as progress:

        async def one(name: str) -> None:
            try:
                progress.done(await action(name))
            except OmnicloudError as exc:
                failures.append(f"{name}: {exc}")
                progress.done(f"    failed   {name}: {exc}")

        async with anyio.create_task_group() as group:
            for name in names:
                group.start_soon(one, name)
    return failures


async def _main_job(run: _Run, count: int, size_wanted: str | None, keep: bool) -> None:
    import anyio

    from omnicloud._connect import connect, data_dir

    started = time.monotonic()
    _say(
        f"omnicloud demo on the built-in {CLOUD!r} cloud: a CloudStack simulator in-process and "
        f"local object storage, state in {data_dir()} (run {run.tag})"
    )
    storage = connect(CLOUD, "storage")
    async with connect(CLOUD, asynchronous=True) as cloud:
        try:
            await _steps(run, cloud, storage, count, size_wanted, keep)
        except BaseException:
            if run.undo:
                click.echo("The demo failed; removing what it created...", err=True)
                with anyio.CancelScope(shield=True):
                    await run.rollback()
            raise
    total = time.monotonic() - started
    _say(f"\nSummary: {len(run.steps)} steps in {total:.2f} s (run {run.tag})")
    width = max(len(step.title) for step in run.steps)
    for number, step in enumerate(run.steps, 1):
        _say(f"  {number:>2}. {step.title.ljust(width)}  {step.seconds:6.2f} s  {step.note}")
    if keep:
        _say("Kept everything it created (--keep): remove it with the commands shown above.")
    else:
        _say("Everything the demo created has been removed.")


async def _steps(
    run: _Run, cloud: Any, storage: Any, count: int, size_wanted: str | None, keep: bool
) -> None:
    from omnicloud.cli._render import emit

    tag = run.tag
    with run.step(
        "Discover the catalogue",
        _cmd("locations", "list"),
        _cmd("sizes", "list"),
        _cmd("images", "list"),
    ) as step:
        locations = await cloud.list_locations()
        guarded_zones = [z for z in locations if getattr(z, "security_groups_enabled", False)]
        zone = guarded_zones[0] if guarded_zones else locations[0]
        sizes = await cloud.list_sizes()
        priced = [s for s in sizes if s.price is not None]
        size = _pick(sizes, size_wanted, "size", priced[0] if priced else sizes[0])
        images = await cloud.list_images(location=zone)
        image = next((i for i in images if i.name.startswith("Ubuntu")), None)
        image = image or (images[0] if images else None)
        if image is None:
            raise OmnicloudError(f"zone {zone.name} has no images")
        step.note = f"{len(locations)} zones, {len(sizes)} sizes, {len(images)} images"
        _say(
            f"    {step.note}; using zone {zone.name}, size {size.name} "
            f"({_money(size.price)}/h), image {image.name}"
        )

    key_name, group_name = f"demo-{tag}-key", f"demo-{tag}-ssh"
    with run.step("Create a key pair", _cmd("keys", "create", key_name)) as step:
        pair = await cloud.create_key_pair(key_name)
        run.created(f"key pair {key_name}", lambda: cloud.delete_key_pair(pair))
        step.note = f"key pair {pair.name}"
        _say(f"    created key pair {pair.name} (fingerprint {pair.fingerprint})")

    groups: list[str] = []
    if guarded_zones:
        with run.step(
            "Create a security group for SSH",
            _cmd("security-groups", "create", group_name),
            _cmd("security-groups", "authorize", group_name, "--port", 22),
        ) as step:
            await cloud.ex_create_security_group(group_name, description="omnicloud demo: SSH")
            run.created(
                f"security group {group_name}",
                lambda: cloud.ex_delete_security_group(group_name),
            )
            await cloud.ex_authorize_security_group_ingress(
                group_name, "tcp", "0.0.0.0/0", startport=22, endport=22
            )
            groups.append(group_name)
            step.note = f"security group {group_name} (tcp/22 from 0.0.0.0/0)"
            _say(f"    created security group {group_name}, tcp/22 open to 0.0.0.0/0")

    base = f"demo-{tag}"
    names = [f"{base}-{i + 1}" for i in range(count)]
    nodes: dict[str, Any] = {}
    group_args = ["--security-group", group_name] if groups else []
    with run.step(
        f"Deploy {count} nodes at once",
        _cmd(
            "nodes",
            "create",
            base,
            "--count",
            count,
            "--size",
            size.name,
            "--image",
            image.name,
            "--location",
            zone.name,
            "--keypair",
            key_name,
            *group_args,
        ),
    ) as step:

        async def deploy(name: str) -> str:
            node = await cloud.create_node(
                name=name,
                size=size,
                image=image,
                location=zone,
                ex_keyname=key_name,
                ex_security_groups=groups or None,
            )
            nodes[name] = node
            if _state(node) != "running":
                ((node, _ips),) = await cloud.wait_until_running(
                    [node], wait_period=0.2, ssh_interface="private_ips"
                )
                nodes[name] = node
            address = ",".join([*node.public_ips, *node.private_ips]) or "-"
            return f"    created  {name}  {node.id}  {_state(node)}  {address}"

        run.created(f"{count} nodes", lambda: _destroy_nodes(cloud, list(nodes.values())))
        failures = await _in_parallel(names, deploy, "deploying")
        if failures:
            raise OmnicloudError(f"{len(failures)} of {count} nodes failed: {failures[0]}")
        step.note = f"{count} nodes in parallel: {names[0]} .. {names[-1]}"

    with run.step("List the nodes", _cmd("nodes", "list")) as step:
        listed = [n for n in await cloud.list_nodes() if n.name in nodes]
        emit(sorted(listed, key=lambda n: n.name), "table")
        running = sum(_state(n) == "running" for n in listed)
        if len(listed) != count:
            raise OmnicloudError(f"expected {count} demo nodes in the list, found {len(listed)}")
        step.note = f"{len(listed)} listed, {running} running"

    volume_name, snapshot_name = f"demo-{tag}-data", f"demo-{tag}-snap"
    with run.step(
        "Create a volume and snapshot it",
        _cmd("volumes", "create", volume_name, "--size", 10, "--location", zone.name),
        _cmd("snapshots", "create", volume_name, "--name", snapshot_name),
    ) as step:
        volume = await cloud.create_volume(10, volume_name, location=zone)
        run.created(f"volume {volume_name}", lambda: cloud.destroy_volume(volume))
        snapshot = await cloud.create_volume_snapshot(volume, name=snapshot_name)
        run.created(f"snapshot {snapshot_name}", lambda: cloud.destroy_volume_snapshot(snapshot))
        step.note = f"volume {volume.name} ({volume.size} GB), snapshot {snapshot_name}"
        _say(
            f"    volume {volume.name} ({volume.size} GB, {volume.id}) -> snapshot "
            f"{snapshot.name or snapshot.id} ({_state(snapshot)})"
        )

    container_name, object_name = f"demo-{tag}", "hello.txt"
    target = f"{container_name}/{object_name}"
    payload = "".join(
        f"Hello from omnicloud demo run {tag}, line {i}: {count} nodes of {size.name}.\n"
        for i in range(1, 101)
    ).encode()
    with run.step(
        "Store a file and fetch it back",
        _cmd("storage", "mb", container_name),
        _cmd("storage", "put", object_name, target),
        _cmd("storage", "get", target, "copy.txt"),
    ) as step:
        container = storage.create_container(container_name)
        run.created(f"container {container_name}", _sync(storage.delete_container, container))
        obj = storage.upload_object_via_stream(iter([payload]), container, object_name)
        run.created(f"object {target}", _sync(storage.delete_object, obj))
        stored = storage.get_object(container_name, object_name)
        fetched = b"".join(storage.download_object_as_stream(stored))
        if fetched != payload:
            raise OmnicloudError(f"{target} came back different from what was stored")
        digest = hashlib.sha256(fetched).hexdigest()[:16]
        step.note = f"{target}, {len(payload)} bytes, fetched back identical"
        _say(
            f"    stored {target} ({len(payload)} bytes) and fetched it back: identical "
            f"(sha256 {digest}...)"
        )

    with run.step("Price the fleet", _cmd("sizes", "list")) as step:
        total = _price(list(nodes.values()), sizes)
        step.note = f"{_money(total)} per hour for {count} nodes"

    if keep:
        run.undo.clear()
        return
    with run.step(
        "Tear everything down",
        _cmd("storage", "rm", target),
        _cmd("storage", "rb", container_name),
        _cmd("snapshots", "destroy", volume_name, snapshot_name),
        _cmd("volumes", "destroy", volume_name),
        _cmd("nodes", "destroy", *names),
        _cmd("security-groups", "delete", group_name) if groups else "",
        _cmd("keys", "delete", key_name),
    ) as step:
        _say(
            "    (the demo expunges the nodes at once, so the security group can go right away; "
            "after `nodes destroy` it can be deleted once the cloud has expunged them)"
        )
        removed: list[str] = []
        while run.undo:
            label, action = run.undo[-1]
            await action()
            run.undo.pop()
            removed.append(label)
            _say(f"    removed {label}")
        left = [n for n in await cloud.list_nodes() if n.name in nodes]
        if left:
            raise OmnicloudError(f"{len(left)} demo nodes are still there after the teardown")
        step.note = f"removed {', '.join(removed)}"


def _sync(function: Callable[..., object], *args: object) -> Callable[[], Awaitable[object]]:
    async def call() -> object:
        return function(*args)

    return call


async def _destroy_nodes(cloud: Any, nodes: list[Any]) -> None:
    by_name = {node.name: node for node in nodes}

    async def destroy(name: str) -> str:
        await cloud.destroy_node(by_name[name], ex_expunge=True)
        return f"    destroyed {name}"

    failures = await _in_parallel(sorted(by_name), destroy, "destroying")
    if failures:
        raise OmnicloudError(f"{len(failures)} nodes could not be destroyed: {failures[0]}")


def _price(nodes: list[Any], sizes: list[Any]) -> float | None:
    """Print the hourly cost per size and in all; returns the total (None if unknown)."""
    by_id = {size.id: size for size in sizes}
    fleet: dict[str, list[Any]] = {}
    for node in nodes:
        size_id = str(node.extra.get("size_id") or getattr(node.size, "id", node.size) or "")
        fleet.setdefault(size_id, []).append(node)
    rows: list[list[str]] = []
    total: float | None = 0.0
    for size_id, members in sorted(fleet.items()):
        size = by_id.get(size_id)
        price = size.price if size is not None else None
        subtotal = None if price is None else price * len(members)
        total = None if total is None or subtotal is None else total + subtotal
        name = size.name if size is not None else size_id
        rows.append([name, str(len(members)), _money(price), _money(subtotal)])
    rows.append(["total", str(len(nodes)), "", _money(total)])
    header = ["SIZE", "NODES", "PER NODE/H", "HOURLY"]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    for row in [header, *rows]:
        _say("    " + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    if total is not None:
        _say(
            f"    fleet: {_money(total)} per hour, about {_money(total * HOURS_PER_MONTH)} per "
            f"month ({HOURS_PER_MONTH} h), prices from omnicloud.pricing"
        )
    else:
        _say("    some sizes have no price data (see omnicloud.pricing)")
    return total


@click.command()
@click.option(
    "--count",
    default=3,
    show_default=True,
    type=click.IntRange(1, 20),
    help="How many nodes to deploy at once (the local cloud allows 20 per account).",
)
@click.option("--size", "size_wanted", help="Size id or name (default: the first priced size).")
@click.option("--keep", is_flag=True, help="Leave what the demo created in place.")
def demo(count: int, size_wanted: str | None, keep: bool) -> None:
    """Run the main job on the built-in local cloud (no account, no configuration)."""
    import anyio

    if size_wanted is not None and not size_wanted.strip():
        raise CliUsageError("--size must not be empty")
    run = _Run(tag=secrets.token_hex(3))
    anyio.run(_main_job, run, count, size_wanted, keep)
