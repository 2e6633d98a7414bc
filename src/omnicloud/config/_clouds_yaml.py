"""OpenStack's ``clouds.yaml`` (os-client-config) and ``OS_*`` variables as omnicloud profiles.

Each cloud of the first ``clouds.yaml`` found becomes a profile of kind ``openstack`` named after
it, with the matching cloud of ``secure.yaml`` (the same folder) merged in, as the OpenStack tools
do. The files are looked for in ``$OS_CLIENT_CONFIG_FILE``, ``$XDG_CONFIG_HOME/openstack`` (else
``~/.config/openstack``) and ``/etc/openstack``; the working directory's ``clouds.yaml``, which
the OpenStack tools also read, is not (a project's file must not replace the user's clouds: see
:mod:`omnicloud.config._load`). ``$OS_AUTH_URL`` with the other ``OS_*`` variables gives a
profile named ``envvars``, as os-client-config calls it. ``$OS_CLOUD`` names the default cloud
when omnicloud's own files and ``$OMNICLOUD_CLOUD`` name none.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from omnicloud.config._model import Profile, ProfileEntry
from omnicloud.errors import ConfigurationError

__all__ = ["ENV_PROFILE", "add_openstack_entries", "clouds_files"]

#: The profile ``OS_*`` variables make (os-client-config's name for it).
ENV_PROFILE = "envvars"
_KIND = "openstack"


def clouds_files(env: Mapping[str, str]) -> tuple[Path, Path] | None:
    """``(clouds.yaml, secure.yaml)`` of the first folder holding a ``clouds.yaml``, or None."""
    named = env.get("OS_CLIENT_CONFIG_FILE")
    if named:
        path = Path(named).expanduser()
        return path, path.with_name("secure.yaml")
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    for folder in (Path(base) / "openstack", Path("/etc/openstack")):
        if (folder / "clouds.yaml").is_file():
            return folder / "clouds.yaml", folder / "secure.yaml"
    return None


def _clouds(path: Path) -> dict[str, Any]:
    from omnicloud.config._load import _read_yaml

    section = _read_yaml(path).get("clouds") or {}
    if not isinstance(section, dict):
        raise ConfigurationError(f"{path}: 'clouds' must map names to clouds")
    return section


def _merged(base: Any, extra: Any) -> Any:
    if isinstance(base, dict) and isinstance(extra, dict):
        return {**base, **{k: _merged(base.get(k), v) for k, v in extra.items()}}
    return extra if extra is not None else base


def _auth_version(auth_type: str, auth_url: str) -> str:
    kind = auth_type.lower()
    if kind in ("v3applicationcredential", "applicationcredential"):
        return "3.x_appcred"
    if kind in ("token", "v3token"):
        return "3.x_token"
    if kind == "v1password" or auth_url.rstrip("/").endswith("v1.0"):
        return "1.0"  # Swift's own auth (tempauth, swauth)
    if kind == "v2password" or auth_url.rstrip("/").endswith("v2.0"):
        return "2.0_password"
    return "3.x_password"


def credentials_of(cloud: Mapping[str, Any], where: str) -> dict[str, Any]:
    """One ``clouds.yaml`` cloud as the credentials of an ``openstack`` profile."""
    auth = cloud.get("auth") or {}
    if not isinstance(auth, dict):
        raise ConfigurationError(f"{where}: 'auth' must be a mapping")
    auth_url = str(auth.get("auth_url") or "")
    if not auth_url:
        raise ConfigurationError(f"{where}: auth.auth_url is missing")
    version = _auth_version(str(cloud.get("auth_type") or "password"), auth_url)
    out: dict[str, Any] = {"auth_url": auth_url, "auth_version": version}
    if version == "3.x_appcred":
        out["username"] = auth.get("application_credential_id") or auth.get(
            "application_credential_name"
        )
        out["password"] = auth.get("application_credential_secret")
    elif version.endswith("_token"):
        out["token"] = auth.get("token")
    else:
        out["username"] = auth.get("username") or auth.get("user_id")
        out["password"] = auth.get("password")
    project = auth.get("project_name") or auth.get("tenant_name") or auth.get("project_id")
    domain = (
        auth.get("user_domain_name")
        or auth.get("project_domain_name")
        or auth.get("domain_name")
        or auth.get("user_domain_id")
        or auth.get("project_domain_id")
    )
    for name, value in (
        ("project", project),
        ("domain", domain),
        ("region", cloud.get("region_name")),
        ("interface", cloud.get("interface")),
    ):
        if value:
            out[name] = value
    return {k: v for k, v in out.items() if v is not None}


def _profile(name: str, cloud: Any, source: str, run_command: bool) -> Profile:
    where = f"{source}: cloud {name!r}"
    if not isinstance(cloud, dict):
        raise ConfigurationError(f"{where} must be a mapping")
    return Profile(name, _KIND, credentials_of(cloud, where), {}, source)


def _env_cloud(env: Mapping[str, str]) -> dict[str, Any]:
    auth = {
        "auth_url": env.get("OS_AUTH_URL"),
        "username": env.get("OS_USERNAME"),
        "user_id": env.get("OS_USER_ID"),
        "password": env.get("OS_PASSWORD"),
        "project_name": env.get("OS_PROJECT_NAME") or env.get("OS_TENANT_NAME"),
        "project_id": env.get("OS_PROJECT_ID") or env.get("OS_TENANT_ID"),
        "user_domain_name": env.get("OS_USER_DOMAIN_NAME"),
        "project_domain_name": env.get("OS_PROJECT_DOMAIN_NAME"),
        "domain_name": env.get("OS_DOMAIN_NAME"),
        "application_credential_id": env.get("OS_APPLICATION_CREDENTIAL_ID"),
        "application_credential_secret": env.get("OS_APPLICATION_CREDENTIAL_SECRET"),
        "token": env.get("OS_TOKEN"),
    }
    return {
        "auth": {k: v for k, v in auth.items() if v},
        "auth_type": env.get("OS_AUTH_TYPE") or "password",
        "region_name": env.get("OS_REGION_NAME"),
        "interface": env.get("OS_INTERFACE"),
    }


def add_openstack_entries(
    entries: dict[str, ProfileEntry], problems: dict[str, str], env: Mapping[str, str]
) -> str | None:
    """Add the ``clouds.yaml`` and ``OS_*`` profiles to ``entries``; ``$OS_CLOUD`` (the default
    the OpenStack tools would use), or None. Unreadable files are recorded in ``problems``."""
    found = clouds_files(env)
    if found is not None and found[0].is_file():
        clouds_path, secure_path = found
        try:
            clouds = _clouds(clouds_path)
            secure = _clouds(secure_path) if secure_path.is_file() else {}
        except ConfigurationError as exc:
            problems[str(clouds_path)] = str(exc)
            clouds = {}
        for key, cloud in clouds.items():
            name = str(key)
            body = _merged(cloud, secure.get(name))
            resolve = functools.partial(_profile, name, body, str(clouds_path))
            entries[name] = ProfileEntry(name, _KIND, str(clouds_path), resolve)
    if env.get("OS_AUTH_URL"):
        resolve = functools.partial(_profile, ENV_PROFILE, _env_cloud(env), "OS_* variables")
        entries[ENV_PROFILE] = ProfileEntry(ENV_PROFILE, _KIND, "OS_* variables", resolve)
    return env.get("OS_CLOUD") or None
