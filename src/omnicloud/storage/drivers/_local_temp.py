"""Temporary files of the local store: named after their owner, reclaimed once it is gone.

A temporary file is ``<kind>-<host>-<pid>-<start>-<random>`` in ``.omnicloud/tmp``: ``host`` is a
short hash of the machine's name, ``pid`` and ``start`` (the process's start time in clock ticks
from ``/proc``, ``0`` where unknown) identify the writing process. A later write reclaims files
whose owner is gone (same host, and the pid no longer runs or now belongs to a process started at
another time) and any file untouched for :data:`STALE_AFTER` seconds (other hosts' files, names
from older versions, leaks of live processes). Files are created ``0o666`` less the umask, as
``open()`` creates them.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import secrets
import time

__all__ = ["STALE_AFTER", "create_temp", "reclaim", "temp_prefix"]

STALE_AFTER = 24 * 3600.0
_NAME = re.compile(r"(?:up|meta)-([0-9a-f]{12})-([0-9]{1,10})-([0-9]{1,20})-[0-9a-z_]+")
_KINDS = ("up-", "meta-")


@functools.cache
def _host() -> str:
    return hashlib.sha256(os.uname().nodename.encode("utf-8", "surrogateescape")).hexdigest()[:12]


def _start_time(pid: int) -> str:
    """The process's start time (``/proc/<pid>/stat`` field 22), ``"0"`` where unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            text = handle.read()
    except OSError:
        return "0"
    fields = text[text.rfind(b")") + 2 :].split()
    return fields[19].decode() if len(fields) > 19 and fields[19].isdigit() else "0"


@functools.cache
def _own_start(pid: int) -> str:
    return _start_time(pid)


def temp_prefix(kind: str) -> str:
    """The name prefix of this process's temporary files of ``kind`` (``up`` or ``meta``)."""
    pid = os.getpid()
    return f"{kind}-{_host()}-{pid}-{_own_start(pid)}-"


def create_temp(folder: str, kind: str) -> tuple[int, str]:
    """A new, empty temporary file in ``folder``: its write descriptor and path."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    while True:
        path = os.path.join(folder, temp_prefix(kind) + secrets.token_hex(8))
        try:
            return os.open(path, flags, 0o666), path
        except FileExistsError:  # pragma: no cover - 64 random bits
            continue


def _owner_gone(host: str, pid: int, start: str) -> bool:
    if host != _host() or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, ValueError):
        return False  # alive under another user, or not a pid at all: age decides
    if start == "0":
        return False
    now = _start_time(pid)
    return now != "0" and now != start


def reclaim(folder: str, now: float | None = None) -> int:
    """Delete the stale temporary files in ``folder`` (see the module docstring); how many."""
    now = time.time() if now is None else now
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if not entry.name.startswith(_KINDS):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            stale = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER
        except OSError:
            continue
        if not stale:
            match = _NAME.fullmatch(entry.name)
            stale = match is not None and _owner_gone(
                match[1], int(match[2]), match[3].lstrip("0") or "0"
            )
        if stale:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
                removed += 1
    return removed
