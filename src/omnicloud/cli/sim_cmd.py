"""``omnicloud sim serve NAME``: run a simulator in the foreground.

``NAME`` resolves through :data:`omnicloud.sim.registry.SIMULATORS`; each simulator's options
come from its :class:`~omnicloud.sim.core.SimulatorSpec`, so a new simulator needs no CLI code.
Listing the simulators (``omnicloud sim serve --help``) imports none of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from omnicloud.sim.core.registry import Option, SimulatorSpec

__all__ = ["sim"]


@click.group()
def sim() -> None:
    """Run the offline cloud simulators."""


def _click_option(option: Option) -> click.Option:
    """The click option for one simulator option."""
    if option.kind == "flag":
        return click.Option(
            [f"{option.flag}/{option.off_flag}", option.name],
            default=bool(option.default),
            help=option.help,
        )
    kind: Any = None
    if option.kind == "float":
        kind = click.FloatRange(option.minimum, option.maximum)
    elif option.kind == "int":
        kind = click.IntRange(
            None if option.minimum is None else int(option.minimum),
            None if option.maximum is None else int(option.maximum),
        )
    return click.Option(
        [option.flag, option.name],
        type=kind,
        default=option.default,
        envvar=option.envvar,
        help=option.help,
    )


def _command(spec: SimulatorSpec) -> click.Command:
    """``omnicloud sim serve NAME`` for one ``SimulatorSpec``."""

    def callback(host: str, port: int, state: str | None, **options: Any) -> None:
        spec.run(host, port, state, **options)

    params: list[click.Parameter] = [
        click.Option(
            ["--host"], default="127.0.0.1", show_default=True, help="Address to listen on."
        ),
        click.Option(
            ["--port"], default=spec.default_port, show_default=True, type=click.IntRange(0, 65535)
        ),
        click.Option(
            ["--state"],
            type=click.Path(),  # checked by the simulator: one clear line for any bad path
            default=None,
            help="SQLite file keeping the simulator's state across restarts (default: in memory).",
        ),
    ]
    params += [_click_option(option) for option in spec.options]
    return click.Command(spec.name, callback=callback, params=params, help=spec.description)


class SimulatorGroup(click.Group):
    """Sub-commands from the simulator registry, each built when it is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from omnicloud.sim.registry import SIMULATORS

        return SIMULATORS.names()

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from omnicloud.sim.registry import SIMULATORS

        if cmd_name not in SIMULATORS.names():
            return None
        return _command(SIMULATORS.load(cmd_name))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the simulators from their registered summaries, without importing them."""
        from omnicloud.sim.registry import SIMULATORS

        rows = [(name, SIMULATORS.summary(name)) for name in SIMULATORS.names()]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@sim.group(cls=SimulatorGroup)
def serve() -> None:
    """Serve a simulator over HTTP (HTTPS for azure) until interrupted."""
