"""``omnicloud dns zones ...`` and ``omnicloud dns records ...``: DNS zones and records of the
selected cloud's DNS driver (an ``aws`` profile gives Route53)."""

from __future__ import annotations

import click

from omnicloud.cli._cloud import driver, output_format, status
from omnicloud.cli._errors import CliUsageError
from omnicloud.cli._render import emit

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["dns"]

ZONE_COLUMNS = ["id", "domain", "type", "ttl"]
RECORD_COLUMNS = ["id", "name", "type", "data", "ttl"]


def _dns(ctx: click.Context) -> Any:
    return driver(ctx, "dns")


def _zone(instance: Any, wanted: str) -> Any:
    """The zone whose id or domain (with or without the final dot) is ``wanted``."""
    zones = instance.list_zones()
    for zone in zones:
        if zone.id == wanted:
            return zone
    matches = [z for z in zones if z.domain.rstrip(".").lower() == wanted.rstrip(".").lower()]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise CliUsageError(f"several zones are for {wanted!r}; use the id")
    raise CliUsageError(f"no zone {wanted!r} (give a zone id or domain)")


def _wait(instance: Any, made: Any, wait: bool) -> None:
    if wait and hasattr(instance, "ex_wait_for_change") and made.extra.get("change_id"):
        with status("waiting for the change to be in sync..."):
            instance.ex_wait_for_change(made)


@click.group()
def dns() -> None:
    """DNS zones and records."""


@dns.group()
def zones() -> None:
    """DNS zones."""


@zones.command("list")
@click.pass_context
def list_zones(ctx: click.Context) -> None:
    """List zones."""
    emit(_dns(ctx).list_zones(), output_format(ctx), columns=ZONE_COLUMNS)


@zones.command("create")
@click.argument("domain")
@click.option("--comment", help="A comment kept with the zone.")
@click.option("--wait", is_flag=True, help="Wait until the zone is served (Route53: INSYNC).")
@click.pass_context
def create_zone(ctx: click.Context, domain: str, comment: str | None, wait: bool) -> None:
    """Create a zone for DOMAIN."""
    instance = _dns(ctx)
    made = instance.create_zone(domain, extra={"Comment": comment} if comment else None)
    _wait(instance, made, wait)
    emit(made, output_format(ctx), columns=ZONE_COLUMNS)


@zones.command("delete")
@click.argument("zone")
@click.option("--force", is_flag=True, help="Delete the zone's records first.")
@click.pass_context
def delete_zone(ctx: click.Context, zone: str, force: bool) -> None:
    """Delete ZONE (an id or a domain)."""
    instance = _dns(ctx)
    found = _zone(instance, zone)
    if force and hasattr(instance, "ex_delete_all_records"):
        instance.ex_delete_all_records(found)
    elif force:
        for record in instance.list_records(found):
            if str(record.type) not in ("SOA", "NS") or record.name:
                instance.delete_record(record)
    instance.delete_zone(found)
    click.echo(f"deleted zone {found.domain}", err=True)


@dns.group()
def records() -> None:
    """DNS records of a zone."""


@records.command("list")
@click.argument("zone")
@click.option("--type", "kind", help="Only records of this type (A, MX...).")
@click.pass_context
def list_records(ctx: click.Context, zone: str, kind: str | None) -> None:
    """List the records of ZONE (an id or a domain)."""
    instance = _dns(ctx)
    found = instance.list_records(_zone(instance, zone))
    if kind:
        found = [r for r in found if str(r.type).upper() == kind.upper()]
    emit(found, output_format(ctx), columns=RECORD_COLUMNS)


@records.command("create")
@click.argument("zone")
@click.argument("name")
@click.argument("kind", metavar="TYPE")
@click.argument("data", nargs=-1, required=True)
@click.option("--ttl", type=click.IntRange(0), help="Time to live in seconds.")
@click.option("--priority", type=click.IntRange(0), help="MX or SRV priority.")
@click.option("--wait", is_flag=True, help="Wait until the record is served (Route53: INSYNC).")
@click.pass_context
def create_record(
    ctx: click.Context,
    zone: str,
    name: str,
    kind: str,
    data: tuple[str, ...],
    ttl: int | None,
    priority: int | None,
    wait: bool,
) -> None:
    """Create record NAME (``@`` for the apex) of TYPE in ZONE; several DATA values make one
    multi-value record."""
    from omnicloud.dns import RecordType

    try:
        record_type = RecordType(kind.upper())
    except ValueError:
        raise CliUsageError(f"unknown record type {kind!r}") from None
    instance = _dns(ctx)
    found = _zone(instance, zone)
    extra: dict[str, Any] = {}
    if ttl is not None:
        extra["ttl"] = ttl
    if priority is not None:
        extra["priority"] = priority
    label = "" if name == "@" else name
    if len(data) > 1:
        if not hasattr(instance, "ex_create_multi_value_record"):
            raise CliUsageError("this DNS provider takes one value per record")
        made = instance.ex_create_multi_value_record(label, found, record_type, list(data), extra)
    else:
        made = [instance.create_record(label, found, record_type, data[0], extra)]
    _wait(instance, made[0], wait)
    emit(made, output_format(ctx), columns=RECORD_COLUMNS)


@records.command("delete")
@click.argument("zone")
@click.argument("record")
@click.option("--data", "value", help="Delete only the value DATA of a multi-value record.")
@click.pass_context
def delete_record(ctx: click.Context, zone: str, record: str, value: str | None) -> None:
    """Delete RECORD (its id, ``TYPE:name``) of ZONE: every value, or --data's."""
    instance = _dns(ctx)
    found = [r for r in instance.list_records(_zone(instance, zone)) if r.id == record]
    if value is not None:
        found = [r for r in found if r.data == value]
    if not found:
        raise CliUsageError(f"no record {record!r}" + (f" with data {value!r}" if value else ""))
    for item in found:
        instance.delete_record(item)
    click.echo(f"deleted {record} ({len(found)} value{'s' if len(found) > 1 else ''})", err=True)
