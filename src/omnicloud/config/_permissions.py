"""A warning when a file that may hold credentials is readable by other users."""

from __future__ import annotations

import os
import stat
import warnings
from pathlib import Path

__all__ = ["warn_if_readable"]


def warn_if_readable(path: Path, *, stacklevel: int = 2) -> None:
    """Warn (``UserWarning``) when ``path`` is readable by its group or by everyone (POSIX)."""
    if os.name != "posix":
        return
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        warnings.warn(
            f"{path} is readable by other users and may hold credentials; run: chmod 600 {path}",
            stacklevel=stacklevel + 1,
        )
