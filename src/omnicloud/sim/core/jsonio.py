"""JSON encoding for storage and answers: orjson when installed (several times faster on large
lists), the standard library otherwise. Both produce compact UTF-8 without ASCII escaping."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["dumps_bytes", "dumps_text", "loads"]

try:
    import orjson
except ImportError:  # pragma: no cover - exercised only without the optional speed-up
    orjson = None  # type: ignore[assignment]


def loads(data: str | bytes) -> Any:
    """Parse a JSON document."""
    if orjson is not None:
        return orjson.loads(data)
    return json.loads(data)


def dumps_bytes(value: Any) -> bytes:
    """Compact UTF-8 JSON bytes."""
    if orjson is not None:
        return orjson.dumps(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def dumps_text(value: Any) -> str:
    """Compact JSON text."""
    if orjson is not None:
        return orjson.dumps(value).decode("utf-8")
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
