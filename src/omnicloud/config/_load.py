"""Reading profiles: ``omnicloud.yaml`` (the cloudmesh layout), ``cloudstack.ini``, built-ins.

Where files are looked for, lowest precedence first: the user config directory's
``omnicloud.yaml``, ``./omnicloud.yaml``, then ``$OMNICLOUD_CONFIG``. Later files override earlier
ones cloud by cloud. ``~/.cloudstack.ini`` regions become CloudStack profiles named after their
section (a YAML profile of the same name wins). The built-in ``local`` and ``local-sigma``
profiles need no configuration.

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

import os
import re
import stat
import warnings
from collections.abc import Mapping
from pathlib import Path

from omnicloud.config._model import Profile, Profiles
from omnicloud.errors import ConfigurationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["BUILTIN_PROFILES", "config_files", "load_profiles"]

BUILTIN_PROFILES = {
    "local": Profile("local", "cloudstack-sim", {}, {}, "built-in"),
    "local-sigma": Profile("local-sigma", "cloudsigma-sim", {}, {}, "built-in"),
}
_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def config_files(env: Mapping[str, str] | None = None) -> list[Path]:
    """Candidate ``omnicloud.yaml`` files, lowest precedence first (existing or not)."""
    from platformdirs import user_config_dir

    env = os.environ if env is None else env
    files = [Path(user_config_dir("omnicloud")) / "omnicloud.yaml", Path.cwd() / "omnicloud.yaml"]
    if env.get("OMNICLOUD_CONFIG"):
        files.append(Path(env["OMNICLOUD_CONFIG"]).expanduser())
    return files


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


def _warn_if_readable(path: Path) -> None:
    if os.name != "posix":
        return
    mode = path.stat().st_mode
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        warnings.warn(
            f"{path} is readable by other users and may hold credentials; run: chmod 600 {path}",
            stacklevel=4,
        )


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{path}: cannot read ({exc})") from None
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: not valid YAML ({exc})") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ConfigurationError(f"{path}: expected a mapping at the top level")
    _warn_if_readable(path)
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


def _profile(name: str, body: Any, path: Path, env: Mapping[str, str]) -> Profile:
    where = f"{path}: cloud {name!r}"
    if not isinstance(body, dict):
        raise ConfigurationError(f"{where} must be a mapping")
    meta: dict[str, Any] = body["cm"] if isinstance(body.get("cm"), dict) else {}
    kind = body.get("kind") or meta.get("kind")
    if not isinstance(kind, str) or not kind:
        raise ConfigurationError(f"{where} has no 'kind' (for example kind: cloudstack)")
    credentials = body.get("credentials") or {}
    if not isinstance(credentials, dict):
        raise ConfigurationError(f"{where}: 'credentials' must be a mapping")
    credentials = _interpolate(credentials, env, f"{where}.credentials")
    command = body.get("credentials_command")
    if command is not None:
        if not isinstance(command, str):
            raise ConfigurationError(f"{where}: 'credentials_command' must be a string")
        credentials = {**credentials, **_credentials_from_command(command, where)}
    options = body.get("default") or body.get("options") or {}
    if not isinstance(options, dict):
        raise ConfigurationError(f"{where}: 'default' must be a mapping")
    return Profile(
        name=str(name),
        kind=kind.lower(),
        credentials={str(k): v for k, v in credentials.items()},
        options=_interpolate(options, env, f"{where}.default"),
        source=str(path),
    )


def _cloudstack_ini_profiles(env: Mapping[str, str]) -> dict[str, Profile]:
    from omnicloud.cloudstack._config import list_regions, read_config

    profiles = {}
    try:
        regions = list_regions(env)
    except ConfigurationError:
        return {}
    for region in regions:
        try:
            config = read_config(region, env=env)
        except ConfigurationError:
            continue
        config.pop("name", None)
        credentials: dict[str, Any] = {
            k: config.pop(k) for k in ("endpoint", "key", "secret") if k in config
        }
        profiles[region] = Profile(region, "cloudstack", credentials, config, "cloudstack.ini")
    return profiles


def load_profiles(env: Mapping[str, str] | None = None) -> Profiles:
    """Every profile from built-ins, ``cloudstack.ini`` and the YAML files, and the default name.

    The default is ``$OMNICLOUD_CLOUD``, else the files' ``default: cloud:``, else ``local``.
    """
    env = os.environ if env is None else env
    clouds: dict[str, Profile] = dict(BUILTIN_PROFILES)
    clouds.update(_cloudstack_ini_profiles(env))
    default = "local"
    files: list[str] = []
    for path in config_files(env):
        if not path.is_file():
            if path == Path(env.get("OMNICLOUD_CONFIG", "\0")).expanduser():
                raise ConfigurationError(f"OMNICLOUD_CONFIG points to {path}, which does not exist")
            continue
        root = _read_yaml(path)
        files.append(str(path))
        section = root.get("cloud", root.get("clouds", {})) or {}
        if not isinstance(section, dict):
            raise ConfigurationError(f"{path}: 'cloud' must map names to clouds")
        for name, body in section.items():
            clouds[str(name)] = _profile(str(name), body, path, env)
        chosen = root.get("default")
        if isinstance(chosen, dict) and chosen.get("cloud"):
            default = str(chosen["cloud"])
        elif isinstance(chosen, str):
            default = chosen
    default = env.get("OMNICLOUD_CLOUD") or default
    return Profiles(clouds=clouds, default=default, files=files)
