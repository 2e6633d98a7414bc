"""``omnicloud volumes ...`` and ``omnicloud snapshots ...``: block storage."""

from __future__ import annotations

import click

from omnicloud.cli._cloud import driver, find, output_format, status
from omnicloud.cli._complete import complete_nodes
from omnicloud.cli._jobs import can_submit, submit, wait_option
from omnicloud.cli._render import emit

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["snapshots", "volumes"]


def _volume(instance: Any, wanted: str) -> Any:
    return find(instance.list_volumes(), wanted, "volume")


def _submitted(instance: Any, command: str, what: str, **params: Any) -> str:
    """Submit ``command`` without waiting, say so on stderr; the new object's id (if any)."""
    answer = submit(instance, command, **params)
    click.echo(f"{what}: job {answer.get('jobid')} submitted, not waited for", err=True)
    return str(answer.get("id") or "")


def _lookup(items: list[Any], wanted: str, fallback: dict[str, Any]) -> Any:
    return next((item for item in items if str(item.id) == wanted), fallback)


def _create_submitted(instance: Any, name: str, size_gb: int, where: Any) -> Any:
    """createVolume without waiting (CloudStack); the volume as listed, still being created."""
    offering = instance.ex_pick_disk_offering(size_gb)
    new_id = _submitted(
        instance,
        "createVolume",
        f"creating volume {name}",
        name=name,
        zoneid=where.id,
        diskofferingid=offering.id,
        size=size_gb if offering.customizable else None,
    )
    return _lookup(instance.list_volumes(), new_id, {"id": new_id, "name": name})


@click.group()
def volumes() -> None:
    """Block storage volumes."""


@volumes.command("list")
@click.pass_context
def list_volumes(ctx: click.Context) -> None:
    """List volumes."""
    emit(driver(ctx).list_volumes(), output_format(ctx), kind="StorageVolume")


@volumes.command("create")
@click.argument("name")
@click.option("--size", "size_gb", required=True, type=click.IntRange(1), help="Size in GB.")
@click.option("--location", help="Location id or name (default: the first).")
@wait_option("the volume is ready")
@click.pass_context
def create_volume(
    ctx: click.Context, name: str, size_gb: int, location: str | None, wait: bool
) -> None:
    """Create a volume of --size GB."""
    instance = driver(ctx)
    where = find(instance.list_locations(), location, "location")
    if not wait and can_submit(instance):
        emit(_create_submitted(instance, name, size_gb, where), output_format(ctx))
        return
    if not wait and hasattr(instance, "ex_create_drive"):  # CloudSigma: do not wait for the drive
        emit(instance.ex_create_drive(name, size_gb, ex_wait=False), output_format(ctx))
        return
    with status(f"creating volume {name}..."):
        volume = instance.create_volume(size_gb, name, location=where)
    emit(volume, output_format(ctx))


@volumes.command("attach")
@click.argument("volume")
@click.argument("node", shell_complete=complete_nodes)
@wait_option("the volume is attached")
@click.pass_context
def attach_volume(ctx: click.Context, volume: str, node: str, wait: bool) -> None:
    """Attach VOLUME to NODE."""
    instance = driver(ctx)
    target = find(instance.list_nodes(), node, "node")
    if not wait and can_submit(instance):
        found = _volume(instance, volume)
        command = "attachVolume"
        _submitted(
            instance, command, f"attaching {volume}", id=found.id, virtualmachineid=target.id
        )
        return
    with status("attaching..."):
        instance.attach_volume(target, _volume(instance, volume))
    click.echo(f"attached {volume} to {target.name}", err=True)


@volumes.command("detach")
@click.argument("volume")
@wait_option("the volume is detached")
@click.pass_context
def detach_volume(ctx: click.Context, volume: str, wait: bool) -> None:
    """Detach VOLUME from its node."""
    instance = driver(ctx)
    if not wait and can_submit(instance):
        found = _volume(instance, volume)
        _submitted(instance, "detachVolume", f"detaching {volume}", id=found.id)
        return
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
    emit(
        instance.list_volume_snapshots(_volume(instance, volume)),
        output_format(ctx),
        kind="VolumeSnapshot",
    )


@snapshots.command("create")
@click.argument("volume")
@click.option("--name", help="Snapshot name.")
@wait_option("the snapshot is taken")
@click.pass_context
def create_snapshot(ctx: click.Context, volume: str, name: str | None, wait: bool) -> None:
    """Snapshot VOLUME."""
    instance = driver(ctx)
    if not wait and can_submit(instance):
        found = _volume(instance, volume)
        new_id = _submitted(
            instance, "createSnapshot", f"snapshotting {volume}", volumeid=found.id, name=name
        )
        listed = instance.list_volume_snapshots(found)
        emit(_lookup(listed, new_id, {"id": new_id, "name": name}), output_format(ctx))
        return
    with status("snapshotting..."):
        snapshot = instance.create_volume_snapshot(_volume(instance, volume), name=name)
    emit(snapshot, output_format(ctx))


@snapshots.command("destroy")
@click.argument("volume")
@click.argument("snapshot")
@wait_option("the snapshot is deleted")
@click.pass_context
def destroy_snapshot(ctx: click.Context, volume: str, snapshot: str, wait: bool) -> None:
    """Destroy SNAPSHOT of VOLUME."""
    instance = driver(ctx)
    found = find(instance.list_volume_snapshots(_volume(instance, volume)), snapshot, "snapshot")
    if not wait and can_submit(instance):
        _submitted(instance, "deleteSnapshot", f"destroying snapshot {snapshot}", id=found.id)
        return
    with status(f"destroying snapshot {snapshot}..."):
        instance.destroy_volume_snapshot(found)
    click.echo(f"destroyed snapshot {snapshot}", err=True)
