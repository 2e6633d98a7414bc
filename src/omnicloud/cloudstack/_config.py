"""``read_config()``: the ``cs`` configuration scheme (environment and ``cloudstack.ini`` regions).

Precedence, as ``cs`` does it:

1. When ``CLOUDSTACK_ENDPOINT``, ``CLOUDSTACK_KEY`` and ``CLOUDSTACK_SECRET`` are all set (and
   ``CLOUDSTACK_OVERRIDES`` is not), the environment alone is used.
2. Otherwise the ini files are read, later ones winning: ``~/.cloudstack.ini``,
   ``./cloudstack.ini``, ``$CLOUDSTACK_CONFIG``. The section is the region: the ``region``
   argument, else ``$CLOUDSTACK_REGION``, else ``cloudstack``.
3. Values merge as defaults < environment < ini file < environment values for the keys named in
   ``CLOUDSTACK_OVERRIDES``.

``verify = false`` (or ``CLOUDSTACK_VERIFY=false``) is refused with a :class:`ConfigurationError`:
it is neither a CA bundle path nor the way to turn verification off, which is
``dangerous_no_tls_verify = true``. An ini file holding a ``secret`` that other users can read
draws a warning.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from omnicloud.errors import ConfigurationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import configparser
    from pathlib import Path
    from typing import Any

__all__ = ["DEFAULT_REGION", "config_paths", "list_regions", "read_config"]

DEFAULT_REGION = "cloudstack"
REQUIRED = ("endpoint", "key", "secret")
_FLOATS = ("timeout", "expiration", "poll_interval", "job_timeout")
_INTS = ("retry", "page_size")
_BOOLS = ("trace", "dangerous_no_tls_verify", "fetch_result")
_STRINGS = ("endpoint", "key", "secret", "method", "verify", "cert", "cert_key", "theme")
KEYS = _STRINGS + _FLOATS + _INTS + _BOOLS
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def config_paths(env: Mapping[str, str] | None = None, *, local_file: bool = True) -> list[Path]:
    """The ini files consulted, lowest precedence first (``./cloudstack.ini`` when
    ``local_file``)."""
    from pathlib import Path

    env = os.environ if env is None else env
    paths = [Path(env.get("HOME") or Path.home()) / ".cloudstack.ini"]
    if local_file:
        paths.append(Path.cwd() / "cloudstack.ini")
    if env.get("CLOUDSTACK_CONFIG"):
        paths.append(Path(env["CLOUDSTACK_CONFIG"]).expanduser())
    return paths


def _read_ini(
    env: Mapping[str, str], local_file: bool = True
) -> tuple[configparser.ConfigParser, list[Path]]:
    import configparser

    from omnicloud.config._permissions import warn_if_readable

    parser = configparser.ConfigParser(interpolation=None)
    found = []
    for path in config_paths(env, local_file=local_file):
        if path.is_file():
            single = configparser.ConfigParser(interpolation=None)
            try:
                single.read(path, encoding="utf-8")
            except (configparser.Error, UnicodeDecodeError) as exc:
                raise ConfigurationError(f"{path}: not a valid ini file ({exc})") from None
            if any(single.get(section, "secret", fallback="") for section in single.sections()):
                warn_if_readable(path, stacklevel=4)
            parser.read_dict(single)
            found.append(path)
    return parser, found


def list_regions(env: Mapping[str, str] | None = None, *, local_file: bool = True) -> list[str]:
    """Section names of the ini files (the regions ``--region`` accepts)."""
    parser, _ = _read_ini(os.environ if env is None else env, local_file)
    return parser.sections()


def _from_env(env: Mapping[str, str]) -> dict[str, str]:
    values = {}
    for key in KEYS:
        value = env.get(f"CLOUDSTACK_{key.upper()}", "")
        if value:
            values[key] = value
    return values


def _coerce(values: Mapping[str, str], origin: str) -> dict[str, Any]:
    config: dict[str, Any] = {}
    headers: dict[str, str] = {}
    for key, raw in values.items():
        if key.startswith("header_"):
            headers[key[len("header_") :]] = raw
            continue
        if key not in KEYS or raw == "":
            continue
        try:
            if key in _FLOATS:
                config[key] = float(raw)
            elif key in _INTS:
                config[key] = int(raw)
            elif key in _BOOLS:
                config[key] = _boolean(raw)
            elif key == "verify":
                lowered = raw.strip().lower()
                config[key] = (lowered in _TRUE) if lowered in _TRUE | _FALSE else raw
                if config[key] is False:
                    config[key] = _VerifyOff(origin, raw)
            else:
                config[key] = raw
        except ValueError:
            raise ConfigurationError(f"{origin}: {key} = {raw!r} is not a valid value") from None
    if headers:
        config["headers"] = headers
    return config


class _VerifyOff:
    """``verify = false`` as read, kept apart so it is refused unless the real switch is on."""

    __slots__ = ("origin", "raw")

    def __init__(self, origin: str, raw: str) -> None:
        self.origin, self.raw = origin, raw


def _settle_verify(config: dict[str, Any]) -> None:
    """Drop a ``verify = false`` the explicit insecure switch confirms; refuse any other one."""
    value = config.get("verify")
    if not isinstance(value, _VerifyOff):
        return
    del config["verify"]
    if config.get("dangerous_no_tls_verify") is True:
        return
    if value.origin == "environment":
        said, switch = f"CLOUDSTACK_VERIFY={value.raw}", "CLOUDSTACK_DANGEROUS_NO_TLS_VERIFY=true"
    else:
        said = f"{value.origin} verify = {value.raw}"
        switch = "dangerous_no_tls_verify = true in that section"
    raise ConfigurationError(
        f"{said} does not turn TLS certificate verification off (verify takes true or a "
        f"CA bundle path); to turn it off, knowing that anyone on the network path can then "
        f"read and change the traffic, set {switch}"
    )


def _boolean(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(raw)


def read_config(
    region: str | None = None, env: Mapping[str, str] | None = None, *, local_file: bool = True
) -> dict[str, Any]:
    """Keyword arguments for ``CloudStack(**read_config())`` from the environment and ini files.

    ``local_file=False`` leaves ``./cloudstack.ini`` out (profiles do). Raises
    :class:`ConfigurationError` (never ``SystemExit``) when nothing usable is found.
    """
    env = os.environ if env is None else env
    env_values = _from_env(env)
    overrides = [k for k in re.split(r"[\s,]+", env.get("CLOUDSTACK_OVERRIDES", "")) if k]
    if not overrides and all(key in env_values for key in REQUIRED) and region is None:
        config = _coerce(env_values, "environment")
        _settle_verify(config)
        config["name"] = env.get("CLOUDSTACK_REGION") or DEFAULT_REGION
        return config

    section = region or env.get("CLOUDSTACK_REGION") or DEFAULT_REGION
    parser, found = _read_ini(env, local_file)
    ini_values: dict[str, str] = {}
    if parser.has_section(section):
        ini_values = dict(parser.items(section))
    elif region is not None or found:
        available = ", ".join(parser.sections()) or "none"
        where = ", ".join(str(p) for p in found) or "no config file"
        raise ConfigurationError(f"region {section!r} not found in {where} (regions: {available})")

    merged = {**_coerce(env_values, "environment"), **_coerce(ini_values, f"[{section}]")}
    for key in overrides:
        if key in env_values:
            merged.update(_coerce({key: env_values[key]}, "environment"))
        else:
            merged.pop(key, None)
    _settle_verify(merged)
    missing = [key for key in REQUIRED if not merged.get(key)]
    if missing:
        tried = ", ".join(str(p) for p in config_paths(env, local_file=local_file))
        raise ConfigurationError(
            f"CloudStack configuration incomplete: missing {', '.join(missing)} "
            f"(set CLOUDSTACK_ENDPOINT, CLOUDSTACK_KEY and CLOUDSTACK_SECRET, or a [{section}] "
            f"section in one of: {tried})"
        )
    merged["name"] = section
    return merged
