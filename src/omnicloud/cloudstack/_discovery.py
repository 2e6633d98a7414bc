"""API discovery: cache ``listApis`` per region, show per-command help, check required params."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["cache_path", "format_help", "load_apis", "missing_required", "save_apis"]


def cache_path(region: str) -> Path:
    """Where the ``listApis`` answer for ``region`` is kept (the user cache directory)."""
    from platformdirs import user_cache_dir

    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in region) or "default"
    return Path(user_cache_dir("omnicloud")) / "cloudstack-apis" / f"{safe}.json"


def save_apis(region: str, apis: Iterable[Mapping[str, Any]]) -> Path:
    """Store the API descriptions for ``region`` atomically; returns the file."""
    path = cache_path(region)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(sorted(apis, key=lambda api: str(api.get("name")))))
    temporary.replace(path)
    return path


def load_apis(region: str) -> dict[str, dict[str, Any]] | None:
    """The cached API descriptions by name, or None when ``sync`` never ran for ``region``."""
    path = cache_path(region)
    try:
        apis = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(apis, list):
        return None
    return {str(api["name"]): api for api in apis if isinstance(api, dict) and "name" in api}


def missing_required(api: Mapping[str, Any], params: Iterable[str]) -> list[str]:
    """Required parameter names of ``api`` absent from ``params`` (case-insensitive)."""
    given = {name.lower().split("[", 1)[0] for name in params}
    return sorted(
        str(p["name"])
        for p in api.get("params") or []
        if p.get("required") and str(p.get("name", "")).lower() not in given
    )


def format_help(api: Mapping[str, Any]) -> str:
    """A help page for one API: description, async marker, parameters (required first)."""
    lines = [f"{api['name']}: {api.get('description', '').strip()}"]
    if api.get("isasync"):
        lines.append("Asynchronous: waits for the job unless --async is given.")
    params = sorted(api.get("params") or [], key=lambda p: (not p.get("required"), p.get("name")))
    if params:
        width = max(len(str(p.get("name"))) for p in params)
        lines += ["", "Parameters (* required):"]
        for p in params:
            mark = "*" if p.get("required") else " "
            kind = str(p.get("type", ""))
            text = " ".join(str(p.get("description", "")).split())
            lines.append(f" {mark} {str(p.get('name')).ljust(width)}  {kind:<8} {text}")
    return "\n".join(lines)
