"""Profiles: named clouds from ``omnicloud.yaml`` (cloudmesh layout), cloudstack.ini, built-ins."""

from __future__ import annotations

from omnicloud.config._load import BUILTIN_PROFILES, config_files, load_profiles
from omnicloud.config._model import Profile, Profiles

__all__ = ["BUILTIN_PROFILES", "Profile", "Profiles", "config_files", "load_profiles"]
