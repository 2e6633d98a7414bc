"""A click group whose sub-commands are imported on first use."""

from __future__ import annotations

import importlib
from typing import Any

import click

__all__ = ["LazyGroup"]


class LazyGroup(click.Group):
    """``lazy_commands`` maps a name to ``(module, attribute, short help)``."""

    def __init__(
        self,
        *args: Any,
        lazy_commands: dict[str, tuple[str, str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands:
            module_name, attribute, _ = self.lazy_commands[cmd_name]
            command = getattr(importlib.import_module(module_name), attribute)
            if not isinstance(command, click.Command):  # pragma: no cover - programming error
                raise TypeError(f"{module_name}.{attribute} is not a click command")
            return command
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List sub-commands from their registered help, without importing them."""
        rows = [(name, self.lazy_commands[name][2]) for name in self.lazy_commands]
        rows += [
            (name, cmd.get_short_help_str())
            for name, cmd in self.commands.items()
            if name not in self.lazy_commands and not cmd.hidden
        ]
        rows.sort()
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
