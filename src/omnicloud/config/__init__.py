"""Profiles: named clouds from ``omnicloud.yaml`` (cloudmesh layout), cloudstack.ini, built-ins.

Only the user's own ``omnicloud.yaml`` and the file named by ``OMNICLOUD_CONFIG`` (``--config``)
are read; a profile is resolved, and its ``credentials_command`` run, only when it is used.
"""

from __future__ import annotations

from omnicloud.config._load import BUILTIN_PROFILES, config_files, load_profiles
from omnicloud.config._model import Profile, ProfileEntry, Profiles

__all__ = [
    "BUILTIN_PROFILES",
    "Profile",
    "ProfileEntry",
    "Profiles",
    "config_files",
    "load_profiles",
]
