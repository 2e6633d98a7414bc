"""Shell-completion callbacks for names that live in a cloud (nodes, images, sizes, cs APIs).

Nothing here is imported at start-up: each callback imports the driver or cache it needs only
when the shell asks, and any failure completes nothing (never a traceback into the shell).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import click

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from click.shell_completion import CompletionItem

__all__ = ["complete_cs_words", "complete_images", "complete_nodes", "complete_sizes"]

Completer = Callable[[click.Context, click.Parameter, str], "list[CompletionItem]"]


def chosen_cloud(ctx: click.Context) -> str | None:
    """The ``--cloud`` given so far (after the sub-command, else before it; None: the default)."""
    root = ctx.find_root()
    stored = root.obj.get("cloud") if isinstance(root.obj, dict) else None
    name = stored or root.params.get("cloud")
    return str(name) if name else None


def _items(values: Iterable[str], incomplete: str) -> list[CompletionItem]:
    from click.shell_completion import CompletionItem

    unique = sorted({value for value in values if value and value.startswith(incomplete)})
    return [CompletionItem(value) for value in unique]


def _from_driver(method: str) -> Completer:
    """A completer of the names ``driver.<method>()`` returns for the chosen cloud."""

    def complete(
        ctx: click.Context, _param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        try:
            from omnicloud._connect import connect

            instance = connect(chosen_cloud(ctx), "compute")
            try:
                found: Sequence[Any] = getattr(instance, method)()
            finally:
                if hasattr(instance, "close"):
                    instance.close()
            names = [str(getattr(item, "name", "") or "") for item in found]
        except Exception:  # completion must never print a traceback into the shell
            return []
        return _items(names, incomplete)

    return complete


complete_nodes = _from_driver("list_nodes")
complete_images = _from_driver("list_images")
complete_sizes = _from_driver("list_sizes")


def _cs_choice(words: Sequence[str], ctx: click.Context) -> tuple[str | None, str | None, bool]:
    """``(region, cloud, command_given)`` from the ``cs`` words typed so far."""
    region: str | None = None
    cloud = chosen_cloud(ctx)
    command_given = False
    takes_value = {"-r", "--region", "--cloud", "-o", "--output", "--theme"}
    pending: str | None = None
    for word in words:
        if pending is not None:
            if pending in ("-r", "--region"):
                region = word
            elif pending == "--cloud":
                cloud = word
            pending = None
        elif word in takes_value:
            pending = word
        elif word.startswith("--region="):
            region = word.partition("=")[2]
        elif word.startswith("--cloud="):
            cloud = word.partition("=")[2]
        elif not word.startswith("-"):
            command_given = True
    return region, cloud, command_given or pending is not None


def complete_cs_words(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """API command names from the ``cs sync`` cache, where the command name goes."""
    try:
        words = ctx.params.get(param.name or "") or ()
        region, cloud, command_given = _cs_choice(list(words), ctx)
        if command_given or "=" in incomplete or incomplete.startswith("-"):
            return []
        from omnicloud.cli.cs_cmd import _api_set
        from omnicloud.cloudstack._discovery import load_apis

        apis = load_apis(_api_set(region, cloud)) or {}
        return _items([*apis, "sync"], incomplete)
    except Exception:  # completion must never print a traceback into the shell
        return []
