"""Async entry points: ``async with omnicloud.aio.get_driver(Provider.X)(key, secret) as d:``."""

from __future__ import annotations

from omnicloud._registry import DriverType, Provider, resolve

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["DriverType", "Provider", "get_driver"]


def get_driver(*args: Any) -> type[Any]:
    """The async driver class for ``([driver_type,] provider)``; its methods are coroutines."""
    return resolve(*args, asynchronous=True)
