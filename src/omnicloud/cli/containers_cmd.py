"""``omnicloud containers ...``: images and containers of the selected cloud's container driver
(a profile of kind ``docker``)."""

from __future__ import annotations

import sys

import click

from omnicloud.cli._cloud import driver, output_format
from omnicloud.cli._errors import CliUsageError
from omnicloud.cli._render import emit

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["containers"]

IMAGE_COLUMNS = ["id", "name", "version", "path"]
CONTAINER_COLUMNS = ["id", "name", "image", "state", "ip"]


def _driver(ctx: click.Context) -> Any:
    return driver(ctx, "container")


def _image_row(image: Any) -> dict[str, Any]:
    return {"id": image.id, "name": image.name, "version": image.version, "path": image.path}


def _container_row(container: Any) -> dict[str, Any]:
    return {
        "id": container.id,
        "name": container.name,
        "image": container.image.path or container.image.id,
        "state": str(container.state),
        "ip": ", ".join(container.ip_addresses),
    }


def _image(instance: Any, wanted: str) -> Any:
    """The installed image whose reference, id (or id prefix) or name is ``wanted``."""
    images = instance.list_images()
    bare = wanted.removeprefix("sha256:")
    tests: tuple[Callable[[Any], bool], ...] = (
        lambda i: i.path == wanted or i.id == wanted,
        lambda i: f"{i.name}:latest" == wanted or (i.name == wanted and i.version == "latest"),
        lambda i: len(bare) >= 4 and i.id.removeprefix("sha256:").startswith(bare),
        lambda i: i.name == wanted,
    )
    for test in tests:
        matches = [i for i in images if test(i)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise CliUsageError(f"several images match {wanted!r}; give the full reference")
    raise CliUsageError(f"no image {wanted!r} installed (see `omnicloud containers images`)")


def _container(instance: Any, wanted: str) -> Any:
    """The container whose id, id prefix or name is ``wanted``."""
    listed = instance.list_containers(all=True)
    tests: tuple[Callable[[Any], bool], ...] = (
        lambda c: c.id == wanted or c.name == wanted,
        lambda c: len(wanted) >= 4 and c.id.startswith(wanted),
    )
    for test in tests:
        matches = [c for c in listed if test(c)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise CliUsageError(f"several containers match {wanted!r}; give more of the id")
    raise CliUsageError(f"no container {wanted!r} (give an id or a name)")


@click.group()
def containers() -> None:
    """Container images and containers."""


@containers.command("images")
@click.pass_context
def images(ctx: click.Context) -> None:
    """List installed images."""
    rows = [_image_row(i) for i in _driver(ctx).list_images()]
    emit(rows, output_format(ctx), columns=IMAGE_COLUMNS)


@containers.command("list")
@click.option("--running", is_flag=True, help="Only running containers.")
@click.pass_context
def list_containers(ctx: click.Context, running: bool) -> None:
    """List containers (stopped ones too unless --running)."""
    rows = [_container_row(c) for c in _driver(ctx).list_containers(all=not running)]
    emit(rows, output_format(ctx), columns=CONTAINER_COLUMNS)


def _pairs(values: tuple[str, ...], what: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        key, sep, item = value.partition("=")
        if not sep or not key:
            raise CliUsageError(f"{what} {value!r}: expected KEY=VALUE")
        pairs[key] = item
    return pairs


@containers.command("deploy")
@click.argument("name")
@click.argument("image")
@click.option("--command", "command", help="A shell command line to run (sh -c).")
@click.option("--env", "env", multiple=True, help="An environment variable KEY=VALUE (repeat).")
@click.option("--label", "labels", multiple=True, help="A label KEY=VALUE (repeat).")
@click.option("--network", help="Docker's network mode (none, host, bridge...).")
@click.option("--no-tty", is_flag=True, help="No terminal: stdout and stderr logged apart.")
@click.option("--no-start", is_flag=True, help="Create the container without starting it.")
@click.pass_context
def deploy(
    ctx: click.Context,
    name: str,
    image: str,
    command: str | None,
    env: tuple[str, ...],
    labels: tuple[str, ...],
    network: str | None,
    no_tty: bool,
    no_start: bool,
) -> None:
    """Deploy container NAME of IMAGE (a reference such as busybox:latest, or an id)."""
    instance = _driver(ctx)
    options: dict[str, Any] = {}
    if command is not None:
        options["command"] = command
    if env:
        options["environment"] = _pairs(env, "--env")
    if labels:
        options["labels"] = _pairs(labels, "--label")
    if network:
        options["network_mode"] = network
    if no_tty:
        options["tty"] = False
        options["stdin_open"] = False
    made = instance.deploy_container(name, _image(instance, image), start=not no_start, **options)
    emit(_container_row(made), output_format(ctx), columns=CONTAINER_COLUMNS)


def _act(action: str, help_text: str) -> None:
    @containers.command(action, help=help_text)
    @click.argument("container")
    @click.pass_context
    def command(ctx: click.Context, container: str) -> None:
        instance = _driver(ctx)
        target = _container(instance, container)
        result = getattr(instance, f"{action}_container")(target)
        if action == "destroy":
            emit(
                {"id": target.id, "name": target.name, "destroyed": bool(result)},
                output_format(ctx),
            )
        else:
            emit(_container_row(result), output_format(ctx), columns=CONTAINER_COLUMNS)


_act("start", "Start CONTAINER (an id, id prefix or name).")
_act("stop", "Stop CONTAINER (an id, id prefix or name).")
_act("restart", "Restart CONTAINER (an id, id prefix or name).")
_act("destroy", "Remove CONTAINER (an id, id prefix or name), running or not.")


@containers.command("logs")
@click.argument("container")
@click.option("--follow", "-f", is_flag=True, help="Keep printing output as it comes.")
@click.option("--tail", type=click.IntRange(0), help="Only the last N lines.")
@click.option("--timestamps", is_flag=True, help="Prefix each line with its time.")
@click.pass_context
def logs(
    ctx: click.Context, container: str, follow: bool, tail: int | None, timestamps: bool
) -> None:
    """Print CONTAINER's output (stderr to stderr)."""
    instance = _driver(ctx)
    target = _container(instance, container)
    iterate = getattr(instance, "ex_iterate_logs", None)
    if iterate is None:
        if follow or tail is not None or timestamps:
            raise CliUsageError("this cloud's driver gives whole logs only: drop the options")
        sys.stdout.write(instance.ex_get_logs(target))
        return
    for chunk in iterate(target, follow=follow, tail=tail, timestamps=timestamps):
        out = sys.stderr if chunk.stream == "stderr" else sys.stdout
        out.buffer.write(chunk.data) if hasattr(out, "buffer") else out.write(chunk.text)
        out.flush()
