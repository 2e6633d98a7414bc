"""Compatibility: the flow helpers moved to :mod:`omnicloud._collect` (every family uses them)."""

from omnicloud._collect import collect, mapped

__all__ = ["collect", "mapped"]
