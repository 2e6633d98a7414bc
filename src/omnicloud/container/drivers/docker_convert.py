"""Docker documents to container models (declared with ``wire()``), states and references.

A container document is either a list entry (``GET /containers/json``: ``Names``, ``Image``,
``ImageID``, ``State`` a word, ``Status`` a phrase, ``Created`` seconds) or an inspection
(``GET /containers/{id}/json``: ``Name``, ``Config.Image``, ``Image`` the image id, ``State`` an
object, ``Created`` an RFC 3339 time); one schema maps both. An image reference
``registry:5000/team/app:1.2`` has ``name`` ``registry:5000/team/app`` and ``version`` ``1.2``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from omnicloud._wire import context, parts, schema, wire
from omnicloud.container._base import Container, ContainerImage, ContainerState

__all__ = [
    "CONTAINER",
    "IMAGE",
    "STATES",
    "LogChunk",
    "container_state",
    "split_reference",
]

#: Docker's ``State.Status`` words and the state each is (any other word is UNKNOWN).
STATES: Mapping[str, ContainerState] = {
    "created": ContainerState.PENDING,
    "running": ContainerState.RUNNING,
    "paused": ContainerState.PAUSED,
    "restarting": ContainerState.REBOOTING,
    "removing": ContainerState.TERMINATED,
    "exited": ContainerState.STOPPED,
    "dead": ContainerState.ERROR,
}

#: The same, for the word exactly as Docker writes it (no lower-casing for the usual case).
_STATE_WORDS: Mapping[str, ContainerState] = dict(STATES)

# The first words of a list entry's ``Status`` phrase (older daemons give no ``State`` word).
_PHRASES = (
    ("up", ContainerState.RUNNING),
    ("exited", ContainerState.STOPPED),
    ("created", ContainerState.PENDING),
    ("restarting", ContainerState.REBOOTING),
    ("removal", ContainerState.TERMINATED),
    ("dead", ContainerState.ERROR),
)


@dataclass(frozen=True, slots=True)
class LogChunk:
    """A piece of a container's output: ``stream`` is ``"stdout"`` or ``"stderr"`` (a TTY
    container's output is all ``"stdout"``), ``data`` the bytes as written."""

    stream: str
    data: bytes

    @property
    def text(self) -> str:
        """``data`` decoded as UTF-8 (invalid bytes replaced)."""
        return self.data.decode("utf-8", errors="replace")


def _is_map(value: Any) -> bool:
    """Whether ``value`` is a mapping (a parsed JSON object is a dict: checked first, as the
    ABC check costs ten times more)."""
    return type(value) is dict or isinstance(value, Mapping)


def container_state(doc: Mapping[str, Any]) -> ContainerState:
    """The state of a container document (list entry or inspection); never fails."""
    state = doc.get("State")
    if type(state) is str and state:  # a list entry's word
        return _STATE_WORDS.get(state) or STATES.get(state.lower(), ContainerState.UNKNOWN)
    if state is not None and _is_map(state):
        status = state.get("Status")
        if isinstance(status, str) and status:
            return STATES.get(status.lower(), ContainerState.UNKNOWN)
        if state.get("Dead"):
            return ContainerState.ERROR
        if state.get("Paused"):
            return ContainerState.PAUSED
        if state.get("Restarting"):
            return ContainerState.REBOOTING
        if state.get("Running"):
            return ContainerState.RUNNING
        return ContainerState.STOPPED if state.get("FinishedAt") else ContainerState.UNKNOWN
    if isinstance(state, str) and state:
        return STATES.get(state.lower(), ContainerState.UNKNOWN)
    phrase = str(doc.get("Status") or "").strip().lower()
    if phrase.startswith("up") and "(paused)" in phrase:
        return ContainerState.PAUSED
    for start, value in _PHRASES:
        if phrase.startswith(start):
            return value
    return ContainerState.UNKNOWN


def split_reference(reference: str) -> tuple[str, str | None]:
    """``(repository, tag)`` of an image reference (``busybox:1.36`` -> busybox, 1.36); a
    digest reference (``app@sha256:...``) has the digest as its version."""
    if "@" in reference:
        name, _, digest = reference.partition("@")
        return name, digest
    slash = reference.rfind("/")
    colon = reference.rfind(":")
    if colon > slash:
        return reference[:colon], reference[colon + 1 :]
    return reference, None


def _reference(doc: Mapping[str, Any]) -> tuple[str, str, str | None]:
    """``(name, path, version)`` of an image document: its first real tag, else its digest
    reference, else its id."""
    for tag in doc.get("RepoTags") or ():
        if isinstance(tag, str) and tag and not tag.startswith("<none>"):
            name, version = split_reference(tag)
            return name, tag, version
    for digest in doc.get("RepoDigests") or ():
        if isinstance(digest, str) and "@" in digest and not digest.startswith("<none>"):
            name, version = split_reference(digest)
            return name, digest, version
    ident = str(doc.get("Id", ""))
    return ident, ident, None


def _created(value: Any) -> datetime | None:
    if type(value) is int or isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str) and value and not value.startswith("0001-"):
        text = value.replace("Z", "+00:00")
        head, dot, rest = text.partition(".")
        if dot:  # Go's nanoseconds: keep six digits for Python
            count = len(rest) - len(rest.lstrip("0123456789"))
            digits, zone = rest[:count], rest[count:]
            text = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            return None
    return None


def _extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    return dict(doc)


def _container_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A container's ``extra``: the document itself when it is a dict (a container document is
    parsed for that one container and kept by no one else), else a copy."""
    return doc if type(doc) is dict else dict(doc)


def _container_name(doc: Mapping[str, Any]) -> str:
    names = doc.get("Names")
    name = names[0] if isinstance(names, list) and names else doc.get("Name")
    return str(name or "").lstrip("/")


def _container_image(doc: Mapping[str, Any], driver: Any) -> ContainerImage:
    config = doc.get("Config")
    if config is not None and _is_map(config):  # an inspection: Image is the image's id
        reference = str(config.get("Image") or doc.get("Image") or "")
        ident = str(doc.get("Image") or "")
    else:
        reference = str(doc.get("Image") or "")
        ident = str(doc.get("ImageID") or reference)
    name, version = _split_cached(reference)
    return ContainerImage(ident, name, reference, version, driver, {})


@functools.lru_cache(maxsize=256)
def _split_cached(reference: str) -> tuple[str, str | None]:
    """:func:`split_reference`, remembered: a listing names a few images many times."""
    return split_reference(reference)


_IP_KEYS = ("IPAddress", "GlobalIPv6Address")


def _ip_addresses(doc: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    settings = doc.get("NetworkSettings")
    if settings is None or not _is_map(settings):
        return found
    networks = settings.get("Networks")
    places = (settings, *networks.values()) if networks else (settings,)
    for place in places:
        if type(place) is not dict and not isinstance(place, Mapping):
            continue
        for key in _IP_KEYS:
            value = place.get(key)
            if value and isinstance(value, str) and value not in found:
                found.append(value)
    return found


#: A container (list entry or inspection); ``extra`` is Docker's document as received.
CONTAINER = schema(
    Container,
    id=wire("Id", str, required=True),
    name=wire("*", _container_name),
    image=wire("*", _container_image, using=("driver",)),
    state=wire("*", container_state),
    ip_addresses=wire("*", _ip_addresses),
    driver=context(),
    extra=wire("*", _container_extra, repr=False),
    created_at=wire("Created", _created),
)

_NAME, _PATH, _VERSION = parts("*", _reference, 3)

#: An image (list entry or inspection); ``extra`` is Docker's document as received.
IMAGE = schema(
    ContainerImage,
    id=wire("Id", str, required=True),
    name=wire(_NAME),
    path=wire(_PATH),
    version=wire(_VERSION),
    driver=context(),
    extra=wire("*", _extra, repr=False),
)
