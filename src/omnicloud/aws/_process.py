"""``credential_process``: run a profile's command (no shell) and read the credentials it prints.

The command is split like a POSIX shell would (``shlex``) and run directly; its standard output
must be one JSON object: ``Version`` 1, ``AccessKeyId``, ``SecretAccessKey``, and optionally
``SessionToken`` and ``Expiration`` (ISO 8601). Errors say what went wrong without showing the
output, which holds the secret.
"""

from __future__ import annotations

from datetime import UTC, datetime

from omnicloud.aws._sigv4 import Credentials
from omnicloud.errors import ConfigurationError

__all__ = ["PROCESS_TIMEOUT", "CredentialProcessError", "run_credential_process"]

#: Seconds a credential process may take before it is stopped.
PROCESS_TIMEOUT = 120.0


class CredentialProcessError(ConfigurationError):
    """A profile's ``credential_process`` failed or printed something unusable."""


def _one_line(data: bytes, limit: int = 300) -> str:
    text = " ".join(data.decode("utf-8", errors="replace").split())
    return text if len(text) <= limit else "…" + text[-limit:]


def _expiration(value: object, fail: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise CredentialProcessError(f"{fail}: Expiration is not a string")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CredentialProcessError(
            f"{fail}: Expiration {value!r} is not an ISO 8601 time"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def run_credential_process(
    command: str, profile: str, timeout: float = PROCESS_TIMEOUT
) -> tuple[Credentials, datetime | None]:
    """Run ``command`` for AWS ``profile``; its credentials and their expiry (None: none)."""
    import json
    import shlex
    import subprocess

    fail = f"credential_process of AWS profile {profile!r}"
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise CredentialProcessError(f"{fail} cannot be split into arguments: {exc}") from None
    if not argv:
        raise CredentialProcessError(f"{fail} is empty")
    program = argv[0]
    try:
        done = subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, check=False
        )
    except FileNotFoundError:
        raise CredentialProcessError(f"{fail}: command {program!r} not found") from None
    except subprocess.TimeoutExpired:
        raise CredentialProcessError(
            f"{fail}: {program!r} did not finish within {timeout:g} s"
        ) from None
    except OSError as exc:
        raise CredentialProcessError(f"{fail}: cannot run {program!r}: {exc.strerror}") from None
    if done.returncode != 0:
        stderr = _one_line(done.stderr)
        raise CredentialProcessError(
            f"{fail}: {program!r} exited with status {done.returncode}"
            + (f": {stderr}" if stderr else "")
        )
    fail = f"{fail}: {program!r} printed"
    try:
        document = json.loads(done.stdout)
    except ValueError:
        raise CredentialProcessError(
            f"{fail} no JSON document ({len(done.stdout)} bytes of output, not shown)"
        ) from None
    if not isinstance(document, dict):
        raise CredentialProcessError(f"{fail} JSON that is not an object")
    version = document.get("Version")
    if version != 1:
        shown = repr(version) if isinstance(version, int | str | None) else type(version).__name__
        raise CredentialProcessError(f"{fail} Version {shown[:20]}; only Version 1 is supported")
    missing = [
        name
        for name in ("AccessKeyId", "SecretAccessKey")
        if not isinstance(document.get(name), str) or not document[name]
    ]
    if missing:
        raise CredentialProcessError(f"{fail} no {' or '.join(missing)}")
    token = document.get("SessionToken")
    if token is not None and not isinstance(token, str):
        raise CredentialProcessError(f"{fail} a SessionToken that is not a string")
    expires = _expiration(document.get("Expiration"), fail)
    credentials = Credentials(document["AccessKeyId"], document["SecretAccessKey"], token or None)
    return credentials, expires
