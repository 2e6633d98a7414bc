"""Profiles: named clouds with a kind, credentials and options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Profile", "Profiles"]


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


@dataclass(slots=True)
class Profiles:
    """All known profiles and the name of the default one."""

    clouds: dict[str, Profile]
    default: str
    files: list[str] = field(default_factory=list)

    def get(self, name: str | None = None) -> Profile:
        """The profile called ``name`` (the default when None)."""
        from omnicloud.errors import ConfigurationError

        wanted = name or self.default
        try:
            return self.clouds[wanted]
        except KeyError:
            known = ", ".join(sorted(self.clouds)) or "none"
            raise ConfigurationError(
                f"no cloud profile named {wanted!r} (known: {known})"
            ) from None

    def names(self) -> list[str]:
        """Profile names, sorted."""
        return sorted(self.clouds)

    def __contains__(self, name: object) -> bool:
        return name in self.clouds

    def as_mapping(self) -> Mapping[str, Profile]:
        """The profiles by name."""
        return dict(self.clouds)
