"""``omnicloud.connect(name)``: a ready driver for a named cloud profile.

Profile kinds and what they give (see :mod:`omnicloud.config` for where profiles come from):

============== =========================================== =====================================
kind           compute                                     storage
============== =========================================== =====================================
cloudstack     CloudStack driver (endpoint, key, secret)   -
exoscale       Exoscale preset (key, secret)               -
ikoula         Ikoula preset (key, secret)                 -
cloudsigma     CloudSigma driver (username, password,      -
               region)
cloudstack-sim the built-in ``local`` cloud: the CloudStack local storage in the user data
               simulator in-process, state kept in the     directory
               user data directory
cloudsigma-sim the built-in ``local-sigma`` cloud           -
s3, minio, ... -                                           S3 driver (key, secret, region,
                                                           endpoint)
local          -                                           local storage (root)
aws            - (no EC2 driver yet: a clear error)        S3 with EC2_ACCESS_ID/EC2_SECRET_KEY
============== =========================================== =====================================
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from omnicloud.errors import ConfigurationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud.config import Profile

__all__ = ["connect", "data_dir", "has_driver"]

# Driver options a profile may carry (credentials or options), by the name the driver uses;
# the cs-style names of cloudstack.ini are translated.
_CLOUDSTACK_OPTIONS = {
    "timeout": "timeout",
    "verify": "verify",
    "retry": "retries",
    "retries": "retries",
    "job_timeout": "job_timeout",
    "poll_interval": "poll_interval",
    "method": "method",
    "page_size": "page_size",
    "proxy": "proxy",
    "project": "project",
    "dangerous_no_tls_verify": "insecure",
    "insecure": "insecure",
}
_CLOUDSIGMA_OPTIONS = {"timeout": "timeout", "verify": "verify", "retries": "retries"}


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


def _require(profile: Profile, what: str, *names: str) -> Any:
    value = _first(profile.credentials, *names)
    if value is None:
        raise ConfigurationError(
            f"cloud {profile.name!r} ({profile.kind}) needs {what} in its credentials "
            f"({' or '.join(names)})"
        )
    return value


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


def _driver(driver_type: str, provider: str, asynchronous: bool) -> Any:
    from omnicloud._registry import resolve

    return resolve(driver_type, provider, asynchronous=asynchronous)


def _transport(app: Any, asynchronous: bool) -> Any:
    if asynchronous:
        import httpx

        return httpx.ASGITransport(app=app)
    from omnicloud.sim.transport import SyncASGITransport

    return SyncASGITransport(app)


def _cloudstack(profile: Profile, asynchronous: bool) -> Any:
    provider = profile.kind
    key = _require(profile, "an API key", "key", "api_key", "apikey")
    secret = _require(profile, "a secret key", "secret", "secret_key", "secretkey")
    url = _first(profile.credentials, "endpoint", "url")
    if provider == "cloudstack" and url is None:
        raise ConfigurationError(f"cloud {profile.name!r} (cloudstack) needs an endpoint URL")
    extra = {"url": url} if url else {}
    return _driver("compute", provider, asynchronous)(
        key, secret, **extra, **_options(profile, _CLOUDSTACK_OPTIONS)
    )


def _cloudsigma(profile: Profile, asynchronous: bool) -> Any:
    username = _require(profile, "the account email", "username", "email", "key", "user")
    password = _require(profile, "the password", "password", "secret")
    extra: dict[str, Any] = {}
    if region := _first(profile.credentials, "region"):
        extra["region"] = region
    if endpoint := _first(profile.credentials, "endpoint", "url"):
        extra["endpoint"] = endpoint
    return _driver("compute", "cloudsigma", asynchronous)(
        username, password, **extra, **_options(profile, _CLOUDSIGMA_OPTIONS)
    )


def _local_cloudstack(profile: Profile, asynchronous: bool) -> Any:
    from omnicloud.sim.cloudstack import CloudStackState, SimConfig, create_app

    state = CloudStackState(data_dir() / "local-cloudstack.db")
    key, secret = state.credentials("admin")
    app = create_app(state, config=SimConfig(job_latency=0.05))
    return _driver("compute", "cloudstack", asynchronous)(
        key,
        secret,
        url="http://local.omnicloud/client/api",
        poll_interval=0.05,
        transport=_transport(app, asynchronous),
    )


def _local_cloudsigma(profile: Profile, asynchronous: bool) -> Any:
    from omnicloud.sim.cloudsigma import CloudSigmaState, create_app

    state = CloudSigmaState(data_dir() / "local-cloudsigma.db")
    app = create_app(state)
    return _driver("compute", "cloudsigma", asynchronous)(
        state.username,
        state.password,
        endpoint="http://127.0.0.1/api/2.0",
        poll_interval=0.05,
        transport=_transport(app, asynchronous),
    )


def _s3(profile: Profile, asynchronous: bool) -> Any:
    key = _require(
        profile, "an access key", "key", "access_key", "aws_access_key_id", "ec2_access_id"
    )
    secret = _require(
        profile, "a secret key", "secret", "secret_key", "aws_secret_access_key", "ec2_secret_key"
    )
    extra: dict[str, Any] = {}
    if region := _first(profile.credentials, "region"):
        extra["region"] = region
    if endpoint := _first(profile.credentials, "endpoint", "url"):
        extra["endpoint"] = endpoint
    if addressing := _first({**profile.options, **profile.credentials}, "addressing"):
        extra["addressing"] = addressing
    provider = profile.kind if profile.kind in {"s3", "minio", "ceph", "swift_s3"} else "s3"
    return _driver("storage", provider, asynchronous)(key, secret, **extra)


def _local_storage(profile: Profile, asynchronous: bool) -> Any:
    root = _first({**profile.options, **profile.credentials}, "root", "path")
    path = Path(root).expanduser() if root else data_dir() / "storage"
    return _driver("storage", "local", asynchronous)(str(path))


Factory = Callable[["Profile", bool], object]

_FACTORIES: dict[str, dict[str, Factory]] = {
    "compute": {
        "cloudstack": _cloudstack,
        "exoscale": _cloudstack,
        "ikoula": _cloudstack,
        "cloudsigma": _cloudsigma,
        "cloudstack-sim": _local_cloudstack,
        "cloudsigma-sim": _local_cloudsigma,
    },
    "storage": {
        "s3": _s3,
        "minio": _s3,
        "ceph": _s3,
        "swift_s3": _s3,
        "aws": _s3,
        "local": _local_storage,
        "cloudstack-sim": _local_storage,
    },
}


def has_driver(driver_type: str, kind: str) -> bool:
    """Whether omnicloud has a ``driver_type`` ("compute" or "storage") driver for ``kind``."""
    return kind in _FACTORIES.get(driver_type, {})


def connect(
    name: str | None = None,
    driver_type: str = "compute",
    *,
    asynchronous: bool = False,
    profile: Profile | None = None,
) -> Any:
    """The driver for the cloud profile ``name`` (the default cloud when None).

    ``driver_type`` is ``"compute"`` or ``"storage"``; ``asynchronous=True`` gives the async
    driver. Raises :class:`ConfigurationError` for unknown names, missing credentials, or kinds
    omnicloud has no driver for yet (such as ``aws`` compute).
    """
    if profile is None:
        from omnicloud.config import load_profiles

        profile = load_profiles().get(name)
    kind = getattr(driver_type, "value", driver_type)
    factories = _FACTORIES.get(str(kind))
    if factories is None:
        raise ConfigurationError(f"unknown driver type {driver_type!r} (compute or storage)")
    factory: Factory | None = factories.get(profile.kind)
    if factory is None:
        known = ", ".join(sorted(factories))
        raise ConfigurationError(
            f"cloud {profile.name!r} is of kind {profile.kind!r}, for which omnicloud has no "
            f"{kind} driver yet (kinds with {kind} drivers: {known})"
        )
    return factory(profile, asynchronous)
