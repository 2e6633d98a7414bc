"""Rendering results as a table, JSON, YAML or CSV.

Models become records: their dataclass fields minus ``driver`` (and minus ``extra`` outside JSON and
YAML); enums become their values, nested models their name, lists stay lists (joined in tables).
Secrets (private keys, passwords) are never rendered.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["FORMATS", "emit", "record"]

FORMATS = ("table", "json", "yaml", "csv")
_HIDDEN = {"driver", "private_key", "password", "secret"}
_DEFAULT_COLUMNS = {
    "Node": ["id", "name", "state", "public_ips", "private_ips", "size", "image"],
    "NodeSize": ["id", "name", "ram", "disk", "bandwidth", "price"],
    "NodeImage": ["id", "name"],
    "NodeLocation": ["id", "name", "country"],
    "StorageVolume": ["id", "name", "size", "state"],
    "VolumeSnapshot": ["id", "name", "size", "state", "created"],
    "KeyPair": ["name", "fingerprint"],
    "SecurityGroup": ["id", "name", "description", "ingress_rules", "egress_rules"],
}


def _kind(obj: object) -> str:
    name = type(obj).__name__
    for base in _DEFAULT_COLUMNS:
        if name.endswith(base):
            return base
    return name


def _plain(value: Any, *, nested: bool) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if nested:
            return getattr(value, "name", None) or getattr(value, "id", None) or str(value)
        return record(value, full=True)
    if isinstance(value, Mapping):
        return {str(k): _plain(v, nested=nested) for k, v in value.items() if k not in _HIDDEN}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v, nested=nested) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def record(obj: Any, *, full: bool = False) -> dict[str, Any]:
    """A model (or mapping) as a plain dict; ``full`` keeps ``extra`` and nested details."""
    if isinstance(obj, Mapping):
        return {str(k): _plain(v, nested=not full) for k, v in obj.items() if k not in _HIDDEN}
    if not dataclasses.is_dataclass(obj):
        return {"value": _plain(obj, nested=not full)}
    result: dict[str, Any] = {}
    for item in dataclasses.fields(obj):
        if item.name in _HIDDEN or (item.name == "extra" and not full):
            continue
        result[item.name] = _plain(getattr(obj, item.name), nested=not full)
    return result


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return (
            ",".join(_cell(v) for v in value)
            if all(not isinstance(v, dict) for v in value)
            else str(len(value))
        )
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _columns(items: Sequence[Any], records: Sequence[dict[str, Any]]) -> list[str]:
    if items and not isinstance(items[0], Mapping):
        wanted = _DEFAULT_COLUMNS.get(_kind(items[0]))
        if wanted:
            # a column nobody fills (a provider without prices, say) is left out
            return [c for c in wanted if any(r.get(c) not in (None, "", [], 0) for r in records)]
    seen: list[str] = []
    for rec in records:
        seen += [k for k in rec if k not in seen]
    return seen


def _table(columns: list[str], rows: list[list[str]]) -> str:
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    for row in rows:
        lines.append("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def _rich_table(columns: list[str], rows: list[list[str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in columns:
        table.add_column(column.upper(), overflow="fold")
    for row in rows:
        table.add_row(*row)
    Console().print(table)


def emit(
    result: Any,
    fmt: str = "table",
    *,
    columns: Sequence[str] | None = None,
    kind: str | None = None,
) -> None:
    """Print ``result`` (a model, a list of models, a mapping or a scalar) in ``fmt``.

    An empty list prints ``[]`` (JSON, YAML) or the header (table, CSV) of ``columns``, else of
    the model ``kind`` (``"Node"``...); with neither, nothing at all.
    """
    items: list[Any] = (
        list(result)
        if isinstance(result, Iterable) and not isinstance(result, str | bytes | Mapping)
        else [result]
    )
    single = not isinstance(result, list | tuple)
    if fmt in {"json", "yaml"}:
        data: Any = [record(item, full=True) for item in items]
        data = data[0] if single and data else data
        if fmt == "json":
            sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
        else:
            import yaml

            sys.stdout.write(yaml.safe_dump(data, sort_keys=True, default_flow_style=False))
        return
    records = [record(item) for item in items]
    chosen = list(columns) if columns else _columns(items, records)
    if not items and not chosen:
        chosen = list(_DEFAULT_COLUMNS.get(kind or "", []))
        if not chosen:
            return
    if single and fmt == "table" and records:
        width = max(len(k) for k in records[0])
        for key, value in record(items[0], full=False).items():
            sys.stdout.write(f"{key.ljust(width)}  {_cell(value)}\n")
        return
    rows = [[_cell(rec.get(c)) for c in chosen] for rec in records]
    if fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(chosen)
        writer.writerows(rows)
        return
    if sys.stdout.isatty():
        _rich_table(chosen, rows)
    else:
        sys.stdout.write(_table(chosen, rows) + "\n")
