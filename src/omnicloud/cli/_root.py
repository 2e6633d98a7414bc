"""The click group behind ``omnicloud`` (everything except the ``cs`` fast path)."""

from __future__ import annotations

import os
from typing import Any

import click

from omnicloud import __version__
from omnicloud.cli._errors import EXIT_USAGE, CliUsageError, guarded
from omnicloud.cli._lazy import LazyGroup
from omnicloud.cli._notices import one_line_notices

TYPE_CHECKING = False
if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

__all__ = ["cli", "run"]

SUBCOMMANDS = {
    "config": ("omnicloud.cli.config_cmd", "config", "Named clouds and the default cloud."),
    "cs": ("omnicloud.cli._root", "cs_passthrough", "Call any CloudStack API command, like cs."),
    "containers": ("omnicloud.cli.containers_cmd", "containers", "Containers and images."),
    "demo": ("omnicloud.cli.demo_cmd", "demo", "Run the main job on the built-in simulator."),
    "dns": ("omnicloud.cli.dns_cmd", "dns", "DNS zones and records."),
    "images": ("omnicloud.cli.catalog_cmd", "images", "Machine images."),
    "ips": ("omnicloud.cli.ips_cmd", "ips", "Public IP addresses (floating, elastic)."),
    "jobs": ("omnicloud.cli._jobs", "jobs", "Asynchronous jobs: wait for one by id."),
    "keys": ("omnicloud.cli.access_cmd", "keys", "SSH key pairs."),
    "lb": ("omnicloud.cli.lb_cmd", "lb", "Load balancers and their members."),
    "locations": ("omnicloud.cli.catalog_cmd", "locations", "Locations (zones, regions)."),
    "nodes": ("omnicloud.cli.nodes_cmd", "nodes", "Virtual machines."),
    "security-groups": ("omnicloud.cli.access_cmd", "security_groups", "Security groups."),
    "sim": ("omnicloud.cli.sim_cmd", "sim", "Run the offline cloud simulators."),
    "sizes": ("omnicloud.cli.catalog_cmd", "sizes", "Machine sizes."),
    "snapshots": ("omnicloud.cli.volumes_cmd", "snapshots", "Volume snapshots."),
    "storage": ("omnicloud.cli.storage_cmd", "storage", "Object storage."),
    "volumes": ("omnicloud.cli.volumes_cmd", "volumes", "Block storage volumes."),
    "completion": ("omnicloud.cli._root", "completion", "Print a shell completion script."),
}


FORMATS = ("table", "json", "yaml", "csv")  # as omnicloud.cli._render, not imported at start-up
# groups whose commands print no cloud data (or parse their own options): no -o/--cloud added
_OWN_OPTIONS = {"cs", "completion", "demo", "sim"}


def _remember(key: str) -> Any:
    """A callback storing an option given after the sub-command over the group's value."""

    def store(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        if value is not None:
            root = ctx.find_root()
            root.ensure_object(dict)
            root.obj[key] = value

    return store


def _complete_cloud(
    ctx: click.Context, _param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Profile names starting with ``incomplete`` (the config is read only when completing;
    nothing is run and a broken config completes nothing)."""
    from click.shell_completion import CompletionItem

    try:
        from omnicloud.config import load_profiles

        names = load_profiles().names()
    except Exception:  # completion must never print a traceback into the shell
        return []
    return [CompletionItem(name) for name in names if name.startswith(incomplete)]


def _shared_options() -> list[click.Option]:
    return [
        click.Option(
            ["-o", "--output"],
            type=click.Choice(FORMATS),
            expose_value=False,
            callback=_remember("output"),
            help="Output format (as omnicloud -o).",
        ),
        click.Option(
            ["--cloud"],
            expose_value=False,
            callback=_remember("cloud"),
            shell_complete=_complete_cloud,
            help="Named cloud to use (as omnicloud --cloud).",
        ),
    ]


def _add_shared_options(command: click.Command) -> None:
    """Give every command under ``command`` the root's ``-o`` and ``--cloud`` (names it does not
    use already; none for a command that passes unknown options through, like ``nodes ssh``)."""
    if isinstance(command, click.Group):
        for child in command.commands.values():
            _add_shared_options(child)
        return
    passes_through = command.context_settings.get("ignore_unknown_options", False)
    if passes_through or getattr(command, "_omnicloud_shared", False):
        return
    taken = {name for param in command.params for name in getattr(param, "opts", [])}
    for option in _shared_options():
        if not taken.intersection(option.opts):
            command.params.append(option)
    command._omnicloud_shared = True  # type: ignore[attr-defined]


class _RootGroup(LazyGroup):
    """The lazy group that lets ``-o``/``--cloud`` follow the sub-command too."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None and cmd_name not in _OWN_OPTIONS:
            _add_shared_options(command)
        return command


@click.group(
    cls=_RootGroup,
    lazy_commands=SUBCOMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="omnicloud")
@click.option(
    "--cloud",
    envvar="OMNICLOUD_CLOUD",
    shell_complete=_complete_cloud,
    help="Named cloud to use (default: the default).",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False),
    help="An omnicloud.yaml to read besides your own (as OMNICLOUD_CONFIG); "
    "./omnicloud.yaml is read only when named here.",
)
@click.option(
    "-o",
    "--output",
    type=click.Choice(FORMATS),
    default=None,
    help="Output format (default: table; for cs: json). Also accepted after the sub-command.",
)
@click.option(
    "--trace",
    is_flag=True,
    help="On errors, print the details and traceback; log every HTTP exchange (redacted).",
)
@click.pass_context
def cli(
    ctx: click.Context, cloud: str | None, config_file: str | None, output: str | None, trace: bool
) -> None:
    """omnicloud: drive many clouds through one API."""
    ctx.ensure_object(dict)
    ctx.obj.update(cloud=cloud, output=output, trace=trace)
    if config_file is not None:
        _use_config_file(ctx, config_file)
    if trace:
        from omnicloud.http import enable_trace

        enable_trace()


def _use_config_file(ctx: click.Context, path: str) -> None:
    """``--config PATH`` is ``OMNICLOUD_CONFIG=PATH`` for this command (restored after it)."""
    saved = os.environ.get("OMNICLOUD_CONFIG")
    os.environ["OMNICLOUD_CONFIG"] = os.path.abspath(path)

    def restore() -> None:
        if saved is None:
            os.environ.pop("OMNICLOUD_CONFIG", None)
        else:
            os.environ["OMNICLOUD_CONFIG"] = saved

    ctx.call_on_close(restore)


def _complete_cs(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    from omnicloud.cli._complete import complete_cs_words

    return complete_cs_words(ctx, param, incomplete)


@click.command(
    "cs",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("words", nargs=-1, type=click.UNPROCESSED, shell_complete=_complete_cs)
@click.pass_context
def cs_passthrough(ctx: click.Context, words: tuple[str, ...]) -> None:
    """Call any CloudStack API command, like cs (see ``omnicloud cs --help``)."""
    from omnicloud.cli.cs_cmd import run_cs

    options = ctx.obj or {}
    ctx.exit(run_cs([*words, *ctx.args], options.get("cloud"), options.get("output")))


@click.command("completion")
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the completion script for SHELL (e.g. eval "$(omnicloud completion bash)")."""
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    if cls is None:  # pragma: no cover - click ships all three
        raise CliUsageError(f"no completion for {shell}")
    click.echo(cls(cli, {}, "omnicloud", "_OMNICLOUD_COMPLETE").source())


def run(argv: list[str]) -> int:
    """Run the click group with omnicloud's exit codes."""

    def invoke() -> int:
        try:
            result = cli.main(args=argv, prog_name="omnicloud", standalone_mode=False)
        except click.exceptions.Exit as done:
            return int(done.exit_code)
        except click.exceptions.Abort:
            raise KeyboardInterrupt from None
        except click.ClickException as exc:
            exc.show()
            if exc.exit_code == EXIT_USAGE:
                return EXIT_USAGE
            raise CliUsageError(exc.format_message()) from None
        return result if isinstance(result, int) else 0

    trace = "--trace" in argv
    with one_line_notices():
        return guarded(invoke, trace=trace, details=trace)
