"""Key pairs as SSH keys in the project's metadata (``ssh-keys``: one ``user:key`` line each;
the key pair's name is the user), and the project document itself.

Every change reads the metadata and writes it back with its ``fingerprint`` (Compute Engine's
optimistic lock), trying again when another writer came in between.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from omnicloud.compute._models import KeyPair
from omnicloud.compute._shell import operation
from omnicloud.errors import ValidationError
from omnicloud.gcp._compute import GCEError, GCENotFoundError

from .gce_base import GCEBase, segment

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["GCEKeyPairs", "key_fingerprint", "parse_ssh_keys"]

SSH_KEYS = "ssh-keys"
_USER = re.compile(r"[a-z_][a-z0-9_.-]{0,31}")
_WRITE_ATTEMPTS = 3


def key_fingerprint(public_key: str) -> str:
    """The MD5 fingerprint (colon-separated hex) of an OpenSSH public key's blob."""
    import hashlib

    fields = public_key.split()
    try:
        blob = base64.b64decode(fields[1], validate=True) if len(fields) >= 2 else b""
    except (binascii.Error, ValueError):
        blob = b""
    if not blob:
        raise ValidationError("not an OpenSSH public key ('<type> <base64> [comment]')")
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def parse_ssh_keys(value: str) -> list[tuple[str, str]]:
    """``(user, public key)`` of each well-formed line of an ``ssh-keys`` value."""
    found = []
    for line in value.splitlines():
        user, colon, key = line.strip().partition(":")
        if colon and user and len(key.split()) >= 2:
            found.append((user, key.strip()))
    return found


class GCEKeyPairs(GCEBase):
    """Project-wide SSH keys as key pairs."""

    def _project_path(self) -> str:
        return f"projects/{segment(self.project)}"

    @operation
    def ex_get_project(self) -> Flow[dict[str, Any]]:
        """The project document (``commonInstanceMetadata``, ``quotas``...)."""
        return (yield from self._get(self._project_path()))

    def _metadata(self) -> Flow[tuple[str | None, list[dict[str, str]]]]:
        project = yield from self._get(self._project_path())
        common = project.get("commonInstanceMetadata") or {}
        items = [
            {"key": str(i.get("key")), "value": str(i.get("value") or "")}
            for i in common.get("items") or []
            if isinstance(i, dict) and i.get("key")
        ]
        return common.get("fingerprint"), items

    def _key_pairs(self, items: list[dict[str, str]]) -> list[KeyPair]:
        value = next((i["value"] for i in items if i["key"] == SSH_KEYS), "")
        pairs = []
        for user, key in parse_ssh_keys(value):
            try:
                fingerprint = key_fingerprint(key)
            except ValidationError:
                continue  # a line Compute Engine would ignore too
            pairs.append(KeyPair(name=user, public_key=key, fingerprint=fingerprint, driver=self))
        return pairs

    def _change_keys(self, change: Any, what: str) -> Flow[None]:
        """Apply ``change(lines) -> lines`` to the ``ssh-keys`` lines and write them back."""
        for attempt in range(_WRITE_ATTEMPTS):
            fingerprint, items = yield from self._metadata()
            value = next((i["value"] for i in items if i["key"] == SSH_KEYS), "")
            lines = change([line for line in value.splitlines() if line.strip()])
            others = [i for i in items if i["key"] != SSH_KEYS]
            if lines:
                others.append({"key": SSH_KEYS, "value": "\n".join(lines)})
            body: dict[str, Any] = {"items": others}
            if fingerprint:
                body["fingerprint"] = fingerprint
            try:
                yield from self._act(
                    "POST", f"{self._project_path()}/setCommonInstanceMetadata", body, what=what
                )
                return
            except GCEError as exc:
                stale = exc.status in (409, 412)
                if not stale or attempt == _WRITE_ATTEMPTS - 1:
                    raise

    @operation
    def list_key_pairs(self) -> Flow[list[KeyPair]]:
        """The SSH keys of the project's metadata (name: the user of each line)."""
        _fingerprint, items = yield from self._metadata()
        return self._key_pairs(items)

    @operation
    def get_key_pair(self, name: str) -> Flow[KeyPair]:
        """The first SSH key of user ``name`` (NotFoundError when there is none)."""
        pairs: list[KeyPair] = yield from type(self).list_key_pairs(self)
        found = next((p for p in pairs if p.name == name), None)
        if found is None:
            raise GCENotFoundError(
                f"gce: no SSH key for {name!r} in project {self.project!r}'s metadata",
                status=404, code="notFound", provider="gce",
            )  # fmt: skip
        return found

    @operation
    def import_key_pair_from_string(self, name: str, key_material: str) -> Flow[KeyPair]:
        """Add the OpenSSH public key ``key_material`` for user ``name`` to the project's
        ``ssh-keys`` (instances accept it for that user)."""
        if not isinstance(name, str) or not _USER.fullmatch(name):
            raise ValidationError(f"{name!r} is not a valid user name for an SSH key")
        material = " ".join(str(key_material).split())
        fingerprint = key_fingerprint(material)
        line = f"{name}:{material}"

        def add(lines: list[str]) -> list[str]:
            if any(parse_ssh_keys(x) == [(name, material)] for x in lines):
                return lines
            return [*lines, line]

        yield from self._change_keys(add, f"add SSH key for {name}")
        return KeyPair(name=name, public_key=material, fingerprint=fingerprint, driver=self)

    @operation
    def create_key_pair(self, name: str) -> Flow[KeyPair]:
        """Generate an Ed25519 key pair here and add its public key for user ``name``; the
        private key (OpenSSH format) is in the result only."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        key = Ed25519PrivateKey.generate()
        private = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        ).decode("ascii")
        public = key.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        made: KeyPair = yield from type(self).import_key_pair_from_string(
            self, name, f"{public.decode('ascii')} {name}"
        )
        made.private_key = private
        return made

    @operation
    def delete_key_pair(self, key_pair: KeyPair) -> Flow[bool]:
        """Remove every SSH key of the key pair's user (or only its ``public_key`` when the
        user has several) from the project's metadata."""
        name = key_pair.name
        material = " ".join((key_pair.public_key or "").split())

        def remove(lines: list[str]) -> list[str]:
            mine = [x for x in lines if parse_ssh_keys(x) and parse_ssh_keys(x)[0][0] == name]
            exact = [x for x in mine if material and parse_ssh_keys(x)[0][1] == material]
            drop = set(exact if exact and len(mine) > 1 else mine)
            return [x for x in lines if x not in drop]

        yield from self._change_keys(remove, f"remove SSH key of {name}")
        return True
