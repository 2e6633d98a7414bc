"""The AWS CLI's shared files: ``~/.aws/credentials`` and ``~/.aws/config``, read as profiles.

In the credentials file a section ``[name]`` is profile ``name``; in the config file it is
``[profile name]`` (``[default]`` for the default profile; other sections, such as
``[sso-session x]``, are not profiles). ``AWS_SHARED_CREDENTIALS_FILE`` and ``AWS_CONFIG_FILE``
move them. Nothing here prints a value: parse errors name the file and line only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from omnicloud.errors import ConfigurationError

__all__ = ["SharedFiles", "load_shared_files"]

Profiles = dict[str, dict[str, str]]


@dataclass(frozen=True, slots=True)
class SharedFiles:
    """The profiles of both files (values never shown in the repr)."""

    credentials_path: Path
    config_path: Path
    credentials: Profiles = field(default_factory=dict, repr=False)
    config: Profiles = field(default_factory=dict, repr=False)

    def has(self, profile: str) -> bool:
        """Whether either file has ``profile``."""
        return profile in self.credentials or profile in self.config

    def merged(self, profile: str) -> dict[str, str]:
        """The profile's settings, the credentials file's winning over the config file's."""
        return {**self.config.get(profile, {}), **self.credentials.get(profile, {})}

    def names(self) -> list[str]:
        """Every profile name in either file, sorted."""
        return sorted({*self.credentials, *self.config})


def _path(environ: Mapping[str, str], variable: str, default: str) -> Path:
    value = environ.get(variable) or default
    if value.startswith("~") and environ.get("HOME"):
        value = environ["HOME"] + value[1:]
    return Path(os.path.expanduser(value))


def _read(path: Path, what: str) -> dict[str, dict[str, str]]:
    """Sections of an INI file (missing file: none); errors name the file and line only."""
    import configparser

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ConfigurationError(f"cannot read the AWS {what} file {path}: {reason}") from None
    # AWS files have no [DEFAULT] section: every section, whatever its name, is itself only.
    parser = configparser.RawConfigParser(
        strict=False, interpolation=None, default_section="\0 no default section"
    )
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        line = getattr(exc, "lineno", None)
        if line is None and isinstance(exc, configparser.ParsingError) and exc.errors:
            line = exc.errors[0][0]
        where = f" (line {line})" if line else ""
        raise ConfigurationError(
            f"the AWS {what} file {path} is not valid INI{where}; see "
            "https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html"
        ) from None
    return {name: {k: v.strip() for k, v in parser.items(name)} for name in parser.sections()}


def _config_profiles(sections: dict[str, dict[str, str]]) -> Profiles:
    profiles: Profiles = {}
    for section, values in sections.items():
        kind, _, rest = section.partition(" ")
        if section == "default":
            profiles.setdefault("default", {}).update(values)
        elif kind == "profile" and rest.strip():
            name = rest.strip().strip('"').strip("'")
            profiles.setdefault(name, {}).update(values)
    return profiles


def _warn_if_shared(path: Path, sections: Mapping[str, Mapping[str, str]]) -> None:
    """A warning when ``path`` holds a secret key and other users may read it."""
    if any("aws_secret_access_key" in values for values in sections.values()):
        from omnicloud.config._permissions import warn_if_readable

        warn_if_readable(path, stacklevel=4)


def load_shared_files(environ: Mapping[str, str] | None = None) -> SharedFiles:
    """Read both files (where the environment says they are); a file holding a secret key
    that other users may read earns a warning."""
    env = os.environ if environ is None else environ
    credentials_path = _path(env, "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")
    config_path = _path(env, "AWS_CONFIG_FILE", "~/.aws/config")
    credentials = _read(credentials_path, "credentials")
    config = _read(config_path, "config")
    _warn_if_shared(credentials_path, credentials)
    _warn_if_shared(config_path, config)
    return SharedFiles(
        credentials_path=credentials_path,
        config_path=config_path,
        credentials=credentials,
        config=_config_profiles(config),
    )
