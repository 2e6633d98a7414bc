"""Name rules: every name must be UTF-8; local names also may not escape the container directory.

:func:`check_utf8` applies to every store (a name that cannot be encoded cannot be sent or
stored); :func:`check_container_name` and :func:`check_object_name` are the local store's rules.
"""

from __future__ import annotations

from omnicloud.storage.errors import InvalidContainerNameError, InvalidObjectNameError

__all__ = [
    "MAX_NAME",
    "MAX_SEGMENT",
    "check_container_name",
    "check_name_encoding",
    "check_object_name",
    "check_utf8",
]

MAX_NAME = 1024
MAX_SEGMENT = 255  # bytes in one file name on common file systems (ext4, XFS, btrfs, APFS)


def check_utf8(name: str, kind: str = "object") -> bytes:
    """``name`` encoded as UTF-8; a lone surrogate (bytes that were not UTF-8, decoded with
    ``surrogateescape`` as command-line arguments are) raises the kind's ``Invalid...NameError``."""
    try:
        return name.encode("utf-8")
    except UnicodeEncodeError:
        error = InvalidContainerNameError if kind == "container" else InvalidObjectNameError
        try:
            shown = repr(name.encode("utf-8", "surrogateescape"))  # the bytes as given
        except UnicodeEncodeError:
            shown = repr(name)
        raise error(f"{kind} name {shown} is not valid UTF-8") from None


def check_name_encoding(name: str, kind: str = "object") -> bytes:
    """``name`` as UTF-8, or the ``InvalidContainerNameError`` (``kind="container"``) or
    ``InvalidObjectNameError`` every store raises for a name that is not valid UTF-8 (a
    command-line argument decoded with ``surrogateescape``, for example).

    Public as ``omnicloud.storage.check_name_encoding``: callers check a name before choosing
    a store (the CLI does).
    """
    return check_utf8(name, kind)


def check_container_name(name: str) -> str:
    """A container is one directory: no separators, no ``.``/``..``, no hidden names, no NUL,
    UTF-8 of at most 255 bytes."""
    if not isinstance(name, str) or not name:
        raise InvalidContainerNameError("container name must be a non-empty string")
    encoded = check_utf8(name, "container")
    if "\x00" in name or "/" in name or "\\" in name:
        raise InvalidContainerNameError(f"container name {name!r} contains '/', '\\' or NUL")
    if name.startswith("."):
        raise InvalidContainerNameError(f"container name {name!r} must not start with '.'")
    if len(encoded) > MAX_SEGMENT:
        raise InvalidContainerNameError(f"container name is longer than {MAX_SEGMENT} bytes")
    return name


def check_object_name(name: str) -> str:
    """Object names may contain ``/`` but no ``.``/``..`` or empty segments, no NUL, no ``\\``,
    must not be absolute, and are UTF-8 of at most 1024 bytes with segments of at most 255."""
    if not isinstance(name, str) or not name:
        raise InvalidObjectNameError("object name must be a non-empty string")
    encoded = check_utf8(name)
    if "\x00" in name:
        raise InvalidObjectNameError("object name contains NUL")
    if "\\" in name:
        raise InvalidObjectNameError(f"object name {name!r} contains a backslash")
    if name.startswith("/"):
        raise InvalidObjectNameError(f"object name {name!r} is absolute")
    if len(encoded) > MAX_NAME:
        raise InvalidObjectNameError(f"object name is longer than {MAX_NAME} bytes")
    for segment in name.split("/"):
        if segment in ("", ".", ".."):
            raise InvalidObjectNameError(
                f"object name {name!r} has an empty, '.' or '..' path segment"
            )
        if len(segment.encode()) > MAX_SEGMENT:
            raise InvalidObjectNameError(
                f"object name has a path segment longer than {MAX_SEGMENT} bytes "
                f"({segment[:20]!r}...)"
            )
    return name
