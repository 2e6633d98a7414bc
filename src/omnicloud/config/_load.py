"""Reading profiles: ``omnicloud.yaml`` (the cloudmesh layout), ``cloudstack.ini``, built-ins.

Where profiles come from, lowest precedence first: the built-in ``local``, ``local-sigma`` and
``local-openstack``; the regions of ``~/.cloudstack.ini`` and ``$CLOUDSTACK_CONFIG`` (CloudStack
profiles named after their section); OpenStack's ``clouds.yaml`` and ``OS_*`` variables
(:mod:`omnicloud.config._clouds_yaml`); the user's ``omnicloud.yaml`` in the user config
directory; then the file named by ``$OMNICLOUD_CONFIG`` (the CLI's ``--config``). A later
source's profile replaces an earlier one of the same name; when the explicit file does that, a
warning naming both files is logged.

Files in the working directory (``./omnicloud.yaml``, ``./cloudstack.ini``) are not read for
profiles: a project's file must not run commands or replace the user's clouds because a command
was started in its directory. Opt in with ``OMNICLOUD_CONFIG=./omnicloud.yaml`` (or
``--config``); an ignored ``./omnicloud.yaml`` is mentioned at INFO level on the
``omnicloud.config`` logger.

Nothing is interpolated or run while loading: a profile's ``${VAR}`` references are resolved and
its ``credentials_command`` is run only when :meth:`Profiles.get` asks for that profile, so one
broken profile or unreadable file fails only when used.

The YAML layout is cloudmesh's, accepted as is::

    cloudmesh:
      default:
        cloud: exoscale
      cloud:
        exoscale:
          kind: exoscale            # or cm: {kind: exoscale}
          credentials:
            key: ${EXOSCALE_KEY}    # environment interpolation
            secret: ${EXOSCALE_SECRET}
          credentials_command: pass show clouds/exoscale   # optional: YAML mapping on stdout
          default: {size: Small, image: Ubuntu}            # options
"""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path

from omnicloud.config._clouds_yaml import add_openstack_entries
from omnicloud.config._model import Profile, ProfileEntry, Profiles
from omnicloud.config._permissions import warn_if_readable
from omnicloud.errors import ConfigurationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["BUILTIN_PROFILES", "config_files", "load_profiles"]

logger = logging.getLogger("omnicloud.config")

BUILTIN_PROFILES = {
    "local": Profile("local", "cloudstack-sim", {}, {}, "built-in"),
    "local-sigma": Profile("local-sigma", "cloudsigma-sim", {}, {}, "built-in"),
    "local-openstack": Profile("local-openstack", "openstack-sim", {}, {}, "built-in"),
    "local-gce": Profile("local-gce", "gce-sim", {}, {}, "built-in"),
    "local-azure": Profile("local-azure", "azure-sim", {}, {}, "built-in"),
}
_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def _user_file() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("omnicloud")) / "omnicloud.yaml"


def _explicit_file(env: Mapping[str, str]) -> Path | None:
    named = env.get("OMNICLOUD_CONFIG")
    return Path(named).expanduser().absolute() if named else None


def config_files(env: Mapping[str, str] | None = None) -> list[Path]:
    """The ``omnicloud.yaml`` files read, lowest precedence first (existing or not): the user
    config file, then ``$OMNICLOUD_CONFIG`` when set. ``./omnicloud.yaml`` is never among them."""
    env = os.environ if env is None else env
    explicit = _explicit_file(env)
    return [_user_file()] + ([explicit] if explicit is not None else [])


def _same_file(one: Path, other: Path | None) -> bool:
    if other is None:
        return False
    try:
        return one.resolve() == other.resolve()
    except OSError:
        return False


def _interpolate(value: Any, env: Mapping[str, str], where: str) -> Any:
    if isinstance(value, str):

        def substitute(match: re.Match[str]) -> str:
            name, fallback = match.group(1), match.group(2)
            if name in env:
                return env[name]
            if fallback is not None:
                return fallback
            raise ConfigurationError(f"{where}: environment variable {name} is not set")

        return _ENV_REFERENCE.sub(substitute, value)
    if isinstance(value, dict):
        return {k: _interpolate(v, env, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v, env, where) for v in value]
    return value


def yaml_problem(error: Exception) -> str:
    """A YAML parse error in one line: where, and what."""
    mark = getattr(error, "problem_mark", None)
    what = getattr(error, "problem", None) or getattr(error, "context", None) or "parse error"
    if mark is None:
        return " ".join(str(error).split())
    return f"line {mark.line + 1}, column {mark.column + 1}: {what}"


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{path}: cannot read ({exc})") from None
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: not valid YAML ({yaml_problem(exc)})") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ConfigurationError(f"{path}: expected a mapping at the top level")
    warn_if_readable(path, stacklevel=4)
    root = document.get("cloudmesh", document)
    if not isinstance(root, dict):
        raise ConfigurationError(f"{path}: 'cloudmesh' must be a mapping")
    return root


def _credentials_from_command(command: str, where: str) -> dict[str, Any]:
    import shlex
    import subprocess

    import yaml

    try:
        result = subprocess.run(
            shlex.split(command), capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        raise ConfigurationError(f"{where}: credentials_command failed: {exc}") from None
    if result.returncode != 0:
        raise ConfigurationError(
            f"{where}: credentials_command exited with status {result.returncode}"
        )
    try:
        values = yaml.safe_load(result.stdout)
    except yaml.YAMLError:
        values = None
    if not isinstance(values, dict):
        raise ConfigurationError(f"{where}: credentials_command must print a YAML/JSON mapping")
    return values


def _plain_kind(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    meta = body.get("cm")
    kind = body.get("kind") or (meta.get("kind") if isinstance(meta, dict) else None)
    return kind.lower() if isinstance(kind, str) and kind else None


def _yaml_profile(
    name: str, body: Any, path: Path, env: Mapping[str, str], run_command: bool
) -> Profile:
    where = f"{path}: cloud {name!r}"
    if not isinstance(body, dict):
        raise ConfigurationError(f"{where} must be a mapping")
    kind = _plain_kind(body)
    if kind is None:
        raise ConfigurationError(f"{where} has no 'kind' (for example kind: cloudstack)")
    credentials = body.get("credentials") or {}
    if not isinstance(credentials, dict):
        raise ConfigurationError(f"{where}: 'credentials' must be a mapping")
    credentials = _interpolate(credentials, env, f"{where}.credentials")
    command = body.get("credentials_command")
    if command is not None and not isinstance(command, str):
        raise ConfigurationError(f"{where}: 'credentials_command' must be a string")
    if command is not None and run_command:
        credentials = {**credentials, **_credentials_from_command(command, where)}
    options = body.get("default") or body.get("options") or {}
    if not isinstance(options, dict):
        raise ConfigurationError(f"{where}: 'default' must be a mapping")
    return Profile(
        name=name,
        kind=kind,
        credentials={str(k): v for k, v in credentials.items()},
        options=_interpolate(options, env, f"{where}.default"),
        source=str(path),
    )


def _ini_profile(region: str, env: Mapping[str, str], run_command: bool) -> Profile:
    from omnicloud.cloudstack._config import read_config

    try:
        config = read_config(region, env=env, local_file=False)
    except ConfigurationError as exc:
        raise ConfigurationError(f"cloudstack.ini: cloud {region!r}: {exc}") from None
    config.pop("name", None)
    credentials: dict[str, Any] = {
        k: config.pop(k) for k in ("endpoint", "key", "secret") if k in config
    }
    return Profile(region, "cloudstack", credentials, config, "cloudstack.ini")


def _builtin(profile: Profile, run_command: bool) -> Profile:
    return profile


def _add_ini_entries(
    entries: dict[str, ProfileEntry], problems: dict[str, str], env: Mapping[str, str]
) -> None:
    from omnicloud.cloudstack._config import list_regions

    try:
        regions = list_regions(env, local_file=False)
    except ConfigurationError as exc:
        problems["cloudstack.ini"] = str(exc)
        return
    for region in regions:
        resolve = functools.partial(_ini_profile, region, env)
        entries[region] = ProfileEntry(region, "cloudstack", "cloudstack.ini", resolve)


def _yaml_section(path: Path) -> tuple[dict[str, Any], Any]:
    """The clouds and the ``default`` entry of one file."""
    root = _read_yaml(path)
    section = root.get("cloud", root.get("clouds", {})) or {}
    if not isinstance(section, dict):
        raise ConfigurationError(f"{path}: 'cloud' must map names to clouds")
    return section, root.get("default")


def _default_name(chosen: Any) -> str | None:
    if isinstance(chosen, dict) and chosen.get("cloud"):
        return str(chosen["cloud"])
    if isinstance(chosen, str) and chosen:
        return chosen
    return None


def load_profiles(env: Mapping[str, str] | None = None) -> Profiles:
    """Every profile from built-ins, ``cloudstack.ini`` and the YAML files, and the default name.

    The default is ``$OMNICLOUD_CLOUD``, else the files' ``default: cloud:``, else ``local``.
    Nothing is resolved or run here; a file that cannot be read is recorded in
    ``Profiles.problems`` and reported when a profile it may hold is asked for.
    """
    env = os.environ if env is None else env
    entries = {
        name: ProfileEntry(name, profile.kind, profile.source, functools.partial(_builtin, profile))
        for name, profile in BUILTIN_PROFILES.items()
    }
    problems: dict[str, str] = {}
    _add_ini_entries(entries, problems, env)
    os_cloud = add_openstack_entries(entries, problems, env)
    user, explicit = _user_file(), _explicit_file(env)
    if _same_file(user, explicit):
        explicit = None
    local = Path.cwd() / "omnicloud.yaml"
    if local.is_file() and not _same_file(local, user) and not _same_file(local, explicit):
        logger.info(
            "%s is not read: use --config %s (or OMNICLOUD_CONFIG) to use its clouds",
            local,
            local,
        )
    defaults: list[tuple[str, Path]] = []
    files: list[str] = []
    for path in (user, explicit):
        if path is None:
            continue
        if not path.is_file():
            if path is explicit:
                problems[str(path)] = f"OMNICLOUD_CONFIG points to {path}, which does not exist"
            continue
        try:
            section, chosen = _yaml_section(path)
        except ConfigurationError as exc:
            problems[str(path)] = str(exc)
            continue
        files.append(str(path))
        for key, body in section.items():
            name = str(key)
            hidden = entries.get(name)
            entries[name] = ProfileEntry(
                name,
                _plain_kind(body),
                str(path),
                functools.partial(_yaml_profile, name, body, path, env),
                shadows=hidden.source if path is explicit and hidden is not None else None,
                has_command=isinstance(body, dict) and "credentials_command" in body,
            )
        if (chosen_name := _default_name(chosen)) is not None:
            defaults.append((chosen_name, path))
    if not defaults and os_cloud:  # OpenStack's own default, below omnicloud's files
        defaults.append((os_cloud, Path("$OS_CLOUD")))
    return _with_default(entries, files, problems, defaults, env.get("OMNICLOUD_CLOUD"))


def _with_default(
    entries: dict[str, ProfileEntry],
    files: list[str],
    problems: dict[str, str],
    defaults: list[tuple[str, Path]],
    from_env: str | None,
) -> Profiles:
    """The profiles with their default: the environment's, the last file's, else ``local``."""
    if from_env:
        return Profiles(entries, from_env, files, problems)
    note = error = None
    if defaults:
        default, path = defaults[-1]
        if len(defaults) > 1 and defaults[0][0] != default:
            note = (
                f"the default cloud {default!r} comes from {path}, which overrides "
                f"{defaults[0][0]!r} from {defaults[0][1]}"
            )
    else:
        default = "local"
        unread = [text for where, text in problems.items() if where != "cloudstack.ini"]
        if unread:  # the default may be named in a file that could not be read
            error = f"cannot tell the default cloud: {unread[-1]}"
    return Profiles(entries, default, files, problems, default_error=error, default_note=note)
