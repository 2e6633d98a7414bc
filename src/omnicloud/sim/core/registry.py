"""Simulators by name: what ``omnicloud sim serve NAME`` resolves, without importing any of them.

A simulator describes how it is served in a :class:`SimulatorSpec` (its default port, its own
command-line options as :class:`Option` values, and the function that runs it); a
:class:`Registry` maps names to where each spec lives (``"module:attribute"``) and a one-line
summary, so listing the simulators imports none of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Option", "Registry", "SimulatorSpec"]


@dataclass(frozen=True, slots=True)
class Option:
    """One command-line option of a simulator, independent of the CLI toolkit.

    ``kind`` is ``"text"``, ``"float"``, ``"int"`` (bounded by ``minimum``/``maximum``) or
    ``"flag"`` (``--x/--no-x`` with ``off_flag``). The value reaches ``SimulatorSpec.run`` as
    the keyword named like the flag (``--job-latency`` → ``job_latency``).
    """

    flag: str
    kind: Literal["text", "float", "int", "flag"]
    help: str
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    envvar: str | None = None
    off_flag: str | None = None

    @property
    def name(self) -> str:
        """The keyword argument the value is passed as."""
        return self.flag.lstrip("-").replace("-", "_")


@dataclass(frozen=True, slots=True)
class SimulatorSpec:
    """How to serve one simulator in the foreground.

    ``run(host, port, state_path, **options)`` serves until interrupted (``state_path`` None:
    in memory), raising :class:`~omnicloud.errors.ConfigurationError` for a bad state file or
    port before printing anything.
    """

    name: str
    description: str
    default_port: int
    run: Callable[..., None]
    options: tuple[Option, ...] = ()


class Registry:
    """Simulator names → ``("module:attribute" of the spec, one-line summary)``."""

    def __init__(self, entries: Mapping[str, tuple[str, str]] | None = None) -> None:
        self._entries: dict[str, tuple[str, str]] = dict(entries or {})

    def add(self, name: str, location: str, summary: str) -> None:
        """Register the simulator ``name`` whose spec is at ``location`` (``"module:attr"``)."""
        if name in self._entries:
            raise ValueError(f"simulator {name!r} is registered twice")
        self._entries[name] = (location, summary)

    def names(self) -> list[str]:
        """The registered names, sorted."""
        return sorted(self._entries)

    def summary(self, name: str) -> str:
        """The one-line summary of ``name``."""
        return self._entries[name][1]

    def load(self, name: str) -> SimulatorSpec:
        """The spec of ``name`` (its module is imported now); ``KeyError`` if unknown."""
        module_name, _, attribute = self._entries[name][0].partition(":")
        spec = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(spec, SimulatorSpec):
            raise TypeError(f"{module_name}:{attribute} is not a SimulatorSpec")
        return spec
