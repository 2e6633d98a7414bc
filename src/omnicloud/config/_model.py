"""Profiles: named clouds with a kind, credentials and options, resolved when used."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from omnicloud.errors import ConfigurationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Profile", "ProfileEntry", "Profiles"]

logger = logging.getLogger("omnicloud.config")


@dataclass(slots=True)
class Profile:
    """One named cloud: ``kind`` says which driver, ``credentials`` how to log in.

    The repr never shows credential values.
    """

    name: str
    kind: str
    credentials: dict[str, Any] = field(default_factory=dict, repr=False)
    options: dict[str, Any] = field(default_factory=dict)
    source: str = "built-in"

    def __repr__(self) -> str:
        keys = ", ".join(sorted(self.credentials))
        return (
            f"Profile(name={self.name!r}, kind={self.kind!r}, credentials=[{keys}], "
            f"source={self.source!r})"
        )

    def redacted(self) -> dict[str, Any]:
        """A printable view: credential values replaced by ``REDACTED`` unless plainly public."""
        public = {"endpoint", "url", "host", "region", "zone", "username", "user", "project"}
        return {
            "name": self.name,
            "kind": self.kind,
            "source": self.source,
            "credentials": {
                k: (v if k.lower() in public else "REDACTED") for k, v in self.credentials.items()
            },
            "options": dict(self.options),
        }


#: Builds the profile; the flag says whether its ``credentials_command`` may run.
Resolver = Callable[[bool], Profile]


@dataclass(slots=True)
class ProfileEntry:
    """A profile as found in a file, not yet resolved (nothing interpolated, nothing run).

    ``kind`` is None when the file does not say it plainly; ``shadows`` names the source of a
    profile of the same name that this one, from an explicitly given file, hides.
    """

    name: str
    kind: str | None
    source: str
    resolve: Resolver = field(repr=False)
    shadows: str | None = None
    has_command: bool = False


@dataclass(slots=True)
class Profiles:
    """All known profiles and the name of the default one.

    A profile is resolved (``${VAR}`` interpolated, its ``credentials_command`` run) only when
    :meth:`get` asks for it, so a broken profile fails only when used. ``problems`` maps each
    config file that could not be read to the reason.
    """

    entries: dict[str, ProfileEntry]
    default: str
    files: list[str] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)
    default_error: str | None = None
    default_note: str | None = None
    _resolved: dict[str, Profile] = field(default_factory=dict, init=False, repr=False)
    _announced: set[str] = field(default_factory=set, init=False, repr=False)

    def entry(self, name: str | None = None) -> ProfileEntry:
        """The unresolved profile called ``name`` (the default when None)."""
        if not name and self.default_error:
            raise ConfigurationError(self.default_error)
        wanted = name or self.default
        found = self.entries.get(wanted)
        if found is None:
            known = ", ".join(sorted(self.entries)) or "none"
            unread = "".join(f"; {problem}" for problem in self.problems.values())
            raise ConfigurationError(f"no cloud profile named {wanted!r} (known: {known}){unread}")
        return found

    def get(self, name: str | None = None) -> Profile:
        """The profile called ``name`` (the default when None), resolved: a ``credentials_command``
        runs now, once. Raises :class:`ConfigurationError` naming the file and profile."""
        entry = self._announce(name)
        profile = self._resolved.get(entry.name)
        if profile is None:
            profile = self._resolved[entry.name] = entry.resolve(True)
        return profile

    def describe(self, name: str | None = None) -> Profile:
        """The profile called ``name`` without running its ``credentials_command`` (whose
        credentials are then missing): for showing it and reading its options."""
        return self._announce(name).resolve(False)

    def _announce(self, name: str | None) -> ProfileEntry:
        """The entry, logging once where it comes from when another file's choice is hidden."""
        entry = self.entry(name)
        if entry.name not in self._announced:
            self._announced.add(entry.name)
            if name is None and self.default_note:
                logger.warning(self.default_note)
            if entry.shadows:
                logger.warning(
                    "cloud %r comes from %s, which hides the one in %s",
                    entry.name,
                    entry.source,
                    entry.shadows,
                )
        return entry

    def problem(self, name: str) -> str | None:
        """Why profile ``name`` cannot be used (found without running anything), or None."""
        try:
            self.entry(name).resolve(False)
        except ConfigurationError as exc:
            return str(exc)
        return None

    def names(self) -> list[str]:
        """Profile names, sorted."""
        return sorted(self.entries)

    def __contains__(self, name: object) -> bool:
        return name in self.entries

    def as_mapping(self) -> Mapping[str, ProfileEntry]:
        """The unresolved profiles by name."""
        return dict(self.entries)
