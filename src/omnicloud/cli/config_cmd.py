"""``omnicloud config list|show|add|use|check``: named clouds in ``omnicloud.yaml``.

``show`` and ``check`` take the cloud from NAME, else ``--cloud``, else the default. Only ``check``
(which uses the cloud) runs a profile's ``credentials_command``.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from omnicloud.cli._cloud import cloud_name, output_format
from omnicloud.cli._errors import CliUsageError
from omnicloud.cli._render import emit

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["config"]


def _target_file() -> Path:
    """The file ``add`` and ``use`` write: ``$OMNICLOUD_CONFIG``, else the user config file."""
    from omnicloud.config import config_files

    env = os.environ.get("OMNICLOUD_CONFIG")
    return Path(env).expanduser() if env else config_files()[0]


def _load_document(path: Path) -> dict[str, Any]:
    import yaml

    from omnicloud.config._load import yaml_problem
    from omnicloud.errors import ConfigurationError

    if not path.is_file():
        return {}
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: not valid YAML ({yaml_problem(exc)})") from None
    if not isinstance(document, dict):
        raise ConfigurationError(f"{path}: expected a mapping at the top level")
    return document


def _save_document(path: Path, document: dict[str, Any]) -> None:
    import yaml

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        yaml.safe_dump(document, handle, sort_keys=False, default_flow_style=False)
    temporary.replace(path)


def _root(document: dict[str, Any]) -> dict[str, Any]:
    root = document.get("cloudmesh", document)
    if not isinstance(root, dict):
        raise CliUsageError("the config file's 'cloudmesh' entry is not a mapping")
    return root


@click.group()
def config() -> None:
    """Named clouds (profiles) and the default cloud."""


@config.command("list")
@click.pass_context
def list_profiles(ctx: click.Context) -> None:
    """List every known cloud; the default is marked with *, broken ones say why."""
    from omnicloud.config import load_profiles

    profiles = load_profiles()
    default = None if profiles.default_error else profiles.default
    rows: list[dict[str, Any]] = []
    for name in profiles.names():
        entry = profiles.entry(name)
        problem = profiles.problem(name)
        rows.append(
            {
                "default": "*" if name == default else "",
                "name": name,
                "kind": entry.kind or "?",
                "source": entry.source,
                "status": f"broken: {problem}" if problem else "ok",
            }
        )
    for source, problem in profiles.problems.items():
        rows.append(
            {
                "default": "",
                "name": "-",
                "kind": "-",
                "source": source,
                "status": f"broken: {problem}",
            }
        )
    emit(rows, output_format(ctx), columns=["default", "name", "kind", "source", "status"])


@config.command("show")
@click.argument("name", required=False)
@click.pass_context
def show_profile(ctx: click.Context, name: str | None) -> None:
    """Show one cloud (NAME, else --cloud, else the default), secrets redacted.

    A credentials_command is not run: its credentials are not shown.
    """
    from omnicloud.config import load_profiles

    profiles = load_profiles()
    wanted = name or cloud_name(ctx)
    view = profiles.describe(wanted).redacted()
    if profiles.entry(wanted).has_command:
        view["credentials_command"] = "set (run when the cloud is used)"
    emit(view, output_format(ctx))


def _known_kinds() -> list[str]:
    """Every profile kind omnicloud has a driver for (in any family)."""
    from omnicloud._connect import profile_kinds

    return profile_kinds()


def _check_kind(kind: str) -> str:
    """``kind`` lower-cased, or a usage error naming the valid kinds."""
    known = _known_kinds()
    if kind.lower() not in known:
        raise CliUsageError(f"unknown kind {kind!r} (valid kinds: {', '.join(known)})")
    return kind.lower()


def _pairs(values: tuple[str, ...]) -> dict[str, str]:
    result = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key:
            raise CliUsageError(f"expected key=value, got {value!r}")
        result[key] = text
    return result


@config.command("add")
@click.argument("name")
@click.option("--kind", required=True, help="cloudstack, exoscale, ikoula, cloudsigma, s3, ...")
@click.option(
    "--cred",
    "credentials",
    multiple=True,
    metavar="KEY=VALUE",
    help="A credential (repeatable); use ${ENV_VAR} to keep secrets out of the file.",
)
@click.option(
    "--default",
    "defaults",
    multiple=True,
    metavar="KEY=VALUE",
    help="A default such as size=Small (repeatable).",
)
def add_profile(
    name: str, kind: str, credentials: tuple[str, ...], defaults: tuple[str, ...]
) -> None:
    """Add or replace cloud NAME in the config file (written with mode 600)."""
    kind = _check_kind(kind)
    path = _target_file()
    document = _load_document(path)
    root = _root(document)
    clouds = root.setdefault("cloud", {})
    if not isinstance(clouds, dict):
        raise CliUsageError(f"{path}: 'cloud' is not a mapping")
    entry: dict[str, Any] = {"kind": kind, "credentials": _pairs(credentials)}
    if defaults:
        entry["default"] = _pairs(defaults)
    clouds[name] = entry
    _save_document(path, document)
    click.echo(f"added cloud {name!r} ({kind}) to {path}", err=True)


@config.command("use")
@click.argument("name")
def use_profile(name: str) -> None:
    """Make NAME the default cloud."""
    from omnicloud.config import load_profiles

    load_profiles().entry(name)  # must exist (nothing in it is run)
    path = _target_file()
    document = _load_document(path)
    _root(document)["default"] = {"cloud": name}
    _save_document(path, document)
    click.echo(f"default cloud is now {name!r} ({path})", err=True)


@config.command("check")
@click.argument("name", required=False)
@click.pass_context
def check_profile(ctx: click.Context, name: str | None) -> None:
    """Check that cloud NAME (else --cloud, else the default) answers with these credentials
    (one cheap call)."""
    import time

    from omnicloud._connect import connect
    from omnicloud.config import load_profiles

    profile = load_profiles().get(name or cloud_name(ctx))
    started = time.monotonic()
    from omnicloud._connect import has_driver

    kind = "compute" if has_driver("compute", profile.kind) else "storage"
    instance = connect(driver_type=kind, profile=profile)
    try:
        if kind == "compute":  # the zones or regions
            what, count = "locations", len(instance.list_locations())
        else:  # object storage only (an S3 cloud): the containers, one listing request
            what, count = "containers", len(instance.list_containers())
    finally:
        instance.close()
    elapsed = (time.monotonic() - started) * 1000
    emit(
        {
            "cloud": profile.name,
            "kind": profile.kind,
            "status": "ok",
            what: count,
            "milliseconds": round(elapsed),
        },
        output_format(ctx),
    )
