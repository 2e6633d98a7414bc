"""``omnicloud.connect(name, family)``: a ready driver for a named cloud profile.

Which profile kinds give which family's driver, the credentials each needs and the options it
accepts are entries of the one driver table (:mod:`omnicloud._table`); :func:`families` and
:func:`profile_kinds` read it. Today:

* ``cloudstack``: compute and loadbalancer (endpoint, key, secret); ``exoscale``, ``ikoula``:
  compute presets (key, secret); ``cloudsigma``: compute (username, password, region).
* ``s3``, ``minio``, ``ceph``, ``swift_s3``, ``aws`` (EC2_ACCESS_ID/EC2_SECRET_KEY): storage;
  ``local``: local storage (root).
* ``cloudstack-sim`` (the built-in ``local`` cloud): compute and loadbalancer on the in-process
  CloudStack simulator, and local storage, state in the user data directory;
  ``cloudsigma-sim`` (``local-sigma``): compute on the CloudSigma simulator. A simulator is
  imported only for its own kind.
* No kind has a dns or container driver yet; a family a kind lacks is a
  :class:`DriverNotAvailableError` naming the families it has.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import Enum
from pathlib import Path

from omnicloud._registry import DriverNotAvailableError, driver_class, entries, family_name
from omnicloud._table import FAMILIES, Credential, DriverEntry
from omnicloud.errors import ConfigurationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud.config import Profile

__all__ = ["connect", "data_dir", "families", "has_driver", "profile_kinds"]


def data_dir() -> Path:
    """Where the built-in clouds keep their state (``$OMNICLOUD_DATA_DIR`` or platformdirs)."""
    if os.environ.get("OMNICLOUD_DATA_DIR"):
        path = Path(os.environ["OMNICLOUD_DATA_DIR"]).expanduser()
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir("omnicloud"))
    path.mkdir(mode=0o700, parents=True, exist_ok=True)  # holds API secrets: private
    return path


def _first(values: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        for key, value in values.items():
            if key.lower() == name and value not in (None, ""):
                return value
    return None


def _options(profile: Profile, table: Mapping[str, str]) -> dict[str, Any]:
    merged = {**profile.options, **profile.credentials}
    options = {table[k.lower()]: v for k, v in merged.items() if k.lower() in table}
    _check_verify(profile, options, "insecure" in table.values())
    return options


_VERIFY_OFF = {"false", "0", "no", "off"}


def _check_verify(profile: Profile, options: dict[str, Any], has_switch: bool) -> None:
    """Refuse ``verify: false`` (a setting that would be ignored or read as a CA path)."""
    verify = options.get("verify")
    if verify is not False and not (isinstance(verify, str) and verify.lower() in _VERIFY_OFF):
        return
    if has_switch and options.get("insecure") is True:
        del options["verify"]  # the explicit switch says the same
        return
    hint = (
        "set dangerous_no_tls_verify: true in the profile to do that (anyone on the network "
        "path can then read and change the traffic)"
        if has_switch
        else f"omnicloud has no switch to turn it off for {profile.kind}"
    )
    raise ConfigurationError(
        f"cloud {profile.name!r} ({profile.source}): verify: {verify!r} does not turn TLS "
        f"certificate verification off (verify takes true or a CA bundle path); {hint}"
    )


def _value(profile: Profile, field: Credential) -> Any:
    """The profile's value for ``field``, its default, or None; missing and required: an error."""
    source = (
        {**profile.options, **profile.credentials} if field.options_too else profile.credentials
    )
    value = _first(source, *field.names)
    if value is None and field.data_dir is not None:
        return str(data_dir() / field.data_dir)
    if value is None and field.required:
        raise ConfigurationError(
            f"cloud {profile.name!r} ({profile.kind}) needs {field.what} in its credentials "
            f"({' or '.join(field.names)})"
        )
    if value is not None and field.path:
        return str(Path(str(value)).expanduser())
    return value


def _from_credentials(entry: DriverEntry, profile: Profile, asynchronous: bool) -> Any:
    """The entry's driver made from the profile's credentials and options."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for field in entry.credentials:
        value = _value(profile, field)
        if value is None:
            continue
        if field.keyword is None:
            args.append(value)
        else:
            kwargs[field.keyword] = value
    if entry.options:
        kwargs.update(_options(profile, entry.options))
    return driver_class(entry.family, entry.provider, asynchronous)(*args, **kwargs)


def _simulated(entry: DriverEntry, profile: Profile, asynchronous: bool) -> Any:
    """The entry's driver on the built-in simulator (imported only now)."""
    import importlib

    module_name, _, function = entry.simulators[profile.kind].partition(":")
    build = getattr(importlib.import_module(module_name), function)
    return build(driver_class(entry.family, entry.provider, asynchronous), profile, asynchronous)


def _entry(family: str, kind: str) -> DriverEntry | None:
    """The first table entry of ``family`` that profiles of ``kind`` get."""
    return next((e for e in entries(family) if kind in e.profile_kinds()), None)


def families(kind: str) -> list[str]:
    """The API families omnicloud has a driver for in profiles of ``kind`` (table order)."""
    return [f for f in FAMILIES if _entry(f, kind) is not None]


def profile_kinds(family: str | None = None) -> list[str]:
    """Every profile kind with a driver (in ``family``), sorted."""
    return sorted({k for e in entries(family) for k in e.profile_kinds()})


def has_driver(driver_type: str | type[Enum], kind: str) -> bool:
    """Whether omnicloud has a ``driver_type`` (family, such as "compute") driver for ``kind``."""
    return _entry(family_name(driver_type), kind) is not None


def _no_driver(profile: Profile, family: str) -> DriverNotAvailableError:
    has = families(profile.kind)
    what = f"drivers for: {', '.join(has)}" if has else "no drivers yet"
    known = ", ".join(profile_kinds(family)) or "none"
    return DriverNotAvailableError(
        f"cloud {profile.name!r} is of kind {profile.kind!r}, for which omnicloud has no "
        f"{family} driver yet (kind {profile.kind!r} has {what}; "
        f"kinds with {family} drivers: {known})"
    )


def connect(
    name: str | None = None,
    driver_type: str | type[Enum] = "compute",
    *,
    asynchronous: bool = False,
    profile: Profile | None = None,
) -> Any:
    """The driver for the cloud profile ``name`` (the default cloud when None).

    ``driver_type`` is the API family: ``"compute"`` (default), ``"storage"``,
    ``"loadbalancer"``, ``"dns"`` or ``"container"`` (or a ``DriverType`` member);
    ``asynchronous=True`` gives the async driver. Raises :class:`ConfigurationError` for unknown
    names, missing credentials, or a family omnicloud has no driver for in that kind of cloud
    (:class:`DriverNotAvailableError`, naming the families it has).
    """
    family = family_name(driver_type)
    if profile is None:
        from omnicloud.config import load_profiles

        profile = load_profiles().get(name)
    entry = _entry(family, profile.kind)
    if entry is None:
        raise _no_driver(profile, family)
    if profile.kind in entry.simulators:
        return _simulated(entry, profile, asynchronous)
    return _from_credentials(entry, profile, asynchronous)
