"""Opt-in tuning that acts on the whole process, for applications that choose it.

Nothing here is on by default: the library itself never changes process-wide state.
"""

from __future__ import annotations

from omnicloud._gc import long_lived_pages

__all__ = ["long_lived_pages"]
