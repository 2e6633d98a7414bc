"""``omnicloud sizes|images|locations list``: what a cloud offers."""

from __future__ import annotations

import click

from omnicloud.cli._cloud import driver, output_format
from omnicloud.cli._render import emit

__all__ = ["images", "locations", "sizes"]


@click.group()
def sizes() -> None:
    """Machine sizes."""


@sizes.command("list")
@click.pass_context
def list_sizes(ctx: click.Context) -> None:
    """List machine sizes (RAM in MB, disk in GB, price per hour where known)."""
    emit(driver(ctx).list_sizes(), output_format(ctx), kind="NodeSize")


@click.group()
def images() -> None:
    """Machine images (templates)."""


@images.command("list")
@click.pass_context
def list_images(ctx: click.Context) -> None:
    """List the images nodes can be created from."""
    emit(driver(ctx).list_images(), output_format(ctx), kind="NodeImage")


@click.group()
def locations() -> None:
    """Locations (zones, regions)."""


@locations.command("list")
@click.pass_context
def list_locations(ctx: click.Context) -> None:
    """List the locations nodes can be created in."""
    emit(driver(ctx).list_locations(), output_format(ctx), kind="NodeLocation")
