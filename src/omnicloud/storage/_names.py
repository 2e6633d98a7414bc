"""Name rules for the local store: nothing may escape the container directory."""

from __future__ import annotations

from omnicloud.storage.errors import InvalidContainerNameError, InvalidObjectNameError

__all__ = ["check_container_name", "check_object_name"]

MAX_NAME = 1024


def check_container_name(name: str) -> str:
    """A container is one directory: no separators, no ``.``/``..``, no hidden names, no NUL."""
    if not isinstance(name, str) or not name:
        raise InvalidContainerNameError("container name must be a non-empty string")
    if "\x00" in name or "/" in name or "\\" in name:
        raise InvalidContainerNameError(f"container name {name!r} contains '/', '\\' or NUL")
    if name.startswith("."):
        raise InvalidContainerNameError(f"container name {name!r} must not start with '.'")
    if len(name.encode()) > 255:
        raise InvalidContainerNameError("container name is longer than 255 bytes")
    return name


def check_object_name(name: str) -> str:
    """Object names may contain ``/`` but no ``.``/``..`` or empty segments, no NUL, no ``\\``,
    and must not be absolute."""
    if not isinstance(name, str) or not name:
        raise InvalidObjectNameError("object name must be a non-empty string")
    if "\x00" in name:
        raise InvalidObjectNameError("object name contains NUL")
    if "\\" in name:
        raise InvalidObjectNameError(f"object name {name!r} contains a backslash")
    if name.startswith("/"):
        raise InvalidObjectNameError(f"object name {name!r} is absolute")
    if len(name.encode()) > MAX_NAME:
        raise InvalidObjectNameError(f"object name is longer than {MAX_NAME} bytes")
    for segment in name.split("/"):
        if segment in ("", ".", ".."):
            raise InvalidObjectNameError(
                f"object name {name!r} has an empty, '.' or '..' path segment"
            )
    return name
