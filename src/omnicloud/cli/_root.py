"""The click group behind ``omnicloud`` (everything except the ``cs`` fast path)."""

from __future__ import annotations

import os

import click

from omnicloud import __version__
from omnicloud.cli._errors import EXIT_USAGE, CliUsageError, guarded
from omnicloud.cli._lazy import LazyGroup
from omnicloud.cli._notices import one_line_notices

__all__ = ["cli", "run"]

SUBCOMMANDS = {
    "config": ("omnicloud.cli.config_cmd", "config", "Named clouds and the default cloud."),
    "cs": ("omnicloud.cli._root", "cs_passthrough", "Call any CloudStack API command, like cs."),
    "demo": ("omnicloud.cli.demo_cmd", "demo", "Run the main job on the built-in simulator."),
    "images": ("omnicloud.cli.catalog_cmd", "images", "Machine images."),
    "jobs": ("omnicloud.cli._jobs", "jobs", "Asynchronous jobs: wait for one by id."),
    "keys": ("omnicloud.cli.access_cmd", "keys", "SSH key pairs."),
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


@click.group(
    cls=LazyGroup,
    lazy_commands=SUBCOMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="omnicloud")
@click.option(
    "--cloud", envvar="OMNICLOUD_CLOUD", help="Named cloud to use (default: the default)."
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
    type=click.Choice(["table", "json", "yaml", "csv"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--trace",
    is_flag=True,
    help="On errors, print the details and traceback; log every HTTP exchange (redacted).",
)
@click.pass_context
def cli(
    ctx: click.Context, cloud: str | None, config_file: str | None, output: str, trace: bool
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


@click.command(
    "cs",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.pass_context
def cs_passthrough(ctx: click.Context) -> None:
    """Call any CloudStack API command, like cs (see ``omnicloud cs --help``)."""
    from omnicloud.cli.cs_cmd import run_cs

    ctx.exit(run_cs(list(ctx.args), (ctx.obj or {}).get("cloud")))


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
