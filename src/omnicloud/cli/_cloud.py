"""What every cloud command needs: the chosen profile's driver, the output format, progress."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import click

from omnicloud.cli._errors import CliUsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["driver", "find", "output_format", "status"]


def _options(ctx: click.Context) -> dict[str, Any]:
    root = ctx.find_root()
    return root.obj if isinstance(root.obj, dict) else {}


def output_format(ctx: click.Context) -> str:
    """The ``-o`` format chosen on the command line (table by default)."""
    return str(_options(ctx).get("output") or "table")


def cloud_name(ctx: click.Context) -> str | None:
    """The ``--cloud`` profile name (None: the default cloud)."""
    name = _options(ctx).get("cloud")
    return str(name) if name else None


def driver(ctx: click.Context, driver_type: str = "compute", *, asynchronous: bool = False) -> Any:
    """The driver of the selected cloud, closed when the command ends."""
    from omnicloud._connect import connect

    instance = connect(cloud_name(ctx), driver_type, asynchronous=asynchronous)
    if not asynchronous and hasattr(instance, "close"):
        ctx.call_on_close(instance.close)
    return instance


def profile_option(ctx: click.Context, name: str) -> str | None:
    """A default from the profile's options (``default: {size: ..., image: ...}``); reading it
    runs no ``credentials_command`` (that happens once, when the driver is made)."""
    from omnicloud.config import load_profiles

    value = load_profiles().describe(cloud_name(ctx)).options.get(name)
    return str(value) if value is not None else None


def find(items: Sequence[Any], wanted: str | None, what: str) -> Any:
    """The item whose id or name is ``wanted`` (case-insensitive name), or the first one."""
    if not items:
        raise CliUsageError(f"this cloud has no {what}s")
    if wanted is None:
        return items[0]
    for item in items:
        if str(getattr(item, "id", "")) == wanted:
            return item
    matches = [i for i in items if str(getattr(i, "name", "")).lower() == wanted.lower()]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise CliUsageError(f"several {what}s are named {wanted!r}; use the id")
    names = ", ".join(sorted({str(getattr(i, "name", "")) for i in items})[:12])
    raise CliUsageError(f"no {what} {wanted!r} (known: {names})")


@contextmanager
def status(message: str) -> Iterator[None]:
    """A spinner on stderr while waiting, when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(message):
        yield
