"""Where AWS credentials and the region come from, in the AWS CLI's order.

Credentials, first found wins:

1. explicit ``key``/``secret`` (and ``token``);
2. ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN`` (skipped when a
   profile is named explicitly, as the CLI's ``--profile`` does);
3. the profile in use (explicit ``profile``, else ``AWS_PROFILE``, else ``default``): keys in the
   credentials file, then its ``credential_process`` (run when credentials are first needed, and
   again when they are about to expire), then keys in the config file.

Region: explicit ``region``, ``AWS_REGION``, ``AWS_DEFAULT_REGION``, the profile's ``region``.
Profiles that assume roles, use IAM Identity Center (SSO) or web identity tokens, and the
container and instance-metadata sources, are not supported yet: they raise
:class:`~omnicloud.errors.ConfigurationError` instead of silently using other credentials.
Secrets never appear in reprs or messages.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from omnicloud.aws._process import PROCESS_TIMEOUT, CredentialProcessError, run_credential_process
from omnicloud.aws._shared_files import SharedFiles, load_shared_files
from omnicloud.aws._sigv4 import Credentials
from omnicloud.errors import ConfigurationError

__all__ = [
    "AwsSession",
    "CredentialProcessError",
    "CredentialProvider",
    "Credentials",
    "ProcessCredentials",
    "StaticCredentials",
    "resolve_session",
]

# Profile settings that need a credential source omnicloud does not have yet.
_UNSUPPORTED = {
    "role_arn": "assume role (role_arn)",
    "sso_session": "IAM Identity Center (sso_session)",
    "sso_start_url": "IAM Identity Center (sso_start_url)",
    "web_identity_token_file": "web identity (web_identity_token_file)",
}


class CredentialProvider:
    """Gives the credentials to sign with. :meth:`current` never blocks; :meth:`load` may (it
    runs a ``credential_process``), so flows call it through a ``Call`` effect."""

    __slots__ = ("origin",)

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def current(self) -> Credentials | None:
        """Usable credentials already at hand, or None when :meth:`load` must run."""
        raise NotImplementedError

    def load(self) -> Credentials:
        """Credentials, fetched now if need be."""
        raise NotImplementedError


class StaticCredentials(CredentialProvider):
    """Fixed credentials (arguments, environment, a shared file)."""

    __slots__ = ("_credentials",)

    def __init__(self, credentials: Credentials, origin: str = "explicit") -> None:
        super().__init__(origin)
        self._credentials = credentials

    def current(self) -> Credentials:
        return self._credentials

    def load(self) -> Credentials:
        return self._credentials

    def __repr__(self) -> str:
        return (
            f"StaticCredentials(access_key={self._credentials.access_key!r}, "
            f"origin={self.origin!r})"
        )


class ProcessCredentials(CredentialProvider):
    """Credentials from a profile's ``credential_process``, run on first need and again when
    less than ``refresh_margin`` seconds of their validity remain (thread-safe)."""

    __slots__ = ("_command", "_held", "_lock", "profile", "refresh_margin", "runs", "timeout")

    def __init__(
        self,
        command: str,
        profile: str,
        origin: str = "credential_process",
        *,
        refresh_margin: float = 300.0,
        timeout: float = PROCESS_TIMEOUT,
    ) -> None:
        super().__init__(origin)
        self._command = command
        self.profile = profile
        self.refresh_margin = refresh_margin
        self.timeout = timeout
        self.runs = 0
        self._held: tuple[Credentials, datetime | None] | None = None
        self._lock = threading.Lock()

    def current(self) -> Credentials | None:
        held = self._held
        if held is None:
            return None
        credentials, expires = held
        if expires is not None and (expires - datetime.now(UTC)).total_seconds() < (
            self.refresh_margin
        ):
            return None
        return credentials

    def load(self) -> Credentials:
        with self._lock:
            fresh = self.current()
            if fresh is not None:
                return fresh
            self.runs += 1
            self._held = run_credential_process(self._command, self.profile, self.timeout)
            return self._held[0]

    def __repr__(self) -> str:
        program = self._command.split(None, 1)[0] if self._command.strip() else ""
        return f"ProcessCredentials(profile={self.profile!r}, program={program!r})"


@dataclass(frozen=True, slots=True)
class AwsSession:
    """Resolved AWS settings: the credential ``provider``, the ``region`` (None when nothing
    names one) and the AWS ``profile`` consulted (None when none was)."""

    provider: CredentialProvider
    region: str | None = None
    profile: str | None = None

    def credentials(self) -> Credentials:
        """The credentials to sign with now (may run a ``credential_process``)."""
        return self.provider.current() or self.provider.load()


def _static(
    values: Mapping[str, str], where: str, key: str, secret: str, tokens: tuple[str, ...]
) -> StaticCredentials | None:
    """Credentials from ``values`` if they hold ``key``; half a key pair is an error."""
    access = (values.get(key) or "").strip()
    hidden = (values.get(secret) or "").strip()
    if not access and not hidden:
        return None
    if not access or not hidden:
        missing = key if not access else secret
        raise ConfigurationError(f"{where} has {secret if access else key} but no {missing}")
    token = next((values[t].strip() for t in tokens if (values.get(t) or "").strip()), None)
    return StaticCredentials(Credentials(access, hidden, token), where)


def _from_profile(files: SharedFiles, name: str) -> CredentialProvider | None:
    merged = files.merged(name)
    for setting, what in _UNSUPPORTED.items():
        if merged.get(setting):
            raise ConfigurationError(
                f"AWS profile {name!r} uses {what}, which omnicloud does not support yet; "
                "use a profile with keys or a credential_process"
            )
    keys = ("aws_access_key_id", "aws_secret_access_key")
    tokens = ("aws_session_token", "aws_security_token")
    found = _static(
        files.credentials.get(name, {}),
        f"AWS profile {name!r} in {files.credentials_path}",
        *keys,
        tokens,
    )
    if found is not None:
        return found
    command = merged.get("credential_process", "").strip()
    if command:
        return ProcessCredentials(command, name, f"credential_process of AWS profile {name!r}")
    return _static(
        files.config.get(name, {}), f"AWS profile {name!r} in {files.config_path}", *keys, tokens
    )


def _explicit(key: str | None, secret: str | None, token: str | None) -> CredentialProvider | None:
    if not key and not secret:
        if token:
            raise ConfigurationError("an AWS session token was given without a key and secret")
        return None
    if not key or not secret:
        raise ConfigurationError(
            f"an AWS {'access key' if key else 'secret key'} was given without "
            f"{'a secret key' if key else 'an access key'}"
        )
    return StaticCredentials(Credentials(key, secret, token or None), "explicit")


def resolve_session(
    key: str | None = None,
    secret: str | None = None,
    token: str | None = None,
    *,
    profile: str | None = None,
    region: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> AwsSession:
    """Credentials and region as the AWS CLI finds them (see the module docstring).

    The shared files are read only when the arguments and the environment leave something
    open; a profile named explicitly or in ``AWS_PROFILE`` must exist. Raises
    :class:`~omnicloud.errors.ConfigurationError` when no credentials are found.
    """
    env = os.environ if environ is None else environ
    provider = _explicit(key, secret, token)
    if provider is None and profile is None:
        provider = _static(
            env,
            "the environment",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"),
        )
    region = region or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None
    named = profile or env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE") or None
    if provider is not None and region is not None and profile is None:
        return AwsSession(provider, region, None)
    files = load_shared_files(env)
    chosen = named or "default"
    if not files.has(chosen):
        if named is not None:
            known = ", ".join(files.names()) or "none"
            raise ConfigurationError(
                f"AWS profile {named!r} is in neither {files.credentials_path} nor "
                f"{files.config_path} (profiles there: {known})"
            )
        if provider is None:
            raise _nothing_found(files, env)
        return AwsSession(provider, region, None)
    if provider is None:
        provider = _from_profile(files, chosen)
    if provider is None:
        raise _nothing_found(files, env, chosen)
    region = region or files.merged(chosen).get("region") or None
    return AwsSession(provider, region, chosen)


def _nothing_found(
    files: SharedFiles, env: Mapping[str, str], profile: str = "default"
) -> ConfigurationError:
    extra = ""
    if env.get("AWS_WEB_IDENTITY_TOKEN_FILE") or env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        extra = " (web identity and container credentials are not supported yet)"
    return ConfigurationError(
        "no AWS credentials found: give key and secret, or set AWS_ACCESS_KEY_ID and "
        f"AWS_SECRET_ACCESS_KEY, or add profile {profile!r} to {files.credentials_path} or "
        f"{files.config_path}{extra}"
    )
