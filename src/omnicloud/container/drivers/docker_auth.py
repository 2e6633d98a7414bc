"""Registry credentials for pulls and pushes: Docker's ``X-Registry-Auth`` header.

The daemon reaches the registry; the client hands it credentials in ``X-Registry-Auth``:
base64url of a JSON object, ``{"username", "password", "serveraddress"}`` or
``{"identitytoken", "serveraddress"}`` (:class:`RegistryAuth`).

Which registry an image lives in: the part before the first ``/`` when it looks like a host
(has a ``.`` or a ``:``, or is ``localhost``), else Docker Hub (``docker.io``)
(:func:`registry_of`).

Where credentials come from when a call names none, as the docker CLI finds them
(:func:`from_config`): the ``config.json`` of ``$DOCKER_CONFIG`` (default ``~/.docker``), its
``credHelpers`` entry for that registry, else its ``credsStore``, runs
``docker-credential-NAME get`` for that one registry only; else its ``auths`` entry (``auth``
is base64 of ``user:password``, or an ``identitytoken``). Keys may be host names or URLs
(``https://index.docker.io/v1/`` is Docker Hub).

No secret reaches a repr or a message: :class:`RegistryAuth` shows the user and the registry,
never the password or token.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from omnicloud.errors import ConfigurationError, ValidationError

__all__ = [
    "HUB",
    "HUB_SERVER",
    "DockerCredentialsError",
    "RegistryAuth",
    "config_file",
    "from_config",
    "registry_of",
    "registry_table",
    "run_helper",
    "server_of",
]

#: Docker Hub's registry name, and the server address its credentials are stored under.
HUB = "docker.io"
HUB_SERVER = "https://index.docker.io/v1/"
_HUB_NAMES = frozenset({HUB, "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"})
#: A credential helper's answer when it has nothing for the server (docker's own wording).
_NOT_FOUND = "credentials not found"
_HELPER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
#: Seconds a credential helper may take (a keychain prompt may wait for the user).
HELPER_TIMEOUT = 60.0


class DockerCredentialsError(ConfigurationError):
    """The docker client configuration could not give credentials: an unreadable
    ``config.json``, a credential helper missing from ``PATH`` or failing."""


@dataclass(frozen=True, slots=True)
class RegistryAuth:
    """Credentials for one registry: ``username`` and ``password``, or an ``identitytoken``
    (an OAuth refresh token, as ``docker login`` keeps for some registries).

    ``serveraddress`` names the registry (``registry.example.com:5000``); empty, it is filled
    with the registry of the image in use. The password and token never show in a repr.
    """

    username: str = ""
    password: str = field(default="", repr=False)
    serveraddress: str = ""
    identitytoken: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if not (self.username or self.identitytoken):
            raise ValidationError("registry credentials need a username or an identitytoken")

    @property
    def secrets(self) -> tuple[str, ...]:
        """The secret strings (to keep out of logs and messages)."""
        return tuple(s for s in (self.password, self.identitytoken) if s)

    def document(self) -> dict[str, str]:
        """The JSON object Docker's ``X-Registry-Auth`` carries."""
        if self.identitytoken:
            doc = {"identitytoken": self.identitytoken}
        else:
            doc = {"username": self.username, "password": self.password}
        if self.serveraddress:
            doc["serveraddress"] = self.serveraddress
        return doc

    def header(self) -> str:
        """The ``X-Registry-Auth`` value: base64url of :meth:`document`."""
        raw = json.dumps(self.document(), separators=(",", ":")).encode("utf-8")
        return base64.urlsafe_b64encode(raw).decode("ascii")

    @classmethod
    def of(cls, value: RegistryAuth | Mapping[str, Any] | Sequence[str]) -> RegistryAuth:
        """``value`` as credentials: a RegistryAuth, a docker SDK ``auth_config`` mapping
        (``username``, ``password``, ``serveraddress`` or ``registry``, ``identitytoken``,
        or ``auth`` as base64 ``user:password``), or ``(username, password[, server])``."""
        if isinstance(value, RegistryAuth):
            return value
        if isinstance(value, Mapping):
            fields = {str(k).lower(): v for k, v in value.items()}
            known = {"username", "password", "serveraddress", "registry", "identitytoken"}
            unknown = set(fields) - known - {"auth", "email"}
            if unknown:
                raise ValidationError(
                    f"registry credentials take {', '.join(sorted(known | {'auth'}))}; "
                    f"not {', '.join(sorted(unknown))}"
                )
            user, password = str(fields.get("username") or ""), str(fields.get("password") or "")
            if fields.get("auth") and not user:
                user, password = decode_auth(str(fields["auth"]), "the auth_config's auth")
            server = fields.get("serveraddress") or fields.get("registry") or ""
            return cls(user, password, str(server), str(fields.get("identitytoken") or ""))
        if isinstance(value, Sequence) and not isinstance(value, str | bytes):
            items = [str(v) for v in value]
            if len(items) in (2, 3):
                return cls(items[0], items[1], items[2] if len(items) == 3 else "")
        raise ValidationError(
            "registry credentials are a RegistryAuth, a mapping (username, password, "
            "serveraddress) or a (username, password[, server]) pair"
        )


def decode_auth(text: str, where: str) -> tuple[str, str]:
    """``(user, password)`` of base64 ``user:password`` (the ``auth`` of ``config.json``)."""
    try:
        raw = base64.b64decode(text.strip() + "=" * (-len(text.strip()) % 4), validate=True)
        user, sep, password = raw.decode("utf-8").partition(":")
    except (binascii.Error, ValueError):
        sep, user, password = "", "", ""
    if not sep or not user:
        raise DockerCredentialsError(f"{where} is not base64 of user:password")
    return user, password


def hostname(server: str) -> str:
    """A registry key as a host name: scheme and path cut off, Docker Hub's names as
    ``docker.io`` (``https://index.docker.io/v1/`` -> ``docker.io``)."""
    text = server.strip()
    if "://" in text:
        text = text.split("://", 1)[1]
    host = text.split("/", 1)[0].lower()
    return HUB if host in _HUB_NAMES else host


def registry_of(reference: str) -> str:
    """The registry of an image reference: ``registry.example.com:5000/app:1`` ->
    ``registry.example.com:5000``; ``busybox``, ``team/app`` -> ``docker.io``."""
    first, sep, _ = reference.partition("/")
    if not sep or ("." not in first and ":" not in first and first != "localhost"):
        return HUB
    return hostname(first)


def server_of(registry: str) -> str:
    """The server address credentials of ``registry`` go under (Docker Hub's v1 URL)."""
    return HUB_SERVER if registry == HUB else registry


def registry_table(
    value: RegistryAuth | Mapping[str, Any] | Sequence[Any] | None,
) -> dict[str, RegistryAuth]:
    """A driver's ``ex_registry_auth``: one set of credentials or a list of them, each for
    the registry its ``serveraddress`` names (Docker Hub when it names none, as
    ``docker login`` without a server)."""
    if value is None or (isinstance(value, Mapping | Sequence) and not value):
        return {}
    items: list[Any]
    if isinstance(value, RegistryAuth | Mapping):
        items = [value]
    elif isinstance(value, Sequence) and value and not all(isinstance(v, str) for v in value):
        items = list(value)
    else:
        items = [value]
    table: dict[str, RegistryAuth] = {}
    for item in items:
        auth = RegistryAuth.of(item)
        table[hostname(auth.serveraddress) if auth.serveraddress else HUB] = auth
    return table


def config_file(environ: Mapping[str, str] | None = None) -> str:
    """The docker client's ``config.json``: under ``$DOCKER_CONFIG``, else ``~/.docker``."""
    env = os.environ if environ is None else environ
    folder = env.get("DOCKER_CONFIG", "").strip()
    if not folder:
        home = env.get("HOME", "").strip() or os.path.expanduser("~")
        folder = os.path.join(home, ".docker")
    return os.path.join(folder, "config.json")


def _entry(table: Any, registry: str) -> tuple[str, Any] | None:
    """The ``(key, value)`` of ``table`` (``auths``, ``credHelpers``) for ``registry``."""
    if not isinstance(table, Mapping):
        return None
    for key, value in table.items():
        if isinstance(key, str) and hostname(key) == registry:
            return key, value
    return None


def from_config(registry: str, environ: Mapping[str, str] | None = None) -> RegistryAuth | None:
    """The credentials the docker client has for ``registry``, or None (blocking: reads a
    file and may run one credential helper)."""
    path = config_file(environ)
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
        raise DockerCredentialsError(f"cannot read the docker config {path}: {reason}") from None
    try:
        doc = json.loads(text) if text.strip() else {}
    except ValueError:
        doc = None
    if not isinstance(doc, dict):  # the content is not quoted: it holds secrets
        raise DockerCredentialsError(f"the docker config {path} is not a JSON object")
    helper = _entry(doc.get("credHelpers"), registry)
    store = helper[1] if helper else doc.get("credsStore")
    if isinstance(store, str) and store:
        found = run_helper(store, server_of(registry), environ, path)
        if found is not None:
            return found
    entry = _entry(doc.get("auths"), registry)
    if entry is None or not isinstance(entry[1], Mapping):
        return None
    key, values = entry
    server = server_of(registry) if registry == HUB else key
    if values.get("identitytoken"):
        return RegistryAuth(identitytoken=str(values["identitytoken"]), serveraddress=server)
    if values.get("auth"):
        user, password = decode_auth(str(values["auth"]), f"the auth of {key!r} in {path}")
        return RegistryAuth(user, password, server)
    if values.get("username"):
        return RegistryAuth(str(values["username"]), str(values.get("password") or ""), server)
    return None  # an empty entry: the credentials are in a store


def run_helper(
    name: str, server: str, environ: Mapping[str, str] | None = None, source: str = ""
) -> RegistryAuth | None:
    """``docker-credential-NAME get`` for ``server``: its credentials, or None when it has
    none. A helper missing from ``PATH`` or failing is a :class:`DockerCredentialsError`."""
    origin = f" (named in {source})" if source else ""
    if not _HELPER_NAME.match(name):
        raise DockerCredentialsError(f"{name!r} is not a credential helper name{origin}")
    program = f"docker-credential-{name}"
    env = None if environ is None else dict(environ)
    found = shutil.which(program, path=(env or os.environ).get("PATH"))
    if found is None:
        raise DockerCredentialsError(
            f"the docker credential helper {program} is not installed or not on PATH{origin}"
        )
    try:
        done = subprocess.run(
            [found, "get"],
            input=server.encode("utf-8"),
            capture_output=True,
            env=env,
            timeout=HELPER_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise DockerCredentialsError(
            f"{program} get {server}: no answer in {HELPER_TIMEOUT:.0f} s"
        ) from None
    except OSError as exc:
        raise DockerCredentialsError(f"{program} could not run: {exc.strerror}") from None
    if done.returncode != 0:
        said = (done.stdout or done.stderr).decode("utf-8", errors="replace").strip()
        if _NOT_FOUND in said.lower():
            return None
        raise DockerCredentialsError(
            f"{program} get {server} failed (exit {done.returncode}): {said[:200] or 'no output'}"
        )
    try:
        doc = json.loads(done.stdout)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        raise DockerCredentialsError(f"{program} get {server}: the answer is not a JSON object")
    user, secret = str(doc.get("Username") or ""), str(doc.get("Secret") or "")
    if not user and not secret:
        return None
    address = str(doc.get("ServerURL") or server)
    if user == "<token>":
        return RegistryAuth(identitytoken=secret, serveraddress=address)
    if not user:
        raise DockerCredentialsError(f"{program} get {server}: a secret without a username")
    return RegistryAuth(user, secret, address)
