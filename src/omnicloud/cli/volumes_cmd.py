"""``omnicloud volumes ...`` and ``omnicloud snapshots ...``: block storage."""

from __future__ import annotations

import click

from omnicloud.cli._cloud import driver, find, output_format, status
from omnicloud.cli._render import emit

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["snapshots", "volumes"]


def _volume(instance: Any, wanted: str) -> Any:
    return find(instance.list_volumes(), wanted, "volume")


@click.group()
def volumes() -> None:
    """Block storage volumes."""


@volumes.command("list")
@click.pass_context
def list_volumes(ctx: click.Context) -> None:
    """List volumes."""
    emit(driver(ctx).list_volumes(), output_format(ctx))


@volumes.command("create")
@click.argument("name")
@click.option("--size", "size_gb", required=True, type=click.IntRange(1), help="Size in GB.")
@click.option("--location", help="Location id or name (default: the first).")
@click.pass_context
def create_volume(ctx: click.Context, name: str, size_gb: int, location: str | None) -> None:
    """Create a volume of --size GB."""
    instance = driver(ctx)
    where = find(instance.list_locations(), location, "location")
    with status(f"creating volume {name}..."):
        volume = instance.create_volume(size_gb, name, location=where)
    emit(volume, output_format(ctx))


@volumes.command("attach")
@click.argument("volume")
@click.argument("node")
@click.pass_context
def attach_volume(ctx: click.Context, volume: str, node: str) -> None:
    """Attach VOLUME to NODE."""
    instance = driver(ctx)
    target = find(instance.list_nodes(), node, "node")
    with status("attaching..."):
        instance.attach_volume(target, _volume(instance, volume))
    click.echo(f"attached {volume} to {target.name}", err=True)


@volumes.command("detach")
@click.argument("volume")
@click.pass_context
def detach_volume(ctx: click.Context, volume: str) -> None:
    """Detach VOLUME from its node."""
    instance = driver(ctx)
    with status("detaching..."):
        instance.detach_volume(_volume(instance, volume))
    click.echo(f"detached {volume}", err=True)


@volumes.command("destroy")
@click.argument("volume")
@click.pass_context
def destroy_volume(ctx: click.Context, volume: str) -> None:
    """Destroy VOLUME."""
    instance = driver(ctx)
    instance.destroy_volume(_volume(instance, volume))
    click.echo(f"destroyed {volume}", err=True)


@click.group()
def snapshots() -> None:
    """Volume snapshots."""


@snapshots.command("list")
@click.argument("volume")
@click.pass_context
def list_snapshots(ctx: click.Context, volume: str) -> None:
    """List the snapshots of VOLUME."""
    instance = driver(ctx)
    emit(instance.list_volume_snapshots(_volume(instance, volume)), output_format(ctx))


@snapshots.command("create")
@click.argument("volume")
@click.option("--name", help="Snapshot name.")
@click.pass_context
def create_snapshot(ctx: click.Context, volume: str, name: str | None) -> None:
    """Snapshot VOLUME."""
    instance = driver(ctx)
    with status("snapshotting..."):
        snapshot = instance.create_volume_snapshot(_volume(instance, volume), name=name)
    emit(snapshot, output_format(ctx))


@snapshots.command("destroy")
@click.argument("volume")
@click.argument("snapshot")
@click.pass_context
def destroy_snapshot(ctx: click.Context, volume: str, snapshot: str) -> None:
    """Destroy SNAPSHOT of VOLUME."""
    instance = driver(ctx)
    found = find(instance.list_volume_snapshots(_volume(instance, volume)), snapshot, "snapshot")
    instance.destroy_volume_snapshot(found)
    click.echo(f"destroyed snapshot {snapshot}", err=True)
